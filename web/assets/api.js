// The API client: every call to /api/v1 with the signed-in token, errors as
// ApiError, cached reads, paging, downloads and uploads.
import { h } from './dom.js';
import { D, lang, t } from './i18n.js';
import { S, rerender } from './state.js';

// The server words its errors in English, and says as data why (reason,
// resource) and what each field expected (details[].expected: a rule and
// its bounds, options or example). A Chinese reader gets that data worded
// in Chinese; an English one the server's own words, which say the same.
const has = (key) => key in D;
const fieldName = (path) => (path || '').replace(/^[/?]/, '').replace(/~1/g, '/').replace(/~0/g, '~');
// detailText is what a field expected, in the reader's language.
export function detailText(d) {
  const x = d.expected;
  if (lang !== 'zh' || !x) return d.message;
  const value = d.value != null && d.value !== '' ? (typeof d.value === 'string' ? d.value : JSON.stringify(d.value)) : null;
  let key = 'err.rule.' + x.rule + (x.rule === 'required' && x.min != null && x.max != null ? 'Range' : '');
  if (value != null && has(key + 'V')) key += 'V';
  if (!has(key)) return d.message;
  const what = x.type ? (has('err.what.' + x.type) ? t('err.what.' + x.type) : has('err.type.' + x.type) ? t('err.type.' + x.type) : x.type) : '';
  return t(key, { value, min: x.min, max: x.max, options: (x.options || []).join('、'), type: what, what, example: x.example || '' });
}
// localMessage is an error's message in the reader's language: its reason
// or what was not found, else the lead-in its code means and each field's
// problem; what the UI cannot word keeps the server's words after the lead-in.
function localMessage(body, status) {
  const msg = body.message || 'HTTP ' + status;
  if (lang !== 'zh') return msg;
  const what = (body.resource || '').replace(/ /g, '_');
  if (body.reason && has('err.reason.' + body.reason)) return t('err.reason.' + body.reason);
  if (body.code === 'not_found' && what && has('err.what.' + what)) return t('err.notFoundWhat', { what: t('err.what.' + what) });
  const lead = has('err.code.' + body.code) ? t('err.code.' + body.code) : '';
  const ds = body.details || [];
  if (ds.length && ds.every((d) => d.expected)) {
    const more = ds.length - 3 + (body.omitted || 0);
    return (lead || t('err.code.invalid')) + '：' + ds.slice(0, 3).map((d) => t('err.field', { field: fieldName(d.path), text: detailText(d) })).join('；') + (more > 0 ? '；' + t('err.more', { n: more }) : '');
  }
  if (body.code === 'forbidden') return t('err.forbiddenAction');
  if (body.code === 'unavailable') return t('err.unavailableWhat');
  return lead ? lead + '（' + msg + '）' : msg;
}
class ApiError extends Error {
  constructor(status, body) {
    super(localMessage(body, status));
    this.status = status;
    this.code = body.code;
    this.reason = body.reason;
    this.serverMessage = body.message || ''; // the server's own words (English), for where they add detail
    this.details = (body.details || []).map((d) => ({ ...d, message: detailText(d) }));
    this.omitted = body.omitted || 0;
  }
}
// An SSO sign-in leaves an HttpOnly session cookie the browser sends by
// itself, and a readable perfloop_csrf cookie whose value every request
// repeats in X-CSRF-Token (the server refuses cookie-signed changes
// without it). A pasted API token goes as a bearer header instead.
export const csrfToken = () => { const m = /(?:^|;\s*)perfloop_csrf=([^;]+)/.exec(document.cookie); return m ? m[1] : ''; };
const authHeaders = (token = S.token) => (token ? { Authorization: 'Bearer ' + token } : csrfToken() ? { 'X-CSRF-Token': csrfToken() } : {});
export async function api(method, path, body, opts = {}) {
  const headers = { Accept: 'application/json' };
  const token = opts.token !== undefined ? opts.token : S.token;
  Object.assign(headers, authHeaders(token));
  if (opts.headers) Object.assign(headers, opts.headers);
  let payload;
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = typeof body === 'string' ? body : JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch('/api/v1' + path, { method, headers, body: payload });
  } catch (e) {
    throw new ApiError(0, { code: 'network', message: t('err.network') });
  }
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
  if (!res.ok) {
    if (res.status === 401 && !opts.quiet401) signOut(t('signin.expired'));
    throw new ApiError(res.status, (data && data.error) || { code: 'http', message: res.status + ' ' + res.statusText });
  }
  return data;
}
export const get = (path) => api('GET', path);
// cached memoises reads that do not change while the page is open.
function cached(key, fn) {
  if (!S.cache.has(key)) S.cache.set(key, fn().catch((e) => { S.cache.delete(key); throw e; }));
  return S.cache.get(key);
}
// loadUIConfig says what the server offers the UI: SSO, and whether it runs the demo.
export const loadUIConfig = () => cached('ui-config', () => api('GET', '/ui/config', undefined, { quiet401: true }).then((c) => c || {}));
export const loadCycle = (id) => get('/cycles/' + encodeURIComponent(id));
export const loadTemplate = (key, v) => cached('tpl:' + key + '@' + v, () => get('/templates/' + encodeURIComponent(key) + '/versions/' + v).then((r) => r.body || {}));
export const loadMembers = () => cached('members', async () => {
  const out = new Map();
  for (let off = 0; ; off += 500) {
    const r = await get('/members?limit=500&inactive=true&offset=' + off);
    r.items.forEach((m) => out.set(m.id, m));
    if (!r.items.length || out.size >= r.total) return out;
  }
});
export const memberName = (members, id) => (members && members.get(id) ? members.get(id).name : id === S.me?.id ? S.me.name : (id || '').slice(0, 8));
export const isLead = () => S.me && ['admin', 'hrbp', 'manager'].includes(S.me.role);

export function signOut(msg) {
  const csrf = csrfToken();
  if (csrf) {
    // End the session on the server too; forget the cookie at once so the
    // sign-in page does not take the browser for signed in meanwhile.
    document.cookie = 'perfloop_csrf=; Max-Age=0; path=/';
    fetch('/auth/logout', { method: 'POST', headers: { 'X-CSRF-Token': csrf } }).catch(() => {});
  }
  S.token = ''; S.me = null; S.cache.clear();
  localStorage.removeItem('pl.token');
  S.flash = msg || null;
  if (location.hash !== '#/signin') location.hash = '#/signin'; else rerender();
}
// getAll reads every page of a list route (500 rows a page).
export async function getAll(path) {
  const sep = path.includes('?') ? '&' : '?';
  const first = await get(path + sep + 'limit=500');
  const items = first.items;
  while (items.length < first.total) {
    const next = await get(path + sep + 'limit=500&offset=' + items.length);
    if (!next.items.length) break;
    items.push(...next.items);
  }
  return { items, total: first.total };
}
// download fetches a file with the caller's token and hands it to the browser.
export async function download(path, name) {
  const res = await fetch('/api/v1' + path, { headers: authHeaders() });
  if (!res.ok) {
    let body = {};
    try { body = (await res.json()).error || {}; } catch (e) { body = {}; }
    throw new ApiError(res.status, body);
  }
  const url = URL.createObjectURL(await res.blob());
  const a = h('a', { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
// upload sends a file with progress, which fetch cannot report.
export function upload(path, file, type, onProgress) {
  return new Promise((resolve, reject) => {
    const x = new XMLHttpRequest();
    x.open('POST', '/api/v1' + path);
    for (const [k, v] of Object.entries(authHeaders())) x.setRequestHeader(k, v);
    x.setRequestHeader('Accept', 'application/json');
    x.setRequestHeader('Content-Type', type);
    x.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total); };
    x.upload.onload = () => onProgress(1);
    x.onload = () => {
      let d = null;
      try { d = JSON.parse(x.responseText); } catch (e) { d = null; }
      if (x.status >= 200 && x.status < 300) { resolve(d); return; }
      if (x.status === 401) signOut(t('signin.expired'));
      reject(new ApiError(x.status, (d && d.error) || { code: 'http', message: String(x.status) }));
    };
    x.onerror = () => reject(new ApiError(0, { code: 'network', message: t('err.network') }));
    x.send(file);
  });
}
