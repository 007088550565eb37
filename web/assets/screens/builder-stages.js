// The builder's stages: a timeline of durations with reminders and
// escalations placed on it, and each stage's own settings (when,
// plan approval, progress reports, the calibration meeting, interviews).
import { h, svg } from '../dom.js';
import { fmtNum, t, txt } from '../i18n.js';
import { B, check, del, duration, get, iconBtn, itemTools, items, num, parseDur, push, sel, set, text } from './builder-fields.js';

const TYPES = ['goal', 'plan', 'execute', 'evaluate', 'calibrate', 'feedback', 'task', 'wait', 'notify'];
const ROLES = ['employee', 'manager', 'hrbp', 'admin'];
const N = (zh, en) => ({ zh, en });
// A new stage of each type, with what it needs to run.
const SEED = {
  goal: { name: N('目标设定', 'Goal setting'), duration: 'P3D' },
  plan: { name: N('工作计划', 'Work plan'), duration: 'P3D', approval: true, form: [{ key: 'plan', type: 'textarea', label: N('本期计划', 'Plan for the period'), required: true }] },
  execute: { name: N('执行与监控', 'Execute and monitor'), deadline: { from: 'periodEnd', offset: 'P0D' } },
  evaluate: { name: N('自评与上级评价', 'Self and manager evaluation'), duration: 'P3D', reminders: { before: ['P1D'] }, escalation: { after: 'P1D', to: 'manager' } },
  calibrate: { name: N('校准会', 'Calibration meeting'), duration: 'P2D', meeting: { within: 'P1D', duration: 'PT1H', facilitator: 'hrbp' } },
  feedback: { name: N('绩效面谈', 'Feedback interviews'), duration: 'P3D', interview: { within: 'P2D', duration: 'PT30M' }, appealWindow: 'P3D' },
  task: { name: N('表单任务', 'Form task'), duration: 'P2D', assignee: 'employee', form: [{ key: 'notes', type: 'textarea', label: N('内容', 'Notes'), required: true }] },
  wait: { name: N('等待', 'Wait'), duration: 'P1D' },
  notify: { name: N('通知', 'Notice'), recipients: 'employee', message: N('请查看本期结果。', 'Please read this period\'s results.') },
};
const PERIOD_DAYS = { monthly: 30, quarterly: 91, annual: 365 };
const STAGE_NAMES = ['period', 'month', 'quarter', 'quarterEnd', 'yearEnd', 'members'];

// lengthOf is a stage's nominal length in minutes: its duration, or for a
// deadline at the period's end, the period (the engine's real dates come
// from the launch preview).
function lengthOf(s) {
  if (s.duration) return parseDur(s.duration) || 0;
  if (s.deadline) return (s.deadline.from === 'periodEnd' ? PERIOD_DAYS[B.draft.period] || 30 : 0) * 1440 + (parseDur(s.deadline.offset) || 0);
  return 0;
}
const days = (m) => fmtNum(m / 1440, 1);

// timeline lays the stages end to end with reminders before each deadline,
// overdue reminders and escalations after it.
function timeline(stages) {
  const spans = [];
  let at = 0;
  for (const s of stages) { const len = lengthOf(s); spans.push([at, len, s]); at += len; }
  const W = 640, rowH = 30, T = 6, L = 6, R = 6;
  const span = Math.max(at, 1440) * 1.08;
  const X = (m) => L + (m / span) * (W - L - R);
  const H = T + stages.length * rowH + 22;
  const words = [];
  const shapes = spans.map(([from, len, s], i) => {
    const y = T + i * rowH;
    const due = from + len;
    const r = s.reminders || {};
    const marks = [];
    for (const b of r.before || []) { const d = parseDur(b); if (d != null && d < len) { marks.push(svg('path', { d: 'M' + X(due - d) + ',' + (y + 2) + 'l-4,-6h8z', class: 'remind' })); } }
    const every = parseDur(r.overdueEvery);
    for (let k = 1; every && k <= (r.overdueMax || 0); k++) marks.push(svg('path', { d: 'M' + X(due + k * every) + ',' + (y + 2) + 'l-4,-6h8z', class: 'overdue' }));
    const esc = s.escalation && parseDur(s.escalation.after);
    if (esc != null && s.escalation) marks.push(svg('rect', { x: X(due + esc) - 4, y: y + 6, width: 8, height: 8, class: 'escalate', transform: 'rotate(45 ' + X(due + esc) + ' ' + (y + 10) + ')' }));
    words.push(t('b.tl.stage', { name: txt(s.name, s.key), from: days(from), to: days(due) }) + ((r.before || []).length ? ' ' + t('b.tl.reminders', { n: (r.before || []).length }) : '') + (s.escalation ? ' ' + t('b.tl.escalates', { d: s.escalation.after, to: t('b.role.' + s.escalation.to) }) : ''));
    return [svg('rect', { x: X(from), y: y + 6, width: Math.max(2, X(due) - X(from)), height: rowH - 12, rx: 3, class: 'bar' + (s.when ? ' cond' : '') }),
      label(i, s, X(from), X(due), y + rowH / 2 + 4, W), marks];
  });
  const ticks = [];
  for (let d = 0; d * 1440 <= span; d += Math.max(1, Math.ceil(span / 1440 / 8))) ticks.push(svg('text', { x: X(d * 1440), y: H - 6, 'text-anchor': d ? 'middle' : 'start' }, t('b.tl.day', { n: d })));
  return h('figure', { class: 'chart timeline', id: 'b-timeline' },
    svg('svg', { viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-label': t('b.tl.label', { total: days(at) }) + ' ' + words.join('; ') }, shapes, ticks),
    h('figcaption', { class: 'muted small' }, t('b.tl.legend', { total: days(at) })));
}

// label names a bar inside it when it fits, else beside it (after, or before near the end).
function label(i, s, x0, x1, y, W) {
  const words = (i + 1) + ' ' + txt(s.name, s.key);
  const need = words.length * 7 + 8;
  if (x1 - x0 >= need) return svg('text', { x: x0 + 4, y, class: 'on-dark' }, words);
  if (x1 + need + 14 < W) return svg('text', { x: x1 + 14, y, class: 'label' }, words);
  return svg('text', { x: x0 - 4, y, 'text-anchor': 'end', class: 'label' }, words);
}

function reminders(p) {
  const rp = p + '/reminders';
  const before = get(rp + '/before') || [];
  return h('fieldset', { class: 'sub', 'data-path': rp }, h('legend', {}, t('b.s.reminders')), h('div', { class: 'err' }),
    before.map((b, j) => h('div', { class: 'row', 'data-key': 'rem-' + j }, duration(rp + '/before/' + j, t('b.s.before', { n: j + 1 }), { unit: 'D' }),
      h('div', { class: 'field' }, h('button', { type: 'button', class: 'danger secondary', onclick: () => { del(rp + '/before/' + j); if (!(get(rp + '/before') || []).length) del(rp + '/before'); } }, t('b.remove'))))),
    iconBtn(t('b.s.addBefore'), () => push(rp + '/before', 'P1D'), 'add-reminder'),
    h('div', { class: 'row' }, duration(rp + '/overdueEvery', t('b.s.overdueEvery'), { unit: 'D' }), num(rp + '/overdueMax', t('b.s.overdueMax'), { min: 0, step: 1, int: true })));
}

function stageCard(s, i, n) {
  const p = '/stages/' + i;
  const name = txt(s.name, s.key) || t('b.s.n', { n: i + 1 });
  const human = ['plan', 'evaluate', 'calibrate', 'feedback', 'task', 'goal'].includes(s.type);
  const byDeadline = !!s.deadline;
  return h('fieldset', { class: 'item stage', id: 'stage-' + i, 'data-key': 'stage-' + i, 'data-path': p, 'data-type': s.type }, h('legend', {}, (i + 1) + '. ' + name + ' · ' + t('b.type.' + s.type)), h('div', { class: 'err' }),
    h('div', { class: 'row' }, text(p + '/key', t('b.s.key'), { required: true, code: true }), sel(p + '/type', t('b.s.type'), TYPES.map((x) => [x, t('b.type.' + x)]), { required: true })),
    h('div', { class: 'row' }, text(p + '/name/zh', t('b.s.name') + ' · 中文', { required: true }), text(p + '/name/en', t('b.s.name') + ' · English')),
    h('div', { class: 'row' },
      h('div', { class: 'field' }, h('label', { for: 'timing-' + i }, t('b.s.timing')), h('select', { id: 'timing-' + i, onchange: (e) => switchTiming(s, e.target.value) },
        h('option', { value: 'duration', selected: !byDeadline }, t('b.s.byDuration')), h('option', { value: 'deadline', selected: byDeadline }, t('b.s.byDeadline')))),
      byDeadline ? [sel(p + '/deadline/from', t('b.s.from'), [['periodStart', t('b.s.periodStart')], ['periodEnd', t('b.s.periodEnd')]], { required: true }), duration(p + '/deadline/offset', t('b.s.offset'), { required: true })]
        : duration(p + '/duration', t('b.s.duration'), { hint: human ? t('b.s.durationHint') : null })),
    text(p + '/when', t('b.s.when'), { code: true, list: 'names-stage', hint: t('b.s.whenHint') }),
    s.type === 'plan' ? check(p + '/approval', t('b.s.approval')) : null,
    s.type === 'task' ? sel(p + '/assignee', t('b.s.assignee'), ROLES.map((r) => [r, t('b.role.' + r)]), { required: true }) : null,
    s.type === 'notify' ? [sel(p + '/recipients', t('b.s.recipients'), ROLES.map((r) => [r, t('b.role.' + r)]), { required: true }), text(p + '/message/zh', t('b.s.message') + ' · 中文'), text(p + '/message/en', t('b.s.message') + ' · English')] : null,
    s.type === 'execute' ? reports(p, s) : null,
    s.type === 'calibrate' ? slot(p + '/meeting', t('b.s.meeting'), s.meeting, { within: 'P1D', duration: 'PT1H', facilitator: 'hrbp' }, true) : null,
    s.type === 'feedback' ? [slot(p + '/interview', t('b.s.interview'), s.interview, { within: 'P2D', duration: 'PT30M' }), duration(p + '/appealWindow', t('b.s.appeal'))] : null,
    human || s.type === 'wait' ? reminders(p) : null,
    human ? h('fieldset', { class: 'sub', 'data-path': p + '/escalation' }, h('legend', {}, t('b.s.escalation')), h('div', { class: 'err' }),
      s.escalation ? h('div', { class: 'row' }, duration(p + '/escalation/after', t('b.s.escAfter'), { required: true }), sel(p + '/escalation/to', t('b.s.escTo'), ROLES.map((r) => [r, t('b.role.' + r)]), { required: true }),
        h('div', { class: 'field' }, h('button', { type: 'button', class: 'danger secondary', onclick: () => del(p + '/escalation') }, t('b.remove'))))
        : iconBtn(t('b.s.addEscalation'), () => set(p + '/escalation', { after: 'P1D', to: 'manager' }), 'add-escalation')) : null,
    itemTools('/stages', i, n, name));
}
// The timing select is not part of the template: it picks duration or deadline.
function switchTiming(s, v) {
  if (v === 'deadline' && !s.deadline) { s.deadline = { from: 'periodEnd', offset: 'P0D' }; delete s.duration; }
  if (v === 'duration' && s.deadline) { delete s.deadline; s.duration = 'P3D'; }
  set('/stages', B.draft.stages);
}
function reports(p, s) {
  const rp = p + '/reports';
  if (!s.reports) return iconBtn(t('b.s.addReports'), () => set(rp, { every: 'P7D', dueIn: 'P2D', form: [{ key: 'actions', type: 'textarea', label: N('本期关键动作', 'Key actions this round'), required: true }] }), 'add-reports');
  return h('fieldset', { class: 'sub', 'data-path': rp }, h('legend', {}, t('b.s.reports')), h('div', { class: 'err' }),
    h('div', { class: 'row' }, duration(rp + '/every', t('b.s.every'), { required: true }), duration(rp + '/dueIn', t('b.s.dueIn'))),
    h('button', { type: 'button', class: 'danger secondary', onclick: () => del(rp) }, t('b.remove')));
}
function slot(p, label, v, seed, facilitator) {
  if (!v) return iconBtn(t('b.s.add', { what: label }), () => set(p, { ...seed }), 'add-slot');
  return h('fieldset', { class: 'sub', 'data-path': p }, h('legend', {}, label), h('div', { class: 'err' }),
    h('div', { class: 'row' }, duration(p + '/within', t('b.s.within'), { required: true, unit: 'D' }), duration(p + '/duration', t('b.s.length'), { required: true, unit: 'M' }),
      text(p + '/workdayStart', t('b.s.dayStart'), { placeholder: '09:00' }), text(p + '/workdayEnd', t('b.s.dayEnd'), { placeholder: '18:00' }),
      facilitator ? sel(p + '/facilitator', t('b.s.facilitator'), ROLES.map((r) => [r, t('b.role.' + r)]), { none: t('b.role.hrbp') }) : null),
    h('button', { type: 'button', class: 'danger secondary', onclick: () => del(p) }, t('b.remove')));
}

let newType = 'evaluate';
export function stagesSection() {
  const ss = items('/stages');
  const typeSel = h('select', { id: 'b-stage-type', onchange: (e) => { newType = e.target.value; } }, TYPES.map((x) => h('option', { value: x, selected: x === newType }, t('b.type.' + x))));
  const add = () => {
    const keys = new Set(ss.map((x) => x.key));
    let key = newType;
    for (let n = 2; keys.has(key); n++) key = newType + n;
    push('/stages', { key, type: newType, ...JSON.parse(JSON.stringify(SEED[newType])) });
  };
  return h('section', { class: 'card', id: 'b-stages', 'aria-labelledby': 'b-stages-h' }, h('h2', { id: 'b-stages-h' }, t('b.sec.stages')),
    h('div', { 'data-path': '/stages' }, ss.length ? timeline(ss) : h('p', { class: 'muted' }, t('b.s.none')), h('div', { class: 'err' })),
    h('datalist', { id: 'names-stage' }, STAGE_NAMES.map((x) => h('option', { value: x }))),
    ss.map((s, i) => stageCard(s, i, ss.length)),
    h('div', { class: 'row' }, h('div', { class: 'field' }, h('label', { for: 'b-stage-type' }, t('b.s.newType')), typeSel),
      h('div', { class: 'field' }, h('button', { type: 'button', id: 'b-stage-add', onclick: add }, t('b.s.addStage')))));
}
