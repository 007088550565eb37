// A template's lifecycle beyond saving and publishing: duplicate into a new
// draft, export and import a file, and a diff path said in words.
import { api } from '../api.js';
import { alertBox, h, toast } from '../dom.js';
import { D, t, txt } from '../i18n.js';
import { S } from '../state.js';
import './backtest-panel.i18n.js';

// publish publishes a saved draft version for the raw editor and the
// builder alike, drops cached lists that still show it as a draft, and
// returns the version's new meta.
export async function publish(meta) {
  const v = await api('POST', '/templates/' + encodeURIComponent(meta.key) + '/versions/' + meta.version + '/publish');
  S.cache.clear();
  return { key: v.key, version: v.version, status: v.status };
}

// NEW_DRAFT is where the editor keeps an unsaved new template (editor.js).
export const NEW_DRAFT = 'pl.tpl.new';

// openAsNew hands a body to the editor as a new, unsaved template.
export function openAsNew(body) {
  localStorage.setItem(NEW_DRAFT, JSON.stringify(body, null, 2));
  if (location.hash === '#/templates/new') window.dispatchEvent(new Event('perfloop:render'));
  else location.hash = '#/templates/new';
}

// duplicate opens a copy of body under a new key as a new draft: no
// version (the server numbers it), its names marked as a copy.
export function duplicate(body) {
  const copy = JSON.parse(JSON.stringify(body));
  delete copy.version;
  copy.key = (body.key || 'template') + '-copy';
  if (copy.name && typeof copy.name === 'object') {
    copy.name = { ...copy.name };
    if (copy.name.zh) copy.name.zh += D['lc.copySuffix'][0];
    if (copy.name.en) copy.name.en += D['lc.copySuffix'][1];
  }
  openAsNew(copy);
  toast(t('lc.duplicated', { key: copy.key }));
}

// exportTemplate downloads the body as a JSON file.
export function exportTemplate(body, name) {
  const url = URL.createObjectURL(new Blob([JSON.stringify(body, null, 2) + '\n'], { type: 'application/json' }));
  const a = h('a', { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// importFile reads a template file and checks it with the server: a valid
// one opens in the editor as a new draft; otherwise it resolves to an
// alert listing each problem at its path, and nothing is kept.
export async function importFile(file) {
  const text = await file.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch (e) {
    return alertBox('bad', t('lc.importSyntax', { name: file.name, msg: e.message }));
  }
  const v = await api('POST', '/templates/validate', text);
  if (!v.valid) {
    return alertBox('bad', t('lc.importBad', { name: file.name, n: v.errors.length }), h('ul', { class: 'errors', id: 'import-errors' },
      v.errors.map((e) => h('li', { 'data-path': e.path || '' }, h('code', {}, e.path || '/'), ' ', readablePath(e.path, body) ? '(' + readablePath(e.path, body) + ') ' : '', e.message,
        e.value !== undefined && e.value !== '' ? h('span', { class: 'muted' }, ' (' + JSON.stringify(e.value) + ')') : null))));
  }
  openAsNew(body);
  toast(t('lc.imported', { name: file.name }));
  return null;
}

// The lists whose items readablePath names by their name or key.
const LISTS = { indicators: 'lc.f.indicators', raters: 'lc.f.raters', grades: 'lc.f.grades', stages: 'lc.f.stages', distribution: 'lc.f.distribution', tiers: 'lc.f.tiers', levels: 'lc.f.levels' };

// readablePath says a JSON pointer in the reader's language, naming list
// items from the template they are in: "/indicators/0/weight" is
// 指标「转化率」 › 权重 or Indicator “Conversion” › weight.
export function readablePath(path, body) {
  if (!path) return '';
  const out = [];
  let at = body, parent = '';
  const segs = path.split('/').slice(1);
  segs.forEach((raw, i) => {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const next = at && typeof at === 'object' ? at[seg] : undefined;
    if (Array.isArray(at) && /^\d+$/.test(seg) && LISTS[parent]) {
      const item = next || {};
      const name = txt(item.name, '') || item.key || (item.grades ? item.grades.join('/') : '') || '#' + (Number(seg) + 1);
      out.push(t('lc.named', { what: t(LISTS[parent]), name }));
    } else if (Array.isArray(at) && /^\d+$/.test(seg)) {
      out.push('#' + (Number(seg) + 1));
    } else if (!LISTS[seg] || i === segs.length - 1) {
      out.push(LISTS[seg] ? t(LISTS[seg]) : D['lc.f.' + seg] ? t('lc.f.' + seg) : seg);
    }
    parent = seg;
    at = next;
  });
  return out.join(' › ');
}
