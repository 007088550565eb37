// The page's state shared by every module: who is signed in, cached reads,
// the current screen's timers.
export const S = { token: localStorage.getItem('pl.token') || '', me: null, cache: new Map(), timers: [] };
export function clearTimers() { S.timers.forEach(clearInterval); S.timers = []; }
export function every(ms, fn) { S.timers.push(setInterval(fn, ms)); }
// rerender asks the router to draw the current route again.
export function rerender() { window.dispatchEvent(new Event('perfloop:render')); }
