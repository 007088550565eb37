// Task forms: one renderer, one validator and one collector for every form
// spec.
import { alertBox, fill, h, idFor } from './dom.js';
import { t, txt } from './i18n.js';
import { ptrEsc, ptrGet, ptrSet } from './pointer.js';

// Each form is a list of field specs {path, type, label, required, min,
// max, maxLength, options, hint}; one renderer, one validator and one
// collector serve every task kind, mirroring cycles.CheckForm.
export function fieldsFor(task, form, tpl, members) {
  const comment = { path: '/comment', type: 'textarea', label: t('task.comment'), maxLength: 4000 };
  switch (task.kind) {
    case 'self_eval': case 'manager_eval': case 'peer_eval': case 'cross_eval': {
      const scale = form.scale || { min: 0, max: 100 };
      const names = new Map((tpl.indicators || []).map((i) => [i.key, txt(i.name, i.key)]));
      return [...(form.indicators || []).map((k) => ({ path: '/scores/' + ptrEsc(k), type: 'number', label: names.get(k) || k, required: true, min: scale.min, max: scale.max, hint: t('task.scale', scale), step: 'any' })), comment];
    }
    case 'acknowledge':
      return [{ path: '/decision', type: 'radio', label: t('task.decision'), required: true, options: [{ value: 'acknowledge', label: t('task.acknowledge') }, { value: 'appeal', label: t('task.appeal') }] },
        { ...comment, hint: t('task.appealHint'), requiredWhen: (b) => b.decision === 'appeal', requiredMsg: t('v.appeal') }];
    case 'plan_approval':
      return [{ path: '/approved', type: 'radio', label: t('task.approved'), required: true, options: [{ value: true, label: t('yes') }, { value: false, label: t('no') }] },
        { ...comment, hint: t('task.approveHint'), requiredWhen: (b) => b.approved === false, requiredMsg: t('v.sendBack') }];
    case 'idp_review':
      return [{ path: '/outcome', type: 'radio', label: t('task.outcome'), required: true, options: ['completed', 'extended', 'not_completed'].map((v) => ({ value: v, label: t('outcome.' + v) })) }, comment];
    case 'confirm_targets':
      return [{ path: '/confirmed', type: 'boolean', label: t('task.confirmed') }, comment];
  }
  return (form.form || []).map((f) => ({
    path: '/' + ptrEsc(f.key), type: f.type || 'text', label: txt(f.label, f.key), required: !!f.required, min: f.min, max: f.max,
    maxLength: f.maxLength || (['text', 'textarea', 'date'].includes(f.type || 'text') ? 10000 : undefined),
    options: (f.options || []).map((o) => ({ value: o.value, label: txt(o.label, o.value) })),
  }));
}
// A field's element id: its own (f.id, when a page shows the same form
// several times, as the team grid does) or one made from its path.
export const fieldId = (f) => f.id || idFor(f.path);
export function renderField(f, onInput) {
  const id = fieldId(f);
  const errId = id + '-err';
  const hintId = id + '-hint';
  const describedBy = [f.hint ? hintId : null, errId].filter(Boolean).join(' ');
  const common = { id, name: f.path, 'aria-describedby': describedBy, oninput: onInput, onchange: onInput };
  const hint = f.hint ? h('p', { class: 'hint', id: hintId }, f.hint) : null;
  const err = h('div', { class: 'err', id: errId });
  const reqMark = f.required ? h('span', { 'aria-hidden': 'true' }, ' *') : null;
  let control;
  if (f.type === 'radio') {
    return h('fieldset', { class: 'field', 'data-path': f.path, 'aria-describedby': describedBy },
      h('legend', {}, f.label, reqMark),
      f.options.map((o, i) => h('label', { class: 'choice' },
        h('input', { type: 'radio', name: f.path, id: id + '-' + i, value: JSON.stringify(o.value), required: f.required, onchange: onInput }), o.label)),
      hint, err);
  }
  if (f.type === 'boolean') {
    return h('div', { class: 'field', 'data-path': f.path },
      h('label', { class: 'choice' }, h('input', { ...common, type: 'checkbox' }), f.label), hint, err);
  }
  switch (f.type) {
    case 'textarea': control = h('textarea', { ...common, maxlength: f.maxLength, required: f.required, rows: 4 }); break;
    case 'number': case 'rating':
      control = h('input', { ...common, type: 'number', inputmode: 'decimal', min: f.min, max: f.max, step: f.step || 'any', required: f.required }); break;
    case 'select':
      control = h('select', { ...common, required: f.required }, h('option', { value: '' }, t('choose')), f.options.map((o) => h('option', { value: o.value }, o.label))); break;
    case 'date': control = h('input', { ...common, type: 'date', required: f.required }); break;
    default: control = h('input', { ...common, type: 'text', maxlength: f.maxLength, required: f.required });
  }
  return h('div', { class: 'field', 'data-path': f.path }, h('label', { for: id }, f.label, reqMark), control, hint, err);
}
function readField(root, f) {
  const id = fieldId(f);
  if (f.type === 'radio') {
    const on = root.querySelector('input[name="' + CSS.escape(f.path) + '"]:checked');
    return on ? JSON.parse(on.value) : undefined;
  }
  const el = root.querySelector('#' + id);
  if (!el) return undefined;
  if (f.type === 'boolean') return el.checked;
  if (f.type === 'number' || f.type === 'rating') {
    if (el.value === '') return el.validity && el.validity.badInput ? NaN : undefined;
    return Number(el.value);
  }
  return el.value === '' ? undefined : el.value;
}
export function writeField(root, f, v) {
  if (v === undefined) return;
  if (f.type === 'radio') {
    root.querySelectorAll('input[name="' + CSS.escape(f.path) + '"]').forEach((r) => { r.checked = r.value === JSON.stringify(v); });
    return;
  }
  const el = root.querySelector('#' + fieldId(f));
  if (!el) return;
  if (f.type === 'boolean') el.checked = !!v; else el.value = v == null ? '' : String(v);
}
export function collect(root, fields) {
  const body = {};
  for (const f of fields) {
    const v = readField(root, f);
    if (v !== undefined) ptrSet(body, f.path, v);
  }
  for (const f of fields) if (f.path.startsWith('/scores/') && body.scores === undefined) body.scores = {};
  return body;
}
export function validate(body, fields) {
  const errs = [];
  for (const f of fields) {
    const v = ptrGet(body, f.path);
    const required = f.required || (f.requiredWhen && f.requiredWhen(body));
    const empty = v === undefined || (typeof v === 'string' && v.trim() === '');
    if (empty) { if (required) errs.push({ path: f.path, message: f.requiredMsg || t('v.required') }); continue; }
    if (f.type === 'number' || f.type === 'rating') {
      if (typeof v !== 'number' || isNaN(v)) errs.push({ path: f.path, message: t('v.number') });
      else if (f.min != null && v < f.min) errs.push({ path: f.path, message: t('v.min', { min: f.min }) });
      else if (f.max != null && v > f.max) errs.push({ path: f.path, message: t('v.max', { max: f.max }) });
    } else if (typeof v === 'string' && f.maxLength && [...v].length > f.maxLength) {
      errs.push({ path: f.path, message: t('v.maxLength', { n: f.maxLength }) });
    }
  }
  return errs;
}
// showErrors puts each error next to its field (by JSON pointer, or the
// nearest enclosing field) and lists them all in the form's general box,
// each linking to its field, so a reader who lands on the summary can get
// to every problem.
export function showErrors(root, errs, general) {
  root.querySelectorAll('.field > .err, .mcard .err').forEach((e) => { e.textContent = ''; });
  root.querySelectorAll('[aria-invalid]').forEach((e) => e.removeAttribute('aria-invalid'));
  fill(general);
  const items = [];
  let first = null;
  for (const e of errs) {
    let p = e.path || '';
    let wrap = null;
    while (true) {
      wrap = root.querySelector('[data-path="' + CSS.escape(p) + '"]');
      if (wrap || !p) break;
      p = p.slice(0, p.lastIndexOf('/'));
    }
    if (!wrap) { items.push(h('li', {}, (e.path ? e.path + ': ' : '') + e.message)); continue; }
    const box = wrap.querySelector('.err');
    box.textContent = (box.textContent ? box.textContent + ' ' : '') + e.message;
    const ctl = wrap.matches('input,select,textarea') ? wrap : wrap.querySelector('input,select,textarea');
    if (ctl) { ctl.setAttribute('aria-invalid', 'true'); first = first || ctl; }
    items.push(h('li', {}, ctl && ctl.id ? fieldLink(ctl, wrap, e) : (e.path ? e.path + ': ' : '') + e.message));
  }
  if (errs.length) general.append(alertBox('bad', t('task.fix'), h('ul', { class: 'summary' }, items)));
  if (first) first.focus();
  else if (errs.length) general.querySelector('.alert')?.focus?.();
}
// fieldLink names a field by its label and moves focus to it; the route
// lives in the hash, so the link must not change it.
function fieldLink(ctl, wrap, e) {
  const label = (ctl.labels && ctl.labels[0] ? ctl.labels[0].textContent : '') || ctl.getAttribute('aria-label') || (wrap.querySelector('legend, .label') || {}).textContent || e.path;
  return h('a', { href: '#' + ctl.id, onclick: (ev) => { ev.preventDefault(); ctl.focus(); ctl.scrollIntoView({ block: 'center' }); } }, label.trim() + ': ' + e.message);
}

// planList shows a submitted plan field by field, labelled as its form says.
export function planList(plan) {
  const data = plan.data || {};
  const form = plan.form || [];
  const keys = form.length ? form.map((f) => f.key) : Object.keys(data);
  return h('dl', { class: 'kv' }, keys.map((k) => {
    const f = form.find((x) => x.key === k);
    const v = data[k];
    return [h('dt', {}, f ? txt(f.label, k) : k), h('dd', { class: 'pre' }, v == null || v === '' ? '—' : String(v))];
  }));
}
