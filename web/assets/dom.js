// DOM building: h() and friends set text with textContent only, so no server
// string is ever parsed as HTML.
import { t } from './i18n.js';

export const $ = (sel, root = document) => root.querySelector(sel);
const PROPS = new Set(['value', 'checked', 'disabled', 'selected', 'hidden', 'required', 'readOnly', 'open']);
export function h(tag, attrs, ...kids) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, kids);
  if (tag === 'table') labelCells(el);
  return el;
}
// labelCells gives each body cell its column's heading as data-label: on a
// phone, app.css stacks a table's rows as cards and shows the label before
// each value, so no table is wider than the screen.
function labelCells(table) {
  const heads = table.tHead && table.tHead.rows[0] ? [...table.tHead.rows[0].cells] : [];
  if (!heads.length) return;
  const names = heads.flatMap((th) => Array(th.colSpan || 1).fill(th.textContent.trim()));
  for (const body of table.tBodies) {
    for (const row of body.rows) {
      let col = 0;
      for (const cell of row.cells) {
        if (names[col] && cell.tagName === 'TD') cell.setAttribute('data-label', names[col]);
        col += cell.colSpan || 1;
      }
    }
  }
}
function setAttrs(el, attrs) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') {
      el.addEventListener(k.slice(2), v);
      (el.listeners ||= []).push([k.slice(2), v]); // so patch can hand them on
    }
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
// patch makes el's children match kids in place: a node that matches (same
// tag and key) keeps its identity, so focus, selection and an opened
// <details> survive; only what differs changes. Timed refreshes use it, so
// a refresh never moves the reader. A key is an id or a data-key, -task or
// -member attribute; keyed rows may reorder.
export function patch(el, ...kids) {
  const active = document.activeElement;
  const next = el.cloneNode(false);
  append(next, kids);
  patchChildren(el, next);
  if (active && active !== document.activeElement && active.isConnected) active.focus({ preventScroll: true });
}
const keyOf = (n) => (n.nodeType === 1 ? n.id || n.getAttribute('data-key') || n.getAttribute('data-task') || n.getAttribute('data-member') || '' : '');
const same = (a, b) => a.nodeType === b.nodeType && a.nodeName === b.nodeName && keyOf(a) === keyOf(b);
function patchChildren(from, to) {
  const next = [...to.childNodes];
  next.forEach((n, i) => {
    const o = from.childNodes[i];
    if (o && same(o, n)) { patchNode(o, n); return; }
    const moved = keyOf(n) && [...from.childNodes].slice(i + 1).find((c) => same(c, n));
    if (moved) { from.insertBefore(moved, o); patchNode(moved, n); return; }
    from.insertBefore(n, o || null);
  });
  // An open <details> keeps what it built when opened (a result's breakdown).
  const keep = from.nodeName === 'DETAILS' && from.open;
  while (!keep && from.childNodes.length > next.length) from.lastChild.remove();
}
function patchNode(o, n) {
  if (o === n) return;
  if (o.nodeType !== 1) { if (o.nodeValue !== n.nodeValue) o.nodeValue = n.nodeValue; return; }
  // What the reader did stays: an opened <details>, the tabindex focusMain gave a heading.
  const mine = (a) => (a.name === 'open' && o.nodeName === 'DETAILS') || (a.name === 'tabindex' && o === document.activeElement);
  for (const a of [...o.attributes]) if (!n.hasAttribute(a.name) && !mine(a)) o.removeAttribute(a.name);
  for (const a of n.attributes) if (o.getAttribute(a.name) !== a.value) o.setAttribute(a.name, a.value);
  for (const [type, fn] of o.listeners || []) o.removeEventListener(type, fn);
  for (const [type, fn] of n.listeners || []) o.addEventListener(type, fn);
  o.listeners = n.listeners;
  if (o.onclick !== n.onclick) o.onclick = n.onclick;
  if (o !== document.activeElement) for (const p of ['value', 'checked', 'disabled']) if (p in n && o[p] !== n[p]) o[p] = n[p];
  if (o.style.cssText !== n.style.cssText) o.style.cssText = n.style.cssText;
  patchChildren(o, n);
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

// staleBanner is refreshEvery's banner: since is when the data on screen
// was fetched (null once fresh again), retry fetches now.
export function staleBanner(since, retry) {
  const old = $('#stale');
  if (!since) { if (old) old.remove(); return; }
  if (old) return;
  const time = since.toLocaleTimeString(document.documentElement.lang, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const btn = h('button', { type: 'button', class: 'secondary', id: 'stale-retry', onclick: () => { btn.disabled = true; Promise.resolve(retry()).finally(() => { btn.disabled = false; }); } }, t('stale.retry'));
  $('#main').prepend(h('div', { class: 'alert warn', role: 'status', id: 'stale' }, t('stale', { time }), ' ', btn));
}
// skeleton holds a screen's place while its data loads; focusMain, which
// every screen calls once drawn, takes it away.
export function skeleton() {
  return h('div', { class: 'skeleton', 'aria-hidden': 'true' }, h('div', { class: 'bone wide' }), h('div', { class: 'bone' }), h('div', { class: 'bone' }), h('div', { class: 'bone short' }));
}
export function focusMain() {
  const bones = $('#main > .skeleton');
  if (bones) bones.remove();
  $('#main').removeAttribute('aria-busy');
  const h1 = $('#main h1');
  if (h1) { h1.setAttribute('tabindex', '-1'); h1.focus({ preventScroll: true }); }
}
