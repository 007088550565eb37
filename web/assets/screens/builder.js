// Screen: the visual template builder. It edits the same template JSON the
// raw editor does, in place: builder edits and JSON edits stay in sync both
// ways and fields the builder has no form for are kept. The server checks
// every change (POST /templates/validate) and its errors appear at the
// field their JSON pointer names, in the reader's language.
import { api, get as fetchJSON } from '../api.js';
import { alertBox, append, badge, fill, focusMain, h, patch } from '../dom.js';
import { lang, t, txt } from '../i18n.js';
import { lineOfPointer, locatePointers } from '../pointer.js';
import { B, applyErrors, guarded } from './builder-fields.js';
import { loadHistory } from './builder-history.js';
import { basicsSection, indicatorsSection } from './builder-indicators.js';
import { outcomesSection } from './builder-outcomes.js';
import { gradesSection, ratersSection } from './builder-people.js';
import { stagesSection } from './builder-stages.js';
import { localiseError } from './builder.i18n.js';
import { publish } from './lifecycle.js';

const BLANK = { key: 'my-template', name: { zh: '新模板', en: 'New template' }, period: 'monthly', timezone: 'Asia/Shanghai', indicators: [], raters: [], grades: [], stages: [] };
const STORE = 'pl.tpl.build';
// The backtest panel is another module; the builder works without it.

// builderStart lists where a new template can start: blank or any template.
export async function builderStartView(main, live) {
  const r = await fetchJSON('/templates?limit=200');
  if (!live()) return;
  const rows = r.items.filter((x) => x.status !== 'retired');
  append(main, [h('p', {}, h('a', { href: '#/templates' }, t('tpl.back'))), h('h1', {}, t('b.start')),
    h('p', { class: 'muted' }, t('b.startHint')),
    h('ul', { class: 'starts', id: 'b-starts' },
      h('li', {}, h('a', { class: 'btn', href: '#/builder/new', id: 'b-blank' }, t('b.blank'))),
      rows.map((x) => h('li', { 'data-key': x.key }, h('a', { href: '#/builder/from/' + encodeURIComponent(x.key) + '/' + x.version }, (lang === 'en' ? x.nameEn || x.name : x.name) + ' · ' + x.key + ' v' + x.version),
        x.shared ? [' ', h('span', { class: 'badge shared' }, t('tpl.shared'))] : null)))]);
  focusMain();
}

export async function builderView(main, live, mode, key, version) {
  let meta = null;
  let draft;
  let restored = false;
  if (mode === 'edit' || mode === 'from') {
    const v = await fetchJSON('/templates/' + encodeURIComponent(key) + '/versions/' + version);
    if (!live()) return;
    draft = v.body;
    if (mode === 'edit') meta = { key: v.key, version: v.version, status: v.status };
    else { draft.key = v.key + '-copy'; delete draft.version; }
  } else {
    try { draft = JSON.parse(localStorage.getItem(STORE)) || null; } catch (e) { draft = null; }
    restored = !!draft && typeof draft === 'object' && !Array.isArray(draft);
    if (!restored) draft = JSON.parse(JSON.stringify(BLANK));
  }
  B.draft = draft;
  B.errors = [];
  B.effective = [];
  B.history = null;
  const title = h('h1', {});
  const status = h('span', { id: 'b-status', class: 'muted', role: 'status' });
  const general = h('div', { id: 'b-general', tabindex: '-1' });
  const summary = h('div', { id: 'b-errors', 'aria-live': 'polite' });
  const form = h('div', { id: 'b-form' });
  const area = h('textarea', { id: 'b-json', spellcheck: 'false', autocomplete: 'off', autocapitalize: 'off', wrap: 'off', 'aria-describedby': 'b-json-hint b-json-err' });
  const jsonErr = h('div', { id: 'b-json-err', class: 'err', role: 'status' });
  const saveBtn = h('button', { type: 'button', id: 'b-save' }, t('tpl.save'));
  const publishBtn = h('button', { type: 'button', id: 'b-publish', class: 'secondary' }, t('tpl.publish'));
  const tabB = h('button', { type: 'button', role: 'tab', class: 'tab', id: 'b-tab-build', 'aria-controls': 'b-panel-build', 'aria-selected': 'true' }, t('b.tab.build'));
  const tabJ = h('button', { type: 'button', role: 'tab', class: 'tab', id: 'b-tab-json', 'aria-controls': 'b-panel-json', 'aria-selected': 'false' }, t('b.tab.json'));
  const panelB = h('div', { role: 'tabpanel', id: 'b-panel-build', 'aria-labelledby': 'b-tab-build' }, form);
  const panelJ = h('div', { role: 'tabpanel', id: 'b-panel-json', 'aria-labelledby': 'b-tab-json', hidden: true },
    h('label', { for: 'b-json' }, t('tpl.editor')), h('p', { class: 'hint muted small', id: 'b-json-hint' }, t('b.jsonHint')), area, jsonErr);
  const show = (which) => {
    const json = which === 'json';
    tabB.setAttribute('aria-selected', String(!json));
    tabJ.setAttribute('aria-selected', String(json));
    panelB.hidden = json;
    panelJ.hidden = !json;
    if (json) area.value = JSON.stringify(B.draft, null, 2);
  };
  tabB.onclick = () => show('build');
  tabJ.onclick = () => show('json');
  const drawMeta = () => {
    title.textContent = t('b.title') + ' · ' + (meta ? meta.key + ' v' + meta.version : (txt(B.draft.name) || t('tpl.new')));
    publishBtn.disabled = !meta || meta.status !== 'draft';
    fill(status, meta ? badge(meta.status) : '');
  };
  const sections = () => [['basics', basicsSection], ['indicators', indicatorsSection], ['raters', ratersSection], ['grades', gradesSection], ['stages', stagesSection], ['outcomes', outcomesSection]]
    .map(([id, draw]) => guarded('b-' + id, t('b.sec.' + id), draw));
  const nav = h('nav', { class: 'secnav', 'aria-label': t('b.sections') }, ['basics', 'indicators', 'raters', 'grades', 'stages', 'outcomes'].map((s) =>
    h('a', { href: '#b-' + s, onclick: (e) => { e.preventDefault(); show('build'); document.getElementById('b-' + s).scrollIntoView(); } }, t('b.sec.' + s))));
  // draw brings the form in line with the draft, keeping focus and what is typed.
  const draw = () => {
    patch(form, ...sections());
    if (document.activeElement !== area) area.value = JSON.stringify(B.draft, null, 2);
    const loose = applyErrors(form, B.errors);
    drawSummary(loose);
    drawMeta();
  };
  const locate = (e) => {
    if (e.field && e.field.isConnected) { show('build'); e.field.focus(); e.field.scrollIntoView({ block: 'center' }); return; }
    show('json');
    const src = area.value;
    const line = lineOfPointer(src, locatePointers(src), e.path || '');
    if (!line) return;
    const lines = src.split('\n');
    const start = lines.slice(0, line - 1).reduce((s, l) => s + l.length + 1, 0);
    area.focus();
    area.setSelectionRange(start, start + lines[line - 1].length);
  };
  const drawSummary = () => {
    if (!B.checked) { fill(summary); return; }
    if (!B.errors.length) { fill(summary, h('div', { class: 'alert ok', role: 'status', id: 'b-valid' }, t('tpl.valid'))); return; }
    fill(summary, h('div', { class: 'alert bad', role: 'status' }, h('strong', {}, t('tpl.errors', { n: B.errors.length })),
      h('ul', { class: 'errors' }, B.errors.map((e) => h('li', { 'data-path': e.path || '' },
        h('button', { type: 'button', class: 'link', onclick: () => locate(e) }, localiseError(e)), ' ', h('code', {}, e.path || '/'))))));
  };
  let seq = 0;
  let timer;
  const check = async () => {
    const mine = ++seq;
    try {
      const v = await api('POST', '/templates/validate', JSON.stringify(B.draft));
      if (mine !== seq || !live()) return;
      B.errors = v.errors || [];
      B.effective = v.effective || [];
      B.checked = true;
      draw();
    } catch (ex) {
      if (mine === seq && live()) fill(general, alertBox('bad', ex.message));
    }
  };
  const keep = () => { if (!meta) localStorage.setItem(STORE, JSON.stringify(B.draft)); };
  B.changed = (viewOnly) => {
    draw();
    if (viewOnly) return;
    keep();
    clearTimeout(timer);
    timer = setTimeout(check, 350);
  };
  // JSON edits replace the draft when they parse; the builder then shows them.
  area.addEventListener('input', () => {
    let v;
    try { v = JSON.parse(area.value); } catch (e) { jsonErr.textContent = t('tpl.syntax') + ': ' + e.message; return; }
    if (!v || typeof v !== 'object' || Array.isArray(v)) { jsonErr.textContent = t('b.jsonObject'); return; }
    jsonErr.textContent = '';
    B.draft = v;
    B.changed();
  });
  saveBtn.onclick = async () => {
    // A JSON text that does not parse is not what would be saved: say so rather than save the last good draft.
    if (jsonErr.textContent) { show('json'); fill(general, alertBox('bad', t('b.fixJson'))); return; }
    saveBtn.disabled = true;
    fill(general);
    try {
      const v = await api('POST', '/templates', JSON.stringify(B.draft));
      meta = { key: v.key, version: v.version, status: v.status };
      history.replaceState(null, '', '#/builder/edit/' + encodeURIComponent(v.key) + '/' + v.version);
      localStorage.removeItem(STORE);
      fill(general, h('div', { class: 'alert ok', role: 'status', id: 'b-saved' }, t('tpl.saved', { key: v.key, v: v.version })));
      if (v.validation) { B.errors = v.validation.errors || []; B.checked = true; }
      draw();
    } catch (ex) {
      fill(general, alertBox('bad', ex.message));
      if (ex.details.length) { B.errors = ex.details; B.checked = true; draw(); }
    } finally {
      saveBtn.disabled = false;
      drawMeta();
    }
  };
  publishBtn.onclick = async () => {
    if (!meta) return;
    publishBtn.disabled = true;
    try {
      meta = await publish(meta);
      fill(general, h('div', { class: 'alert ok big', role: 'status', id: 'b-published' }, t('tpl.published', { key: meta.key, v: meta.version })));
    } catch (ex) {
      fill(general, alertBox('bad', ex.message));
      if (ex.details.length) { B.errors = ex.details; B.checked = true; draw(); }
    } finally {
      drawMeta();
    }
  };
  const backtest = h('section', { class: 'card', id: 'builder-backtest', 'aria-label': t('b.backtest') });
  append(main, [h('p', {}, h('a', { href: '#/templates' }, t('tpl.back'))), title,
    meta && meta.status !== 'draft' ? alertBox('warn', t('tpl.frozen', { state: t('state.' + meta.status) })) : null,
    restored ? h('div', { class: 'alert warn', role: 'status', id: 'b-restored' }, t('b.restored'), ' ',
      h('button', { type: 'button', class: 'secondary', id: 'b-discard', onclick: () => { localStorage.removeItem(STORE); B.draft = JSON.parse(JSON.stringify(BLANK)); document.getElementById('b-restored').remove(); B.changed(); } }, t('b.discard'))) : null,
    general, h('div', { class: 'toolbar' }, saveBtn, publishBtn, status), summary,
    h('div', { class: 'tabs', role: 'tablist', 'aria-label': t('b.views') }, tabB, tabJ), nav, panelB, panelJ, backtest]);
  draw();
  focusMain();
  check();
  // The last cycle's scores, for the distribution's histogram; a template never run has none.
  loadHistory(mode === 'new' ? '' : key).then((hist) => { if (live() && hist) { B.history = hist; draw(); } }).catch(() => {});
  import('./backtest-panel.js').then((m) => { if (live() && m.mountBacktestPanel) m.mountBacktestPanel(backtest, () => B.draft); }).catch(() => { backtest.hidden = true; });
}
