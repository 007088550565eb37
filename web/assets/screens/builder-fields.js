// The template builder's fields: each control reads and writes one JSON
// pointer of the draft in place, so whatever the builder does not know
// (unknown fields, blocks it has no form for) stays as it was written.
import { h, idFor } from '../dom.js';
import { fmtNum, t } from '../i18n.js';
import { ptrEsc, ptrGet, ptrSet } from '../pointer.js';
import { localiseError } from './builder.i18n.js';

// B is the builder's state: the draft, the last validation answer, and
// changed(), which redraws and schedules a check.
export const B = { draft: {}, errors: [], effective: [], changed: () => {} };
export const get = (p) => ptrGet(B.draft, p);
export const set = (p, v) => { ptrSet(B.draft, p, v); B.changed(); };
export function del(p) {
  const i = p.lastIndexOf('/');
  const parent = ptrGet(B.draft, p.slice(0, i));
  const k = p.slice(i + 1).replace(/~1/g, '/').replace(/~0/g, '~');
  if (Array.isArray(parent)) parent.splice(Number(k), 1); else if (parent && typeof parent === 'object') delete parent[k];
  B.changed();
}
// list returns the array at p, creating it when absent. Something else
// written there is the author's to fix in JSON: the builder never replaces it.
export function list(p) {
  let a = get(p);
  if (a === undefined || a === null) { a = []; ptrSet(B.draft, p, a); }
  if (!Array.isArray(a)) throw new Shape(p);
  return a;
}
// Shape is a part of the draft the builder cannot show as a form.
export class Shape extends Error { constructor(p) { super(p); this.path = p; } }
// guarded draws a section, or, when the draft's shape there is not what
// the builder edits, says so and leaves the JSON as it is.
export function guarded(id, title, draw) {
  try { return draw(); } catch (e) {
    // A fault of the builder's own, not of the draft's shape, must not pass for one.
    if (!(e instanceof Shape)) console.error(e);
    return h('section', { class: 'card', id, 'aria-label': title }, h('h2', {}, title),
      h('div', { class: 'alert warn', role: 'status' }, t('b.shape', { path: e.path || '' })));
  }
}
export const push = (p, item) => { list(p).push(item); B.changed(); };
// items are a list's entries the builder can show: objects (others are left to the JSON view).
export const objects = (a) => a.every((x) => x && typeof x === 'object' && !Array.isArray(x));
export function items(p) { const a = list(p); if (!objects(a)) throw new Shape(p); return a; }
export function move(p, i, by) {
  const a = list(p);
  const j = i + by;
  if (j < 0 || j >= a.length) return;
  [a[i], a[j]] = [a[j], a[i]];
  B.changed();
}
export const join = (p, ...keys) => p + keys.map((k) => '/' + ptrEsc(k)).join('');

// wrap is one field: label, control, hint and the box its errors go in.
function wrap(p, label, control, hint, cls) {
  const id = control.id;
  return h('div', { class: 'field' + (cls ? ' ' + cls : ''), 'data-path': p },
    label ? h('label', { for: id }, label) : null, control,
    hint ? h('p', { class: 'hint', id: id + '-hint' }, hint) : null, h('div', { class: 'err', id: id + '-err' }));
}
const described = (id, hint) => (hint ? id + '-hint ' : '') + id + '-err';
export const numOf = (s) => (s.trim() === '' ? undefined : Number(s));

// num edits a number; empty removes an optional one.
export function num(p, label, o = {}) {
  const id = o.id || idFor(p);
  const v = get(p);
  const el = h('input', { id, type: 'number', inputmode: 'decimal', step: o.step || 'any', min: o.min, max: o.max, placeholder: o.placeholder, value: v == null ? '' : String(v), 'aria-describedby': described(id, o.hint),
    oninput: (e) => { const n = numOf(e.target.value); if (n === undefined) { if (o.required) return; del(p); } else if (!isNaN(n)) set(p, o.int ? Math.round(n) : n); } });
  return wrap(p, label, el, o.hint, o.cls);
}
// text edits a string; empty removes an optional one.
export function text(p, label, o = {}) {
  const id = o.id || idFor(p);
  const v = get(p);
  const el = h('input', { id, type: 'text', value: v == null ? '' : String(v), list: o.list, placeholder: o.placeholder, spellcheck: o.code ? 'false' : null, autocomplete: 'off', 'aria-describedby': described(id, o.hint),
    oninput: (e) => { const s = e.target.value; if (s === '' && !o.required) del(p); else set(p, s); } });
  return wrap(p, label, el, o.hint, o.cls);
}
// sel picks one of options [[value, label]]; '' removes an optional one.
export function sel(p, label, options, o = {}) {
  const id = o.id || idFor(p);
  const v = get(p) ?? '';
  const el = h('select', { id, 'aria-describedby': described(id, o.hint),
    onchange: (e) => { const s = e.target.value; if (s === '' && !o.required) del(p); else set(p, o.number ? Number(s) : s); if (o.then) o.then(s); } },
    o.required ? null : h('option', { value: '', selected: v === '' }, o.none || t('b.default')),
    options.map(([val, lab]) => h('option', { value: val, selected: String(val) === String(v) }, lab)));
  return wrap(p, label, el, o.hint, o.cls);
}
// check edits a boolean written only when true (the DSL's omitempty).
export function check(p, label, o = {}) {
  const id = o.id || idFor(p);
  const el = h('input', { id, type: 'checkbox', checked: !!get(p), 'aria-describedby': id + '-err',
    onchange: (e) => { if (e.target.checked) set(p, true); else del(p); } });
  return h('div', { class: 'field', 'data-path': p }, h('label', { class: 'choice' }, el, label), h('div', { class: 'err', id: id + '-err' }));
}
// bilingual edits a {zh, en} text.
export function bilingual(p, label, o = {}) {
  const base = get(p);
  if (base === undefined || base === null) ptrSet(B.draft, p, { zh: '' });
  else if (typeof base !== 'object' || Array.isArray(base)) throw new Shape(p);
  return h('div', { class: 'row pair', 'data-path': p },
    text(p + '/zh', label + ' · 中文', { required: true, cls: o.cls }), text(p + '/en', label + ' · English', { cls: o.cls }));
}
// range pairs a slider with a number box for a 0–100 weight.
export function weight(p, label, o = {}) {
  const id = idFor(p);
  const v = get(p);
  const setW = (s) => { const n = numOf(s); if (n !== undefined && !isNaN(n)) set(p, n); };
  const box = h('input', { id, type: 'number', inputmode: 'decimal', min: 0, max: 100, step: 'any', value: v == null ? '' : String(v), class: 'wnum', 'aria-describedby': id + '-err', oninput: (e) => setW(e.target.value) });
  const slider = h('input', { id: id + '-range', type: 'range', min: 0, max: 100, step: 1, value: String(v || 0), 'aria-label': label + (o.suffix || ''), oninput: (e) => setW(e.target.value) });
  return h('div', { class: 'field weight', 'data-path': p }, h('label', { for: id }, label), h('div', { class: 'wrow' }, slider, box, h('span', { 'aria-hidden': 'true' }, '%')), h('div', { class: 'err', id: id + '-err' }));
}
// total says whether weights reach 100, live.
export function total(id, sum, label) {
  const ok = Math.abs(sum - 100) < 1e-6;
  return h('p', { id, class: 'total ' + (ok ? 'ok' : 'bad'), role: 'status' },
    h('strong', {}, label + ' ' + fmtNum(sum, 2) + ' / 100'), ' ', ok ? t('b.total.ok') : sum < 100 ? t('b.total.add', { n: fmtNum(100 - sum, 2) }) : t('b.total.remove', { n: fmtNum(sum - 100, 2) }));
}

// Durations: the DSL writes ISO 8601 (P3D, PT2H); people pick a number and a unit.
const UNITS = [['D', 'b.unit.days'], ['H', 'b.unit.hours'], ['M', 'b.unit.minutes']];
export function parseDur(s) {
  const m = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(s || '');
  if (!m || s === 'P' || s === 'PT') return null;
  const [w, d, hh, mm, ss] = m.slice(1).map((x) => Number(x || 0));
  return ((w * 7 + d) * 24 + hh) * 60 + mm + ss / 60; // minutes
}
const simple = (s) => { const m = /^P(\d+)D$/.exec(s) || /^PT(\d+)([HM])$/.exec(s); return m ? [Number(m[1]), m[2] || 'D'] : null; };
const durOf = (n, u) => (u === 'D' ? 'P' + n + 'D' : 'PT' + n + u);
export function duration(p, label, o = {}) {
  const id = idFor(p);
  const v = get(p) || '';
  const parts = v ? simple(v) : [null, o.unit || 'D'];
  if (!parts) return text(p, label, { ...o, code: true, hint: o.hint || t('b.isoHint') });
  const [n, u] = parts;
  const unit = h('select', { id: id + '-unit', 'aria-label': label + ' · ' + t('b.unit'),
    onchange: (e) => { const k = numOf(document.getElementById(id).value); if (k !== undefined && !isNaN(k)) set(p, durOf(k, e.target.value)); else B.changed(); } },
  UNITS.map(([k, key]) => h('option', { value: k, selected: k === u }, t(key))));
  const box = h('input', { id, type: 'number', inputmode: 'numeric', min: 0, step: 1, value: n == null ? '' : String(n), 'aria-describedby': described(id, o.hint),
    oninput: (e) => { const k = numOf(e.target.value); if (k === undefined) { if (!o.required) del(p); } else if (Number.isInteger(k) && k >= 0) set(p, durOf(k, unit.value)); } });
  return h('div', { class: 'field dur', 'data-path': p }, h('label', { for: id }, label), h('div', { class: 'wrow' }, box, unit),
    o.hint ? h('p', { class: 'hint', id: id + '-hint' }, o.hint) : null, h('div', { class: 'err', id: id + '-err' }));
}

export const iconBtn = (label, onclick, cls) => h('button', { type: 'button', class: 'secondary ' + (cls || ''), onclick }, label);
// itemTools moves and removes item i of the list at p.
export function itemTools(p, i, n, name) {
  return h('div', { class: 'tools' },
    i > 0 ? iconBtn(t('b.up'), () => move(p, i, -1), 'up') : null,
    i < n - 1 ? iconBtn(t('b.down'), () => move(p, i, 1), 'down') : null,
    h('button', { type: 'button', class: 'danger secondary remove', 'aria-label': t('b.removeNamed', { name }), onclick: () => del(p + '/' + i) }, t('b.remove')));
}

// applyErrors puts each validation error at the nearest field of its path
// (the API's JSON pointer), in the reader's language; it returns the errors
// no field holds, for the summary to name.
export function applyErrors(root, errs) {
  root.querySelectorAll('.field > .err, .pair-err').forEach((e) => { e.textContent = ''; });
  root.querySelectorAll('[aria-invalid]').forEach((e) => e.removeAttribute('aria-invalid'));
  root.querySelectorAll('[data-err-count]').forEach((e) => { e.removeAttribute('data-err-count'); });
  const loose = [];
  for (const e of errs) {
    let p = e.path || '';
    let at = null;
    while (true) {
      at = root.querySelector('[data-path="' + CSS.escape(p) + '"]');
      if (at || !p) break;
      p = p.slice(0, p.lastIndexOf('/'));
    }
    const box = at && (at.querySelector(':scope > .err') || at.querySelector('.err'));
    if (!box) { loose.push(e); continue; }
    box.textContent = (box.textContent ? box.textContent + ' ' : '') + localiseError(e);
    const ctl = at.matches('input,select,textarea') ? at : at.querySelector('input,select,textarea');
    if (ctl) ctl.setAttribute('aria-invalid', 'true');
    e.field = ctl;
  }
  return loose;
}
