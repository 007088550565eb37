// The page's state shared by every module: who is signed in, cached reads,
// the current screen's timers.
export const S = { token: localStorage.getItem('pl.token') || '', me: null, cache: new Map(), timers: [] };
export function clearTimers() { S.timers.forEach(clearInterval); S.timers = []; }
export function every(ms, fn) { S.timers.push(setInterval(fn, ms)); }
// rerender asks the router to draw the current route again.
export function rerender() { window.dispatchEvent(new Event('perfloop:render')); }
// typing says whether the reader is in a field; a refresh then waits, so
// it never changes the form they are filling in or the list they are choosing from.
export const typing = () => !!(document.activeElement && document.activeElement.closest('input, select, textarea, [contenteditable]'));
// refreshEvery runs fn every ms while the screen is shown, skipping while
// the reader is typing. #main counts both, so tests can wait on them.
// A refresh that fails (offline, server down) leaves the last data on
// screen under a banner that says how old it is, with a retry; the next
// success removes it.
export function refreshEvery(ms, fn, stale) {
  let last = new Date();
  const run = async () => {
    const main = document.getElementById('main');
    try {
      await fn();
    } catch (e) {
      if (stale) stale(last, run);
      return;
    }
    last = new Date();
    if (stale) stale(null, run);
    main.dataset.refreshes = String(+(main.dataset.refreshes || 0) + 1);
  };
  every(ms, () => {
    if (typing()) { const main = document.getElementById('main'); main.dataset.paused = String(+(main.dataset.paused || 0) + 1); return; }
    return run();
  });
}
