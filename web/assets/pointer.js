// JSON pointers, and where each one sits in a JSON text, so errors name a
// line.
import { t } from './i18n.js';

export const ptrEsc = (k) => String(k).replace(/~/g, '~0').replace(/\//g, '~1');
function ptrSplit(p) { return p ? p.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~')) : []; }
export function ptrGet(obj, p) {
  let o = obj;
  for (const k of ptrSplit(p)) { if (o == null || typeof o !== 'object') return undefined; o = o[k]; }
  return o;
}
export function ptrSet(obj, p, v) {
  const ks = ptrSplit(p);
  let o = obj;
  ks.slice(0, -1).forEach((k) => { if (typeof o[k] !== 'object' || o[k] === null) o[k] = {}; o = o[k]; });
  o[ks[ks.length - 1]] = v;
}
// locatePointers maps each JSON pointer of a valid JSON text to the offset
// where its member's key (or array element) starts, so errors name a line.
export function locatePointers(text) {
  const map = new Map();
  let i = 0;
  const ws = () => { while (i < text.length && ' \t\r\n'.includes(text[i])) i++; };
  const str = () => {
    let out = '';
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') {
        i++;
        const c = text[i];
        if (c === 'u') { out += String.fromCharCode(parseInt(text.substr(i + 1, 4), 16)); i += 4; } else out += { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' }[c] || c;
      } else out += text[i];
      i++;
    }
    i++;
    return out;
  };
  const val = (ptr, at) => {
    ws();
    map.set(ptr, at ?? i);
    const c = text[i];
    if (c === '{') {
      i++; ws();
      if (text[i] === '}') { i++; return; }
      while (i < text.length) {
        ws();
        if (text[i] !== '"') return;
        const kat = i;
        const k = str();
        ws(); i++; // the colon
        val(ptr + '/' + ptrEsc(k), kat);
        ws();
        if (text[i] === ',') { i++; continue; }
        i++; return;
      }
    } else if (c === '[') {
      i++; ws();
      if (text[i] === ']') { i++; return; }
      let n = 0;
      while (i < text.length) {
        val(ptr + '/' + n++);
        ws();
        if (text[i] === ',') { i++; continue; }
        i++; return;
      }
    } else if (c === '"') str();
    else while (i < text.length && !',}] \t\r\n'.includes(text[i])) i++;
  };
  try { val(''); } catch (e) { /* best effort: what was mapped stays */ }
  return map;
}
export const lineAt = (text, offset) => text.slice(0, offset).split('\n').length;
// lineOfPointer finds the line of a pointer, or of its nearest existing parent.
export function lineOfPointer(text, map, p) {
  let parts = ptrSplit(p);
  while (true) {
    const key = parts.length ? '/' + parts.map(ptrEsc).join('/') : '';
    if (map.has(key)) return lineAt(text, map.get(key));
    if (!parts.length) return null;
    parts = parts.slice(0, -1);
  }
}
