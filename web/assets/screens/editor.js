// Screens: the template editor with errors by line, and the side-by-side
// version diff.
import { api, get } from '../api.js';
import { alertBox, append, badge, fill, focusMain, h } from '../dom.js';
import { t } from '../i18n.js';
import { lineAt, lineOfPointer, locatePointers } from '../pointer.js';
import { mountBacktestPanel } from './backtest-panel.js';
import { duplicate, exportTemplate, publish, readablePath } from './lifecycle.js';

const SKELETON = { key: 'my-template', name: { zh: '新模板', en: 'New template' }, period: 'monthly', indicators: [], raters: [], grades: [], stages: [] };
export async function editorView(main, live, key, version) {
  let meta = null;
  let text;
  if (key) {
    const v = await get('/templates/' + encodeURIComponent(key) + '/versions/' + version);
    if (!live()) return;
    meta = { key: v.key, version: v.version, status: v.status };
    text = JSON.stringify(v.body, null, 2);
  } else {
    text = localStorage.getItem('pl.tpl.new') || JSON.stringify(SKELETON, null, 2);
  }
  const status = h('span', { id: 'tpl-status', class: 'muted', role: 'status' });
  const general = h('div', { tabindex: '-1', id: 'tpl-general' });
  const errorsBox = h('div', { id: 'tpl-errors', 'aria-live': 'polite' });
  const gutter = h('pre', { 'aria-hidden': 'true' });
  const area = h('textarea', { id: 'tpl-text', spellcheck: 'false', autocomplete: 'off', autocapitalize: 'off', wrap: 'off', 'aria-describedby': 'tpl-hint tpl-errors' });
  area.value = text;
  const saveBtn = h('button', { type: 'button', id: 'tpl-save' }, t('tpl.save'));
  const publishBtn = h('button', { type: 'button', id: 'tpl-publish', class: 'secondary' }, t('tpl.publish'));
  const title = h('h1', {});
  const drawMeta = () => {
    title.textContent = meta ? meta.key + ' v' + meta.version : t('tpl.new');
    publishBtn.disabled = !meta || meta.status !== 'draft';
    fill(status, meta ? badge(meta.status) : '');
  };
  const numberLines = () => {
    const n = area.value.split('\n').length;
    let s = '';
    for (let i = 1; i <= n; i++) s += i + '\n';
    gutter.textContent = s;
    gutter.scrollTop = area.scrollTop;
  };
  const jump = (line) => {
    const lines = area.value.split('\n');
    const start = lines.slice(0, line - 1).reduce((s, l) => s + l.length + 1, 0);
    area.focus();
    area.setSelectionRange(start, start + (lines[line - 1] || '').length);
    const lh = parseFloat(getComputedStyle(area).lineHeight) || 19;
    area.scrollTop = Math.max(0, (line - 4) * lh);
  };
  const showTplErrors = (errs) => {
    if (!errs.length) { fill(errorsBox, alertBox('ok', t('tpl.valid'))); return; }
    const src = area.value;
    let map = null;
    try { JSON.parse(src); map = locatePointers(src); } catch (e) { map = null; }
    fill(errorsBox, h('div', { class: 'alert bad', role: 'status' }, h('strong', {}, t('tpl.errors', { n: errs.length })),
      h('ul', { class: 'errors' }, errs.map((e) => {
        let line = e.line || (map ? lineOfPointer(src, map, e.path) : null);
        const m = !line && /line (\d+)/.exec(e.message || '');
        if (m) line = Number(m[1]);
        return h('li', { 'data-path': e.path || '' },
          line ? h('button', { type: 'button', class: 'link', onclick: () => jump(line) }, t('tpl.line', { n: line })) : null, line ? ' ' : null,
          h('code', {}, e.path || '/'), ' ', e.message, e.value !== undefined && e.value !== '' ? h('span', { class: 'muted' }, ' (' + JSON.stringify(e.value) + ')') : null);
      }))));
  };
  let seq = 0;
  const check = async () => {
    const mine = ++seq;
    const src = area.value;
    try {
      JSON.parse(src);
    } catch (e) {
      // The browser names the position; turn it into a line for the author.
      const pos = /position (\d+)/.exec(e.message);
      const lc = /line (\d+)/.exec(e.message);
      showTplErrors([{ path: '', message: t('tpl.syntax') + ': ' + e.message, line: lc ? Number(lc[1]) : pos ? lineAt(src, Number(pos[1])) : null }]);
      return;
    }
    fill(status, t('tpl.checking'));
    try {
      const v = await api('POST', '/templates/validate', src);
      if (mine !== seq || !live()) return;
      showTplErrors(v.errors || []);
    } catch (ex) {
      if (mine === seq) fill(errorsBox, alertBox('bad', ex.message));
    } finally {
      if (mine === seq) drawMeta();
    }
  };
  let timer;
  area.addEventListener('input', () => {
    numberLines();
    if (!meta) localStorage.setItem('pl.tpl.new', area.value);
    clearTimeout(timer);
    timer = setTimeout(check, 400);
  });
  area.addEventListener('scroll', () => { gutter.scrollTop = area.scrollTop; });
  saveBtn.onclick = async () => {
    saveBtn.disabled = true;
    fill(general);
    try {
      const v = await api('POST', '/templates', area.value);
      meta = { key: v.key, version: v.version, status: v.status };
      history.replaceState(null, '', '#/templates/' + encodeURIComponent(v.key) + '/' + v.version);
      localStorage.removeItem('pl.tpl.new');
      drawCompare();
      fill(general, h('div', { class: 'alert ok', role: 'status', id: 'tpl-saved' }, t('tpl.saved', { key: v.key, v: v.version })));
      if (v.validation) showTplErrors(v.validation.errors || []);
    } catch (ex) {
      fill(general, alertBox('bad', ex.message));
      if (ex.details.length) showTplErrors(ex.details);
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
      fill(general, h('div', { class: 'alert ok big', role: 'status', id: 'tpl-published' }, t('tpl.published', { key: meta.key, v: meta.version })));
    } catch (ex) {
      fill(general, alertBox('bad', ex.message));
      if (ex.details.length) showTplErrors(ex.details);
    } finally {
      drawMeta();
    }
  };
  // Duplicate and export take what the editor holds; compare needs a stored version.
  const parsed = () => JSON.parse(area.value);
  const guard = (fn) => () => { try { fn(parsed()); } catch (e) { fill(general, alertBox('bad', t('tpl.syntax') + ': ' + e.message)); general.focus(); } };
  const dupBtn = h('button', { type: 'button', id: 'tpl-duplicate', class: 'secondary', onclick: guard((b) => duplicate(b)) }, t('lc.duplicate'));
  const expBtn = h('button', { type: 'button', id: 'tpl-export', class: 'secondary',
    onclick: guard((b) => exportTemplate(b, (b.key || 'template') + (meta ? '-v' + meta.version : '') + '.json')) }, t('lc.export'));
  const compareBox = h('div', { class: 'row', id: 'tpl-compare' });
  const drawCompare = () => {
    if (!meta) return;
    const at = meta.version;
    get('/templates?key=' + encodeURIComponent(meta.key) + '&limit=200').then((list) => {
      const others = list.items.map((x) => x.version).filter((v) => v !== at).sort((p, q) => p - q);
      if (!others.length || !live() || at !== meta.version) return;
      const sel = h('select', { id: 'tpl-compare-to' }, others.map((v) => h('option', { value: v, selected: v === others[others.length - 1] }, 'v' + v)));
      const go = h('button', { type: 'button', class: 'secondary', id: 'tpl-compare-go', onclick: () => {
        const [a, b] = [Number(sel.value), at].sort((p, q) => p - q);
        location.hash = '#/templates/' + encodeURIComponent(meta.key) + '/diff/' + a + '/' + b;
      } }, t('lc.compare'));
      fill(compareBox, h('div', { class: 'field' }, h('label', { for: 'tpl-compare-to' }, t('lc.compareWith')), sel), h('div', { class: 'field' }, go));
    }).catch(() => {});
  };
  drawCompare();
  drawMeta();
  append(main, [h('p', {}, h('a', { href: '#/templates' }, t('tpl.back'))), title,
    meta && meta.status !== 'draft' ? alertBox('warn', t('tpl.frozen', { state: t('state.' + meta.status) })) : null,
    general,
    h('div', { class: 'toolbar' }, saveBtn, publishBtn, dupBtn, expBtn, status, meta ? h('a', { href: '#/builder/edit/' + encodeURIComponent(meta.key) + '/' + meta.version, id: 'tpl-to-builder' }, t('tpl.buildOpen')) : null),
    compareBox,
    h('label', { for: 'tpl-text' }, t('tpl.editor')),
    h('p', { class: 'hint muted small', id: 'tpl-hint' }, t('tpl.editorHint')),
    h('div', { class: 'editor' }, gutter, area),
    errorsBox]);
  mountBacktestPanel(main, parsed);
  numberLines();
  focusMain();
  check();
}

// lineDiff aligns two texts line by line (longest common subsequence) into
// side-by-side rows: [left, right] with null where a side has no line.
function lineDiff(a, b) {
  const n = a.length, m = b.length;
  const L = Array.from({ length: n + 1 }, () => new Uint16Array(m + 1));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) L[i][j] = a[i] === b[j] ? L[i + 1][j + 1] + 1 : Math.max(L[i + 1][j], L[i][j + 1]);
  const rows = [];
  let i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) { rows.push([{ n: i + 1, s: a[i] }, { n: j + 1, s: b[j] }, 'same']); i++; j++; }
    else if (j < m && (i >= n || L[i][j + 1] >= L[i + 1][j])) { rows.push([null, { n: j + 1, s: b[j] }, 'add']); j++; }
    else { rows.push([{ n: i + 1, s: a[i] }, null, 'del']); i++; }
  }
  // A removal next to an addition is a change: show them on one row.
  const out = [];
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k];
    const nx = rows[k + 1];
    if (nx && ((r[2] === 'del' && nx[2] === 'add') || (r[2] === 'add' && nx[2] === 'del'))) { out.push(r[2] === 'del' ? [r[0], nx[1], 'chg'] : [nx[0], r[1], 'chg']); k++; } else out.push(r);
  }
  return out;
}
export async function diffView(main, live, key, from, to) {
  const enc = encodeURIComponent(key);
  const [list, a, b, d] = await Promise.all([get('/templates?key=' + enc + '&limit=200'), get('/templates/' + enc + '/versions/' + from), get('/templates/' + enc + '/versions/' + to),
    get('/templates/' + enc + '/diff?from=' + from + '&to=' + to)]);
  if (!live()) return;
  const versions = list.items.map((x) => x.version).sort((p, q) => p - q);
  const pick = (id, label, val, other) => h('div', { class: 'field' }, h('label', { for: id }, label),
    h('select', { id, onchange: (e) => { location.hash = '#/templates/' + enc + '/diff/' + (other === 'to' ? e.target.value + '/' + to : from + '/' + e.target.value); } },
      versions.map((v) => h('option', { value: v, selected: String(v) === String(val) }, 'v' + v + ' · ' + t('state.' + list.items.find((x) => x.version === v).status)))));
  const rows = lineDiff(JSON.stringify(a.body, null, 2).split('\n'), JSON.stringify(b.body, null, 2).split('\n'));
  const cell = (x, cls) => x ? [h('td', { class: 'ln' }, String(x.n)), h('td', { class: 'code ' + cls }, x.s)] : [h('td', { class: 'ln' }), h('td', { class: 'code empty' })];
  const changes = d.changes || [];
  const show = (v) => (v === undefined ? '' : JSON.stringify(v));
  append(main, [h('p', {}, h('a', { href: '#/templates' }, t('tpl.back'))), h('h1', {}, t('tpl.diffTitle', { key, from, to })),
    h('div', { class: 'row card' }, pick('diff-from', t('tpl.from'), from, 'to'), pick('diff-to', t('tpl.to'), to, 'from')),
    h('section', { class: 'card', 'aria-labelledby': 'chg-h' }, h('h2', { id: 'chg-h' }, t('tpl.changes', { n: changes.length })),
      changes.length ? h('table', { id: 'diff-changes' }, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('lc.path')), h('th', { scope: 'col' }, t('lc.jsonPath')), h('th', { scope: 'col' }, t('col.kind')), h('th', { scope: 'col' }, 'v' + from), h('th', { scope: 'col' }, 'v' + to))),
        h('tbody', {}, changes.map((c) => h('tr', { 'data-path': c.path, class: 'op-' + c.op }, h('td', { class: 'where' }, readablePath(c.path, c.op === 'removed' ? a.body : b.body) || '/'), h('td', {}, h('code', {}, c.path)), h('td', {}, t('tpl.op.' + c.op)), h('td', { class: 'code' }, show(c.from)), h('td', { class: 'code' }, show(c.to)))))) : h('p', { class: 'muted' }, t('tpl.same'))),
    h('section', { class: 'card', 'aria-labelledby': 'sbs-h' }, h('h2', { id: 'sbs-h' }, t('tpl.sideBySide')),
      h('div', { class: 'scroll diffwrap', tabindex: 0, role: 'region', 'aria-labelledby': 'sbs-h' }, h('table', { class: 'sbs', id: 'diff-sbs' },
        h('colgroup', {}, h('col', { class: 'ln' }), h('col'), h('col', { class: 'ln' }), h('col')),
        h('thead', {}, h('tr', {}, h('th', { colspan: 2, scope: 'col' }, key + ' v' + from), h('th', { colspan: 2, scope: 'col' }, key + ' v' + to))),
        h('tbody', {}, rows.map(([l, r, op]) => h('tr', { class: op }, cell(l, op === 'same' ? '' : 'old'), cell(r, op === 'same' ? '' : 'new')))))))]);
  focusMain();
}
