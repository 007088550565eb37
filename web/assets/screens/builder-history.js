// The last cycle's final scores under the draft's grades: a live histogram
// beside the forced-distribution limits, so an author sees what a band or a
// limit would have meant for real people before publishing it.
import { get } from '../api.js';
import { h, svg } from '../dom.js';
import { limitReport } from '../grades.js';
import { fmtNum, t } from '../i18n.js';
import { B } from './builder-fields.js';

// loadHistory finds the newest cycle of the template that has results.
export async function loadHistory(key) {
  if (!key) return null;
  const cycles = await get('/cycles?templateKey=' + encodeURIComponent(key) + '&limit=5');
  for (const c of cycles.items || []) {
    const r = await get('/cycles/' + encodeURIComponent(c.id) + '/results?limit=500');
    const scores = (r.items || []).filter((x) => !x.blocked && typeof x.finalScore === 'number').map((x) => x.finalScore);
    if (scores.length) return { period: c.period, title: c.title, scores };
  }
  return null;
}

// gradeOf mirrors scoring.GradeOf for the preview: [min, max), the grade
// with the highest max including it.
function gradeOf(score, grades) {
  let top = -1;
  grades.forEach((g, i) => { if (top < 0 || g.max > grades[top].max) top = i; });
  const hit = grades.find((g, i) => score >= g.min && (score < g.max || (i === top && score === g.max)));
  return hit ? hit.key : null;
}

export function historyBox() {
  const hist = B.history;
  if (!hist) return null;
  const grades = (B.draft.grades || []).filter((g) => g && typeof g.min === 'number' && typeof g.max === 'number');
  const order = [...grades].sort((a, b) => b.min - a.min);
  const counts = {};
  let none = 0;
  for (const s of hist.scores) { const k = gradeOf(s, grades); if (k) counts[k] = (counts[k] || 0) + 1; else none++; }
  const n = hist.scores.length;
  const rows = [...order.map((g) => [g.key, counts[g.key] || 0]), ...(none ? [[t('b.h.none'), none]] : [])];
  const most = Math.max(1, ...rows.map((r) => r[1]));
  const W = 420, rowH = 24, L = 70, R = 70;
  const report = limitReport(Array.isArray(B.draft.distribution) ? B.draft.distribution.filter((l) => l && Array.isArray(l.grades)) : [], counts, n);
  const label = t('b.h.label', { period: hist.period, n, list: rows.map(([k, c]) => k + ' ' + c).join(', ') });
  return h('div', { id: 'b-hist' }, h('h3', {}, t('b.h.title', { period: hist.period })),
    h('p', { class: 'muted small' }, t('b.h.hint', { n })),
    h('figure', { class: 'chart hist' }, svg('svg', { viewBox: '0 0 ' + W + ' ' + (rows.length * rowH + 4), role: 'img', 'aria-label': label },
      rows.map(([k, c], i) => [svg('text', { x: L - 8, y: i * rowH + 17, 'text-anchor': 'end' }, k),
        svg('rect', { x: L, y: i * rowH + 4, width: Math.max(1, ((W - L - R) * c) / most), height: rowH - 8, class: 'bar' }),
        svg('text', { x: L + ((W - L - R) * c) / most + 6, y: i * rowH + 17 }, c + ' · ' + fmtNum(n ? (100 * c) / n : 0, 1) + '%')]))),
    report.length ? h('ul', { id: 'b-hist-limits', class: 'plain' }, report.map((r) => h('li', { class: r.broken ? 'broken' : 'ok', 'data-grades': r.grades.join('+') }, (r.broken ? '✗ ' : '✓ ') + r.text))) : null);
}
