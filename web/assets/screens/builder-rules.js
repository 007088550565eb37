// The builder's scoring rules: linear, bands, threshold or expression, each
// with a live curve of value → score that marks the baseline and stretch.
import { h, svg } from '../dom.js';
import { fmtNum, t } from '../i18n.js';
import { B, get, iconBtn, itemTools, items, num, push, sel, set, text } from './builder-fields.js';

export const METHODS = ['linear', 'bands', 'threshold', 'expression'];
const or = (v, d) => (typeof v === 'number' ? v : d);

// pointsAt is a preview of scoring.Rule.Score for the curve only: the
// server scores members; here a reader sees the shape of the rule.
export function pointsAt(ind, v) {
  const s = ind.scoring || {};
  const lower = ind.direction === 'lower';
  const base = ind.baseline, stretch = ind.stretch;
  switch (s.method) {
    case 'linear': {
      if (typeof base !== 'number' || typeof stretch !== 'number' || base === stretch) return null;
      const floor = or(s.floor, 60), cap = or(s.cap, 100), below = or(s.belowBaseline, 0);
      let x = v, b = base, st = stretch;
      if (lower) { x = -x; b = -b; st = -st; }
      if (x < b) return below;
      if (x >= st) return cap;
      return Math.min(cap, Math.max(floor, floor + ((x - b) / (st - b)) * (cap - floor)));
    }
    case 'bands': {
      const bands = s.bands || [];
      const top = bands.reduce((m, x) => Math.max(m, x.max), -Infinity);
      const hit = bands.find((x) => v >= x.min && (v < x.max || (v === x.max && x.max === top)));
      return hit ? hit.points : null;
    }
    case 'threshold':
      if (typeof base !== 'number') return null;
      return (lower ? v <= base : v >= base) ? or(s.pass, 100) : or(s.fail, 0);
  }
  return null;
}

// domain is the value range the curve spans: the bands, or around baseline and stretch.
function domain(ind) {
  const s = ind.scoring || {};
  const xs = [];
  if (s.method === 'bands') for (const b of s.bands || []) xs.push(b.min, b.max);
  for (const v of [ind.baseline, ind.stretch]) if (typeof v === 'number') xs.push(v);
  if (!xs.length) return null;
  let lo = Math.min(...xs), hi = Math.max(...xs);
  const pad = (hi - lo || Math.abs(hi) || 1) * (s.method === 'bands' ? 0 : 0.25);
  lo -= pad; hi += pad;
  if (lo >= 0 - 1e-9 && Math.min(...xs) >= 0) lo = Math.max(0, lo);
  return [lo, hi];
}

// curve draws value → score as SVG, with the baseline and stretch marked.
export function curve(ind, idx) {
  const d = domain(ind);
  const id = 'curve-' + idx;
  if (!d || (ind.scoring || {}).method === 'expression') return h('p', { class: 'muted small', id }, t('b.curve.none'));
  const W = 320, H = 150, L = 34, R = 10, T = 10, Bm = 28;
  const X = (v) => L + ((v - d[0]) / (d[1] - d[0] || 1)) * (W - L - R);
  const Y = (p) => T + (1 - p / 100) * (H - T - Bm);
  const n = 120;
  let path = '';
  let pen = false;
  const pts = [];
  for (let i = 0; i <= n; i++) {
    const v = d[0] + ((d[1] - d[0]) * i) / n;
    const p = pointsAt(ind, v);
    if (p == null) { pen = false; continue; }
    pts.push([v, p]);
    path += (pen ? 'L' : 'M') + X(v).toFixed(1) + ',' + Y(p).toFixed(1);
    pen = true;
  }
  const marks = [];
  const mark = (v, cls, label) => {
    if (typeof v !== 'number') return;
    marks.push(svg('line', { x1: X(v), x2: X(v), y1: T, y2: H - Bm, class: 'mark ' + cls }),
      svg('text', { x: X(v), y: H - 4, 'text-anchor': 'middle', class: cls }, label + ' ' + fmtNum(v)));
  };
  mark(ind.baseline, 'base', t('b.baselineShort'));
  if ((ind.scoring || {}).method !== 'threshold') mark(ind.stretch, 'stretch', t('b.stretchShort'));
  const desc = t('b.curve.desc', { name: (ind.name && (ind.name.zh || ind.name.en)) || ind.key || '', from: fmtNum(d[0]), to: fmtNum(d[1]),
    pts: [0, 0.25, 0.5, 0.75, 1].map((f) => { const v = d[0] + (d[1] - d[0]) * f; const p = pointsAt(ind, v); return fmtNum(v) + '→' + (p == null ? '—' : fmtNum(p, 1)); }).join(', ') });
  return h('figure', { class: 'chart curve', id },
    svg('svg', { viewBox: '0 0 ' + W + ' ' + H, width: W, height: H, role: 'img', 'aria-label': desc },
      svg('line', { x1: L, x2: W - R, y1: Y(0), y2: Y(0), class: 'axis' }), svg('line', { x1: L, x2: L, y1: T, y2: Y(0), class: 'axis' }),
      [0, 60, 100].map((p) => svg('text', { x: L - 4, y: Y(p) + 4, 'text-anchor': 'end' }, String(p))),
      marks, svg('path', { d: path, class: 'line' })),
    h('figcaption', { class: 'muted small' }, t('b.curve.caption')));
}

// Names an indicator's scoring expression may read (templates.CtxScoring).
export function scoringNames(draft) {
  const keys = [...(draft.indicators || []), ...(draft.signals || [])].map((x) => x && x.key).filter(Boolean);
  return ['value', 'baseline', 'stretch', 'target', ...keys.map((k) => 'metric.' + k)];
}

// ruleEditor edits indicator i's scoring block and range.
export function ruleEditor(i) {
  const p = '/indicators/' + i;
  const ind = get(p);
  const s = ind.scoring || {};
  const method = sel(p + '/scoring/method', t('b.method'), METHODS.map((m) => [m, t('b.method.' + m)]), { required: true, then: (m) => seedRule(ind, m) });
  const range = [
    num(p + '/baseline', t('b.baseline'), { hint: ind.direction === 'lower' ? t('b.baselineLower') : t('b.baselineHint') }),
    s.method === 'threshold' ? null : num(p + '/stretch', t('b.stretch'), { hint: t('b.stretchHint') }),
  ];
  let body = null;
  switch (s.method) {
    case 'linear':
      body = h('div', { class: 'row' }, range, num(p + '/scoring/floor', t('b.floor'), { min: 0, max: 100, placeholder: '60', hint: t('b.floorHint') }),
        num(p + '/scoring/cap', t('b.cap'), { min: 0, max: 100, placeholder: '100' }), num(p + '/scoring/belowBaseline', t('b.below'), { min: 0, max: 100, placeholder: '0' }));
      break;
    case 'threshold':
      body = h('div', { class: 'row' }, range, num(p + '/scoring/pass', t('b.pass'), { min: 0, max: 100, placeholder: '100' }), num(p + '/scoring/fail', t('b.fail'), { min: 0, max: 100, placeholder: '0' }));
      break;
    case 'bands': {
      const bp = p + '/scoring/bands';
      const bands = items(bp);
      body = h('div', { 'data-path': bp },
        h('table', { class: 'bands', id: 'bands-' + i }, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('b.band.min')), h('th', { scope: 'col' }, t('b.band.max')), h('th', { scope: 'col' }, t('b.band.points')), h('th', { scope: 'col' }, t('col.actions')))),
          h('tbody', {}, bands.map((b, j) => h('tr', { 'data-key': 'band-' + i + '-' + j },
            h('td', {}, num(bp + '/' + j + '/min', null, { id: 'band-' + i + '-' + j + '-min', required: true })),
            h('td', {}, num(bp + '/' + j + '/max', null, { id: 'band-' + i + '-' + j + '-max', required: true })),
            h('td', {}, num(bp + '/' + j + '/points', null, { id: 'band-' + i + '-' + j + '-points', min: 0, max: 100, required: true })),
            h('td', {}, itemTools(bp, j, bands.length, t('b.band.n', { n: j + 1 }))))))),
        bands.map((b, j) => [0, 1, 2].map((k) => labelFor('band-' + i + '-' + j + '-' + ['min', 'max', 'points'][k], t('b.band.n', { n: j + 1 }) + ' ' + t(['b.band.min', 'b.band.max', 'b.band.points'][k])))),
        h('div', { class: 'err' }),
        iconBtn(t('b.band.add'), () => { const last = bands[bands.length - 1]; push(bp, last ? { min: last.max, max: last.max + 10, points: Math.min(100, last.points + 10) } : { min: 0, max: 60, points: 0 }); }, 'add-band'),
        h('div', { class: 'row' }, range));
      break;
    }
    case 'expression':
      body = h('div', {}, text(p + '/scoring/expr', t('b.expr'), { list: 'names-scoring', code: true, hint: t('b.exprHint') }),
        h('datalist', { id: 'names-scoring' }, scoringNames(B.draft).map((n) => h('option', { value: n }))), h('div', { class: 'row' }, range));
      break;
  }
  return h('div', { class: 'rule', 'data-path': p + '/scoring' }, method, body, curve(ind, i));
}
// A hidden label names each cell's input for screen readers.
const labelFor = (id, s) => h('label', { for: id, class: 'sr' }, s);

// seedRule gives a newly chosen method what it needs to score, keeping
// what the indicator already says.
export function seedRule(ind, m) {
  const s = ind.scoring;
  if (m === 'bands' && !(s.bands || []).length) {
    const hi = typeof ind.stretch === 'number' ? ind.stretch : 100;
    const lo = typeof ind.baseline === 'number' ? ind.baseline : hi * 0.6;
    s.bands = [{ min: 0, max: lo, points: 0 }, { min: lo, max: hi, points: 80 }, { min: hi, max: Math.max(hi * 2, hi + 1), points: 100 }];
  }
  if ((m === 'linear' || m === 'threshold') && typeof ind.baseline !== 'number') ind.baseline = 0;
  if (m === 'linear' && typeof ind.stretch !== 'number') ind.stretch = ind.baseline + 10;
  if (m === 'expression' && !s.expr) s.expr = 'value >= baseline ? 100 : 60';
  if (m !== 'bands' && s.bands && !s.bands.length) delete s.bands;
  set('/indicators', B.draft.indicators);
}
