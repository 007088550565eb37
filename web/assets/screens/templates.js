// Screen: the templates list (admin).
import { api, get } from '../api.js';
import { alertBox, append, badge, fill, focusMain, h, toast } from '../dom.js';
import { fmtTime, lang, t } from '../i18n.js';
import { S, rerender } from '../state.js';
import { importFile } from './lifecycle.js';

export async function templatesView(main, live) {
  const r = await get('/templates?limit=200');
  if (!live()) return;
  const general = h('div', { tabindex: '-1' });
  const publish = async (x, btn) => {
    btn.disabled = true;
    try {
      await api('POST', '/templates/' + encodeURIComponent(x.key) + '/versions/' + x.version + '/publish');
    } catch (ex) {
      btn.disabled = false;
      fill(general, alertBox('bad', ex.message, ex.details.length ? h('ul', { class: 'errors' }, ex.details.map((d) => h('li', {}, h('code', {}, d.path || '/'), ' ', d.message))) : null));
      general.focus();
      return;
    }
    toast(t('tpl.published', { key: x.key, v: x.version }));
    rerender();
  };
  const retire = async (x, btn) => {
    btn.disabled = true;
    try {
      await api('POST', '/templates/' + encodeURIComponent(x.key) + '/versions/' + x.version + '/retire');
    } catch (ex) {
      btn.disabled = false;
      fill(general, alertBox('bad', ex.message));
      general.focus();
      return;
    }
    S.cache.clear();
    toast(t('tpl.retired', { key: x.key, v: x.version }));
    rerender();
  };
  // Import: a template file, checked by the server before the editor opens it as a new draft.
  const importBox = h('div', { id: 'import-result', tabindex: '-1' });
  const file = h('input', { type: 'file', id: 'tpl-import-file', accept: '.json,application/json', 'aria-describedby': 'tpl-import-hint' });
  file.addEventListener('change', async () => {
    const f = file.files[0];
    if (!f) return;
    fill(importBox);
    try {
      const problem = await importFile(f);
      if (problem) { fill(importBox, problem); importBox.focus(); }
    } catch (ex) {
      fill(importBox, alertBox('bad', ex.message));
      importBox.focus();
    }
    file.value = '';
  });
  append(main, [h('h1', {}, t('tpl.title')), general,
    h('p', { class: 'toolbar' }, h('a', { class: 'btn', href: '#/builder', id: 'tpl-build' }, t('tpl.build')), h('a', { class: 'btn secondary', href: '#/templates/new', id: 'tpl-new' }, t('tpl.new'))),
    h('details', { class: 'card', id: 'tpl-import' }, h('summary', {}, t('lc.import')),
      h('div', { class: 'field' }, h('label', { for: 'tpl-import-file' }, t('lc.importFile')), file,
        h('p', { class: 'hint', id: 'tpl-import-hint' }, t('lc.importHint'))), importBox),
    r.items.some((x) => x.shared) ? h('p', { class: 'muted small', id: 'tpl-shared-help' }, t('tpl.sharedHelp')) : null,
    r.items.length ? h('table', { id: 'templates' },
      h('thead', {}, h('tr', {}, ['col.key', 'col.name', 'col.version', 'col.state', 'col.updated', 'col.actions'].map((k) => h('th', { scope: 'col' }, t(k))))),
      h('tbody', {}, r.items.map((x) => h('tr', { 'data-key': x.key, 'data-version': x.version },
        h('td', {}, h('code', {}, x.key)), h('td', {}, lang === 'en' ? x.nameEn || x.name : x.name, x.shared ? [' ', h('span', { class: 'badge shared', title: t('tpl.sharedHelp') }, t('tpl.shared'))] : null),
        h('td', { class: 'num' }, 'v' + x.version), h('td', {}, badge(x.status)), h('td', {}, fmtTime(x.updatedAt)),
        h('td', { class: 'actions' }, h('a', { href: '#/templates/' + encodeURIComponent(x.key) + '/' + x.version }, t('tpl.open')),
          ' · ', h('a', { href: '#/builder/' + (x.shared ? 'from/' : 'edit/') + encodeURIComponent(x.key) + '/' + x.version, class: 'build' }, t('tpl.buildOpen')),
          x.version > 1 ? [' · ', h('a', { href: '#/templates/' + encodeURIComponent(x.key) + '/diff/' + (x.version - 1) + '/' + x.version, class: 'compare' }, t('tpl.compare'))] : null,
          x.status === 'draft' ? [' ', (() => { const b = h('button', { type: 'button', class: 'secondary publish' }, t('tpl.publish')); b.onclick = () => publish(x, b); return b; })()] : null,
          // The shared catalogue is not the organisation's to retire (the API answers 404); the help above says what to do instead.
          x.status === 'published' && !x.shared ? [' ', (() => { const b = h('button', { type: 'button', class: 'secondary retire' }, t('tpl.retire')); b.onclick = () => retire(x, b); return b; })()] : null)))))
      : h('p', { class: 'card' }, t('tpl.none'))]);
  focusMain();
}
