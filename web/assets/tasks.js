// How a task reads in a list: its title, stage and due date in words.
import { lang, t, txt } from './i18n.js';
import { S } from './state.js';

export const taskTitle = (task) => (lang === 'en' ? task.titleEn || task.title : task.title || task.titleEn);
export const isOverdue = (task) => task.state === 'open' && task.dueAt && new Date(task.dueAt) < new Date();
// relDue says when an open task is due in words ("due in 2 days", "1 day
// overdue"): days from a day out, hours closer in.
export function relDue(iso, now = Date.now()) {
  const ms = new Date(iso).getTime() - now;
  if (isNaN(ms)) return '';
  const hours = Math.abs(ms) / 3.6e6;
  const [unit, n] = hours >= 24 ? ['Day', Math.round(hours / 24)] : hours >= 1 ? ['Hour', Math.round(hours)] : ['Soon', 0];
  return t((ms < 0 ? 'due.late' : 'due.in') + unit + (n === 1 ? '1' : ''), { n });
}
// stageLabel names a task's stage as its template does; a report round
// adds its number and an IDP review says so, never the raw key.
export function stageLabel(task) {
  const round = reportRound(task.stage);
  const name = task.stageName ? txt(task.stageName) : (task.stage || '').startsWith('idp:') ? t('kind.idp_review') : '—';
  return round ? name + ' · ' + t('rep.round', { n: round.n }) : name;
}
// reportRound reads a report round's stage key ("execute#report-2", as
// activities.ReportKey writes it); other keys answer null.
export function reportRound(key) {
  const m = /^(.*)#report-(\d+)$/.exec(key || '');
  return m ? { stage: m[1], n: Number(m[2]) } : null;
}
// GRID_KINDS are the tasks a rater does for several people of one cycle,
// which the team grid (#/rate/<cycle>/<kind>) puts on one screen.
export const GRID_KINDS = ['manager_eval', 'peer_eval', 'cross_eval'];
// gridGroups finds, among open tasks, each cycle and kind where the reader
// has more than one person to rate: those the team grid is offered for.
export function gridGroups(tasks) {
  const by = new Map();
  for (const x of tasks) {
    if (x.state !== 'open' || !GRID_KINDS.includes(x.kind) || !x.cycleId || x.assigneeId !== S.me?.id) continue;
    const key = x.cycleId + '/' + x.kind;
    const g = by.get(key) || { key, cycleId: x.cycleId, kind: x.kind, title: x.cycleTitle || '', n: 0 };
    g.n++;
    by.set(key, g);
  }
  return [...by.values()].filter((g) => g.n > 1);
}
export const gridHref = (g) => '#/rate/' + encodeURIComponent(g.cycleId) + '/' + g.kind;
