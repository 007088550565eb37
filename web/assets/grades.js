// Grades and the forced distribution, as the server computes them, for
// previews before a submission.
import { fmtNum, t } from './i18n.js';

export const resultGrade = (r) => r.grade || r.proposedGrade || '—';
export function gradeOrder(tpl, results) {
  const order = (tpl.grades || []).map((g) => g.key);
  for (const r of results) for (const g of [r.proposedGrade, r.grade]) if (g && !order.includes(g)) order.push(g);
  return order;
}
// distBounds mirrors scoring.Bounds: percentages become headcounts; a
// positive maximum always allows one member, a minimum rounds up.
export function distBounds(l, n) {
  let lo = 0;
  let hi = n;
  if (l.max != null) {
    hi = Math.floor((l.max / 100) * n + 1e-9);
    if (l.max > 0) hi = Math.max(hi, 1);
    hi = Math.min(Math.max(hi, 0), n);
  }
  if (l.min != null) lo = Math.min(Math.max(Math.ceil((l.min / 100) * n - 1e-9), 0), n);
  return [lo, hi];
}
// limitReport previews the server's forced-distribution check in its words.
export function limitReport(limits, counts, n) {
  return (limits || []).map((l) => {
    const grades = l.grades.join('+');
    const actual = l.grades.reduce((s, g) => s + (counts[g] || 0), 0);
    const [lo, hi] = distBounds(l, n);
    const parts = [t('cal.share', { grades, n: actual, total: n, pct: fmtNum(n ? (100 * actual) / n : 0, 1) })];
    if (l.max != null) parts.push(t('cal.limitMax', { n: hi, pct: l.max }) + (actual > hi ? ' — ' + t('cal.over', { n: actual - hi }) : ''));
    if (l.min != null) parts.push(t('cal.limitMin', { n: lo, pct: l.min }) + (actual < lo ? ' — ' + t('cal.under', { n: lo - actual }) : ''));
    return { grades: l.grades, broken: (l.max != null && actual > hi) || (l.min != null && actual < lo), text: parts.join(', ') };
  });
}
// targetCurve is the shape the forced distribution asks of a team of n,
// per grade in order: a grade with a limit of its own aims at it (at most
// its maximum, at least its minimum, between both), and the grades without
// one share the rest evenly. Limits over several grades together bound
// the sum, not each grade, and stay with limitReport.
export function targetCurve(limits, order, n) {
  const out = new Map();
  for (const l of limits || []) {
    if (l.grades.length !== 1 || !order.includes(l.grades[0])) continue;
    const [lo, hi] = distBounds(l, n);
    const x = out.get(l.grades[0]) || { lo: null, hi: null };
    if (l.min != null) x.lo = lo;
    if (l.max != null) x.hi = hi;
    out.set(l.grades[0], x);
  }
  let used = 0;
  for (const x of out.values()) { x.target = x.lo != null && x.hi != null ? (x.lo + x.hi) / 2 : x.hi ?? x.lo; used += x.target; }
  const free = order.filter((g) => !out.has(g));
  for (const g of free) out.set(g, { lo: null, hi: null, target: Math.max(0, n - used) / free.length, shared: true });
  return order.map((g) => ({ grade: g, ...out.get(g) }));
}
