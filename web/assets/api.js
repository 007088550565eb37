// The API client: every call to /api/v1 with the signed-in token, errors as
// ApiError, cached reads, paging, downloads and uploads.
import { h } from './dom.js';
import { lang, t } from './i18n.js';
import { S, rerender } from './state.js';

// localMessage leads a server message with what its error code means in
// the reader's language: the server words its messages in English, which a
// Chinese reader should not have to read to know what happened. The
// server's own words stay, after it, for the specifics.
function localMessage(code, message) {
  const key = 'err.code.' + code;
  if (lang !== 'zh' || !code || t(key) === key) return message;
  return t(key) + '（' + message + '）';
}
class ApiError extends Error {
  constructor(status, body) {
    super(localMessage(body.code, body.message || 'HTTP ' + status));
    this.status = status;
    this.code = body.code;
    this.details = body.details || [];
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
