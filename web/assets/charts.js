// Charts and progress bars drawn as DOM and SVG: grades against the forced
// distribution, the attainment heat map, stage completion.
import { memberName } from './api.js';
import { fill, h, svg } from './dom.js';
import { distBounds, targetCurve } from './grades.js';
import { D, fmtNum, t, txt } from './i18n.js';

Object.assign(D, {
  'curve.title': ['实际分布与目标曲线', 'Grades against the target curve'],
  'curve.legendBars': ['柱：各等级实际人数', 'Bars: members per grade now'], 'curve.legendLine': ['曲线：强制分布的目标', 'Curve: what the forced distribution aims at'],
  'curve.label': ['等级分布与目标曲线（共 {n} 人）：{list}', 'Grades against the target curve ({n} members): {list}'],
  'curve.point': ['{grade} 实际 {actual} 人，目标{target}', '{grade} {actual} now, target {target}'],
  'curve.max': ['至多 {n} 人', 'at most {n}'], 'curve.min': ['至少 {n} 人', 'at least {n}'], 'curve.between': ['{lo}–{hi} 人', '{lo} to {hi}'],
  'curve.about': ['约 {n} 人（其余等级平分）', 'about {n} (the rest shared evenly)'],
});

export function progressBar(id) {
  const bar = h('div', { id, role: 'status', 'aria-live': 'polite' }, h('progress', { max: 100 }), ' ', h('span'));
  return {
    el: bar,
    set(frac) {
      const pr = bar.querySelector('progress');
      if (frac == null) { pr.removeAttribute('value'); bar.lastChild.textContent = t('dash.processing'); return; }
      pr.value = Math.round(frac * 100);
      bar.lastChild.textContent = t('dash.uploading', { pct: Math.round(frac * 100) });
    },
  };
}

// gradeChart draws members per grade against the forced distribution: a
// limit on one grade is a dashed line at the headcount it allows.
export function gradeChart(counts, order, names, limits, n) {
  const keys = order.filter((g) => counts[g] != null || order.length <= 8);
  const marks = {};
  for (const l of limits || []) {
    if (l.grades.length !== 1) continue;
    const [lo, hi] = distBounds(l, n);
    marks[l.grades[0]] = { lo: l.min != null ? lo : null, hi: l.max != null ? hi : null };
  }
  const max = Math.max(1, ...keys.map((g) => Math.max(counts[g] || 0, (marks[g] && marks[g].hi) || 0, (marks[g] && marks[g].lo) || 0)));
  // The right margin leaves room for the last grade's limit label ("下限 1", "min 1").
  const bw = 56, gap = 28, ch = 160, top = 18, w = keys.length * (bw + gap) + gap + 40;
  const y = (v) => top + ch - Math.round((v / max) * ch);
  const label = t('dash.chartLabel', { list: keys.map((g) => g + ' ' + (counts[g] || 0) + (marks[g] ? ' (' + [marks[g].lo != null ? t('dash.limitMin') + ' ' + marks[g].lo : '', marks[g].hi != null ? t('dash.limitMax') + ' ' + marks[g].hi : ''].filter(Boolean).join(', ') + ')' : '')).join(', ') });
  return svg('svg', { viewBox: '0 0 ' + w + ' ' + (ch + top + 40), width: w, height: ch + top + 40, role: 'img', 'aria-label': label, id: 'grade-chart' },
    svg('title', {}, label),
    svg('line', { x1: 0, x2: w, y1: top + ch, y2: top + ch, stroke: '#8c959f' }),
    keys.map((g, i) => {
      const c = counts[g] || 0;
      const x = gap + i * (bw + gap);
      const m = marks[g] || {};
      const over = (m.hi != null && c > m.hi) || (m.lo != null && c < m.lo);
      return svg('g', { 'data-grade': g },
        svg('rect', { x, y: y(c), width: bw, height: top + ch - y(c), fill: over ? '#b3261e' : '#0b5cad', rx: 3 }),
        svg('text', { x: x + bw / 2, y: y(c) - 4, 'text-anchor': 'middle' }, String(c)),
        m.hi != null ? [svg('line', { class: 'limit-max', x1: x - 6, x2: x + bw + 6, y1: y(m.hi), y2: y(m.hi), stroke: '#b3261e', 'stroke-width': 2, 'stroke-dasharray': '5 3' }),
          svg('text', { x: x + bw + 2, y: y(m.hi) - 3, 'font-size': '10' }, t('dash.limitMax') + ' ' + m.hi)] : null,
        m.lo != null ? [svg('line', { class: 'limit-min', x1: x - 6, x2: x + bw + 6, y1: y(m.lo), y2: y(m.lo), stroke: '#11703a', 'stroke-width': 2, 'stroke-dasharray': '2 2' }),
          svg('text', { x: x + bw + 2, y: y(m.lo) + 11, 'font-size': '10' }, t('dash.limitMin') + ' ' + m.lo)] : null,
        svg('text', { x: x + bw / 2, y: top + ch + 16, 'text-anchor': 'middle', 'font-weight': '600' }, g),
        svg('text', { x: x + bw / 2, y: top + ch + 32, 'text-anchor': 'middle' }, names.get(g) || ''));
    }));
}
// attainChart is a heat map: one row per member, one column per indicator, 0–100.
// onDark says whether an hsl colour needs white text rather than black to
// reach 4.5:1: black on a background of relative luminance L has contrast
// (L + .05) / .05, white 1.05 / (L + .05); they cross near L = .18, where both exceed 4.5.
function onDark(hue, sat, light) {
  const a = (sat / 100) * Math.min(light / 100, 1 - light / 100);
  const ch = (n) => { const k = (n + hue / 30) % 12; const c = light / 100 - a * Math.max(-1, Math.min(k - 3, 9 - k, 1)); return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
  return 0.2126 * ch(0) + 0.7152 * ch(8) + 0.0722 * ch(4) < 0.18;
}
export function attainChart(results, tpl, members) {
  const seen = new Set();
  results.forEach((r) => Object.keys(r.indicators || {}).forEach((k) => seen.add(k)));
  const keys = [...(tpl.indicators || []).map((i) => i.key).filter((k) => seen.has(k)), ...[...seen].filter((k) => !(tpl.indicators || []).some((i) => i.key === k))];
  if (!keys.length || !results.length) return h('p', { class: 'muted' }, t('dash.noResults'));
  const names = new Map((tpl.indicators || []).map((i) => [i.key, txt(i.name, i.key)]));
  const small = results.length <= 40;
  const cw = 64, rh = small ? 20 : 12, left = 110, head = 96;
  const w = left + keys.length * cw + 80, hgt = head + results.length * rh; // the right margin holds the last slanted header
  const label = t('dash.attainLabel', { n: results.length, k: keys.length });
  // One tooltip per row (member: every indicator) keeps a 500-member map light.
  const rows = results.map((r, ri) => {
    const vals = r.indicators || {};
    const who = memberName(members, r.memberId);
    return svg('g', { 'data-member': r.memberId },
      svg('title', {}, who + ' — ' + keys.map((k) => (names.get(k) || k) + ' ' + (typeof vals[k] === 'number' ? fmtNum(vals[k], 1) : '—')).join(' · ')),
      small ? svg('text', { x: left - 6, y: head + ri * rh + rh * 0.7, 'text-anchor': 'end' }, who) : null,
      keys.map((k, ci) => {
        const v = vals[k];
        const has = typeof v === 'number';
        const light = Math.round(96 - (has ? Math.max(0, Math.min(1, v / 100)) : 0) * 66);
        return [svg('rect', { x: left + ci * cw, y: head + ri * rh, width: cw - 2, height: rh - 2, fill: has ? 'hsl(210,70%,' + light + '%)' : '#eef1f5' }),
          small && has ? svg('text', { x: left + ci * cw + cw / 2 - 1, y: head + ri * rh + rh * 0.7, 'text-anchor': 'middle', class: onDark(210, 70, light) ? 'on-dark' : 'on-light', 'font-size': '11' }, fmtNum(v, 0)) : null];
      }));
  });
  // A scrolling box is reachable by keyboard, so the whole map can be scrolled without a mouse.
  return h('div', { class: 'scroll', tabindex: 0, role: 'region', 'aria-label': label }, svg('svg', { viewBox: '0 0 ' + w + ' ' + hgt, width: w, height: hgt, role: 'img', 'aria-label': label, id: 'attain-chart' },
    svg('title', {}, label),
    // Headers slant, so long names (and Chinese ones, a glyph a character) never run into each other.
    keys.map((k, ci) => {
      const x = left + ci * cw + cw / 2, y = head - 8;
      return svg('text', { x, y, 'text-anchor': 'start', 'font-size': '11', transform: 'rotate(-35 ' + x + ' ' + y + ')', class: 'colhead' }, svg('title', {}, names.get(k) || k), (names.get(k) || k).slice(0, 12));
    }),
    rows));
}
export function stageCompletion(tasks, stageOrder, stageName) {
  const by = new Map();
  for (const c of tasks) {
    const s = by.get(c.stage) || { total: 0, done: 0 };
    s.total += c.count;
    if (c.state === 'submitted') s.done += c.count;
    by.set(c.stage, s);
  }
  const keys = [...stageOrder.filter((k) => by.has(k)), ...[...by.keys()].filter((k) => !stageOrder.includes(k))];
  if (!keys.length) return h('p', { class: 'muted' }, '—');
  return h('table', { id: 'stage-completion' }, h('tbody', {}, keys.map((k) => {
    const { total, done } = by.get(k);
    const bar = h('div', { class: 'progress', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': total, 'aria-valuenow': done, 'aria-label': stageName.get(k) || k }, h('span'));
    bar.firstChild.style.width = (total ? (100 * done) / total : 0) + '%';
    return h('tr', { 'data-stage': k }, h('th', { scope: 'row' }, stageName.get(k) || k), h('td', { class: 'wide' }, bar), h('td', { class: 'num' }, t('dash.stageDone', { done, total })));
  })));
}

// curveWords says a grade's target in words: its limit, or its even share.
function curveWords(p) {
  if (p.shared) return t('curve.about', { n: fmtNum(p.target, 1) });
  if (p.lo != null && p.hi != null) return t('curve.between', { lo: p.lo, hi: p.hi });
  return p.hi != null ? t('curve.max', { n: p.hi }) : t('curve.min', { n: p.lo });
}
// distributionCurve draws members per grade as bars and the forced
// distribution's target (grades.targetCurve) as a smooth curve over them,
// with a legend; the picture's words (aria-label, <title>) say every
// grade's count and target, so nothing is only seen.
export function distributionCurve(counts, order, names, limits, n) {
  const curve = targetCurve(limits, order, n);
  const max = Math.max(1, ...curve.map((p) => Math.max(counts[p.grade] || 0, p.target, p.hi || 0)));
  const bw = 64, gap = 40, ch = 160, top = 18, w = order.length * (bw + gap) + gap;
  const y = (v) => top + ch - (v / max) * ch;
  const cx = (i) => gap + i * (bw + gap) + bw / 2;
  const pts = curve.map((p, i) => [cx(i), y(p.target)]);
  // A Catmull-Rom spline through the targets, as cubic Béziers: a curve, not a zigzag.
  let d = 'M' + pts[0].join(' ');
  for (let i = 0; i < pts.length - 1; i++) {
    const [p0, p1, p2, p3] = [pts[Math.max(0, i - 1)], pts[i], pts[i + 1], pts[Math.min(pts.length - 1, i + 2)]];
    d += ' C' + [p1[0] + (p2[0] - p0[0]) / 6, p1[1] + (p2[1] - p0[1]) / 6, p2[0] - (p3[0] - p1[0]) / 6, p2[1] - (p3[1] - p1[1]) / 6, p2[0], p2[1]].map((v) => Math.round(v * 10) / 10).join(' ');
  }
  const label = t('curve.label', { n, list: curve.map((p) => t('curve.point', { grade: p.grade, actual: counts[p.grade] || 0, target: curveWords(p) })).join('；') });
  const pic = svg('svg', { viewBox: '0 0 ' + w + ' ' + (ch + top + 40), width: w, height: ch + top + 40, role: 'img', 'aria-label': label, id: 'cal-curve-svg' },
    svg('title', {}, label),
    svg('line', { x1: 0, x2: w, y1: top + ch, y2: top + ch, stroke: '#8c959f' }),
    curve.map((p, i) => {
      const c = counts[p.grade] || 0;
      const off = (p.hi != null && c > p.hi) || (p.lo != null && c < p.lo);
      return svg('g', { 'data-grade': p.grade, 'data-target': String(Math.round(p.target * 10) / 10) },
        svg('rect', { x: cx(i) - bw / 2, y: y(c), width: bw, height: top + ch - y(c), fill: off ? '#b3261e' : '#0b5cad', rx: 3 }),
        svg('text', { x: cx(i), y: y(c) - 4, 'text-anchor': 'middle' }, String(c)),
        svg('text', { x: cx(i), y: top + ch + 16, 'text-anchor': 'middle', 'font-weight': '600' }, p.grade),
        svg('text', { x: cx(i), y: top + ch + 32, 'text-anchor': 'middle' }, names.get(p.grade) || ''));
    }),
    svg('path', { d, class: 'target-curve', fill: 'none', stroke: '#8a5300', 'stroke-width': 2.5, 'stroke-dasharray': '6 3' }),
    pts.map(([x, yy], i) => svg('circle', { cx: x, cy: yy, r: 4, fill: '#8a5300', 'data-grade': curve[i].grade })));
  return h('div', { class: 'chart', id: 'cal-curve' }, pic,
    h('ul', { class: 'legend small', 'aria-hidden': 'true' }, h('li', { class: 'bars' }, t('curve.legendBars')), h('li', { class: 'line' }, t('curve.legendLine'))),
    h('ul', { class: 'sr', id: 'cal-curve-text' }, curve.map((p) => h('li', { 'data-grade': p.grade }, t('curve.point', { grade: p.grade, actual: counts[p.grade] || 0, target: curveWords(p) })))));
}
