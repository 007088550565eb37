// The builder's raters (with each group's effective weight in the final
// score, as the server computes it), grades on one score axis, and the
// forced distribution.
import { h, svg } from '../dom.js';
import { fmtNum, t } from '../i18n.js';
import { historyBox } from './builder-history.js';
import { B, check, del, get, iconBtn, itemTools, items, num, push, sel, set, text, total, weight } from './builder-fields.js';

const ROLES = ['self', 'manager', 'peer', 'crossDepartment', 'customer'];
const RATER = {
  self: { key: 'self', role: 'self', weight: 20, scale: { min: 1, max: 5 } },
  manager: { key: 'manager', role: 'manager', weight: 60, scale: { min: 1, max: 5 } },
  peer: { key: 'peer', role: 'peer', weight: 20, min: 2, max: 4, anonymous: true, scale: { min: 1, max: 5 } },
  crossDepartment: { key: 'crossDept', role: 'crossDepartment', weight: 30, min: 1, max: 3, anonymous: true, scale: { min: 1, max: 5 } },
  customer: { key: 'customer', role: 'customer', weight: 30, input: 'metrics' },
};

// effectiveFor is the server's answer (POST /templates/validate, effective)
// for a level: each group's share of the final score.
const effectiveFor = (level) => (B.effective || []).find((x) => x.level === level);

function raterCard(r, i, n) {
  const p = '/raters/' + i;
  const multi = r.role === 'peer' || r.role === 'crossDepartment';
  const name = t('part.' + r.role) + ' · ' + (r.key || '');
  const eff = effectiveFor('');
  const mine = eff && eff.raters.find((x) => x.key === r.key);
  return h('fieldset', { class: 'item', id: 'rater-' + i, 'data-key': 'rater-' + i, 'data-path': p }, h('legend', {}, name), h('div', { class: 'err' }),
    h('div', { class: 'row' }, text(p + '/key', t('b.r.key'), { required: true, code: true }),
      sel(p + '/role', t('b.r.role'), ROLES.map((x) => [x, t('part.' + x)]), { required: true }),
      sel(p + '/input', t('b.r.input'), [['task', t('b.r.input.task')], ['metrics', t('b.r.input.metrics')]], { none: t('b.r.input.default') })),
    weight(p + '/weight', t('b.r.weight'), { suffix: ' · ' + name }),
    h('p', { class: 'effective', id: 'eff-' + i, role: 'status' }, mine ? t('b.r.effective', { n: fmtNum(mine.final, 2), b: fmtNum(mine.behaviour, 2) }) : t('b.r.noEffective')),
    h('div', { class: 'row' },
      multi ? [num(p + '/min', t('b.r.min'), { min: 0, max: 20, step: 1, int: true }), num(p + '/max', t('b.r.max'), { min: 0, max: 20, step: 1, int: true, hint: t('b.r.countHint') })] : null,
      num(p + '/scale/min', t('b.r.scaleMin'), { hint: t('b.r.scaleHint') }), num(p + '/scale/max', t('b.r.scaleMax'))),
    check(p + '/anonymous', t('b.r.anonymous')),
    itemTools('/raters', i, n, name));
}

// formulaNames are what the final-score formula may read (templates.CtxFormula).
function formulaNames() {
  const d = B.draft;
  const inds = (d.indicators || []).map((x) => x && x.key).filter(Boolean);
  const sigs = (d.signals || []).map((x) => x && x.key).filter(Boolean);
  return ['total', 'quantitative', 'behaviour', ...(d.raters || []).map((r) => r && r.key).filter(Boolean),
    ...inds.map((k) => 'score.' + k), ...[...inds, ...sigs].map((k) => 'metric.' + k), ...inds.map((k) => 'target.' + k)];
}

export function ratersSection() {
  const rs = items('/raters');
  const sum = rs.reduce((s, r) => s + (Number(r && r.weight) || 0), 0);
  const taken = new Set(rs.map((r) => r.role));
  const levels = (B.effective || []).filter((x) => x.level);
  return h('section', { class: 'card', id: 'b-raters', 'aria-labelledby': 'b-raters-h' }, h('h2', { id: 'b-raters-h' }, t('b.sec.raters')),
    h('p', { class: 'muted small' }, t('b.r.advice')),
    h('div', { 'data-path': '/raters' }, total('b-rtotal', sum, t('b.total')), h('div', { class: 'err' })),
    rs.map((r, i) => raterCard(r, i, rs.length)),
    h('div', { class: 'toolbar', id: 'b-add-rater' }, ROLES.filter((x) => x === 'peer' || x === 'crossDepartment' || !taken.has(x)).map((role) =>
      iconBtn(t('b.r.add', { role: t('part.' + role) }), () => { const r = JSON.parse(JSON.stringify(RATER[role])); const keys = new Set(rs.map((x) => x.key)); for (let n = 2; keys.has(r.key); n++) r.key = RATER[role].key + n; push('/raters', r); }, 'add-' + role))),
    levels.length ? h('div', { id: 'b-eff-levels' }, h('h3', {}, t('b.r.byLevel')), h('table', {}, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('b.r.level')), rs.map((r) => h('th', { scope: 'col', class: 'num' }, r.key)))),
      h('tbody', {}, levels.map((l) => h('tr', {}, h('th', { scope: 'row' }, l.level), rs.map((r) => { const x = l.raters.find((y) => y.key === r.key); return h('td', { class: 'num' }, x ? fmtNum(x.final, 2) + '%' : '—'); })))))) : null,
    h('details', { class: 'advanced', open: !!(get('/formula') || get('/raterMix')) }, h('summary', {}, t('b.formula.more')),
      text('/formula', t('b.formula'), { code: true, list: 'names-formula', hint: t('b.formulaHint') }),
      h('datalist', { id: 'names-formula' }, formulaNames().map((n) => h('option', { value: n }))),
      sel('/raterMix', t('b.mix'), [['indicator', t('b.mix.indicator')], ['part', t('b.mix.part')]], { none: t('b.mix.indicator') })));
}

const STANDARD = [
  { key: 'S', name: { zh: '卓越', en: 'Outstanding' }, min: 90, max: 100 },
  { key: 'A', name: { zh: '优秀', en: 'Exceeds' }, min: 80, max: 90 },
  { key: 'B', name: { zh: '达标', en: 'Meets' }, min: 70, max: 80 },
  { key: 'C', name: { zh: '待改进', en: 'Below' }, min: 0, max: 70 },
];
const COLOURS = ['#0b5cad', '#11703a', '#8a5300', '#b3261e', '#5b3a9b', '#4f5863'];

// axis draws the grades as bands on one 0–100 score axis.
function axis(grades) {
  const W = 600, H = 58, L = 8, R = 8;
  const X = (v) => L + (Math.max(0, Math.min(100, v)) / 100) * (W - L - R);
  const ok = grades.filter((g) => typeof g.min === 'number' && typeof g.max === 'number' && g.max > g.min);
  const label = t('b.g.axis', { list: ok.map((g) => g.key + ' ' + fmtNum(g.min) + '–' + fmtNum(g.max)).join(', ') });
  return h('figure', { class: 'chart axis', id: 'b-axis' }, svg('svg', { viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-label': label, preserveAspectRatio: 'none' },
    ok.map((g, i) => [svg('rect', { x: X(g.min), y: 6, width: Math.max(1, X(g.max) - X(g.min)), height: 24, fill: COLOURS[i % COLOURS.length], stroke: '#fff' }),
      svg('text', { x: (X(g.min) + X(g.max)) / 2, y: 23, 'text-anchor': 'middle', class: 'on-dark' }, g.key)]),
    [0, 20, 40, 60, 80, 100].map((v) => svg('text', { x: X(v), y: 48, 'text-anchor': v === 0 ? 'start' : v === 100 ? 'end' : 'middle' }, String(v)))));
}

export function gradesSection() {
  const gs = items('/grades');
  const keys = gs.map((g) => g.key).filter(Boolean);
  const lims = B.draft.distribution || [];
  return h('section', { class: 'card', id: 'b-grades', 'aria-labelledby': 'b-grades-h' }, h('h2', { id: 'b-grades-h' }, t('b.sec.grades')),
    h('div', { 'data-path': '/grades' }, axis(gs), h('div', { class: 'err' })),
    gs.length ? null : iconBtn(t('b.g.standard'), () => set('/grades', JSON.parse(JSON.stringify(STANDARD))), 'std-grades'),
    h('table', { id: 'b-grade-table' }, h('thead', {}, h('tr', {}, ['b.g.key', 'b.g.zh', 'b.g.en', 'b.g.min', 'b.g.max', 'col.actions'].map((k) => h('th', { scope: 'col' }, t(k))))),
      h('tbody', {}, gs.map((g, i) => {
        const p = '/grades/' + i;
        return h('tr', { 'data-key': 'grade-' + i, 'data-path': p }, h('td', {}, text(p + '/key', t('b.g.key'), { required: true, cls: 'inline' })),
          h('td', {}, text(p + '/name/zh', t('b.g.zh'), { required: true, cls: 'inline' })), h('td', {}, text(p + '/name/en', t('b.g.en'), { cls: 'inline' })),
          h('td', {}, num(p + '/min', t('b.g.min'), { min: 0, max: 100, required: true, cls: 'inline' })), h('td', {}, num(p + '/max', t('b.g.max'), { min: 0, max: 100, required: true, cls: 'inline' })),
          h('td', {}, itemTools('/grades', i, gs.length, g.key || String(i + 1))));
      }))),
    iconBtn(t('b.g.add'), () => push('/grades', { key: 'G' + (gs.length + 1), name: { zh: '新等级', en: 'New grade' }, min: 0, max: 10 }), 'add-grade'),
    h('h3', {}, t('b.d.title')), h('p', { class: 'muted small' }, t('b.d.hint')),
    h('div', { 'data-path': '/distribution' }, h('div', { class: 'err' }),
      lims.map((l, i) => {
        const p = '/distribution/' + i;
        const chosen = new Set(l.grades || []);
        return h('fieldset', { class: 'item', 'data-key': 'limit-' + i, 'data-path': p, id: 'limit-' + i }, h('legend', {}, t('b.d.n', { n: i + 1 })), h('div', { class: 'err' }),
          h('div', { class: 'field', 'data-path': p + '/grades' }, h('span', { class: 'label' }, t('b.d.grades')),
            h('div', { class: 'chips' }, keys.map((k) => h('label', { class: 'choice' }, h('input', { type: 'checkbox', checked: chosen.has(k),
              onchange: (e) => { const now = new Set(get(p + '/grades') || []); if (e.target.checked) now.add(k); else now.delete(k); set(p + '/grades', keys.filter((x) => now.has(x))); } }), k))),
            h('div', { class: 'err' })),
          h('div', { class: 'row' }, num(p + '/max', t('b.d.max'), { min: 0, max: 100 }), num(p + '/min', t('b.d.min'), { min: 0, max: 100 })),
          h('button', { type: 'button', class: 'danger secondary', onclick: () => del(p) }, t('b.remove')));
      })),
    iconBtn(t('b.d.add'), () => push('/distribution', { grades: keys.slice(0, 1), max: 10 }), 'add-limit'),
    historyBox());
}
