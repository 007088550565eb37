// DOM building: h() and friends set text with textContent only, so no server
// string is ever parsed as HTML.
import { t } from './i18n.js';

export const $ = (sel, root = document) => root.querySelector(sel);
const PROPS = new Set(['value', 'checked', 'disabled', 'selected', 'hidden', 'required', 'readOnly', 'open']);
export function h(tag, attrs, ...kids) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, kids);
  return el;
}
function setAttrs(el, attrs) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.setAttribute('class', v);
    else if (k === 'text') el.textContent = v;
    else if (PROPS.has(k)) el[k] = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
}
export function append(el, kids) {
  for (const k of kids.flat(Infinity)) {
    if (k == null || k === false) continue;
    el.append(k instanceof Node ? k : document.createTextNode(String(k)));
  }
}
// fill replaces an element's children; null and false children are skipped.
export function fill(el, ...kids) {
  el.replaceChildren();
  append(el, kids);
}
export function svg(tag, attrs, ...kids) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, v);
  append(el, kids);
  return el;
}
export const badge = (state, label) => h('span', { class: 'badge ' + state }, label || t('state.' + state));
export const idFor = (path) => 'f' + (path || '-root').replace(/[^a-zA-Z0-9_]+/g, '-');
export function toast(msg) {
  const el = $('#toast');
  el.textContent = msg;
  el.classList.add('show');
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => el.classList.remove('show'), 2500);
}
export function alertBox(kind, msg, extra) {
  return h('div', { class: 'alert ' + kind, role: kind === 'bad' ? 'alert' : 'status' }, msg, extra || null);
}

export function focusMain() {
  const h1 = $('#main h1');
  if (h1) { h1.setAttribute('tabindex', '-1'); h1.focus({ preventScroll: true }); }
}
