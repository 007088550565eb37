// Screen: organisation import (admin), checked before anything is written.
import { upload } from '../api.js';
import { progressBar } from '../charts.js';
import { alertBox, append, fill, focusMain, h } from '../dom.js';
import { t } from '../i18n.js';
import { S } from '../state.js';

const CSV_COLUMNS = 'name,email,role,team,team_name,parent_team,position,level,manager,timezone,locale,joined_on';
// SAMPLE is a file to start from: two teams and three people, every column filled.
const SAMPLE = CSV_COLUMNS + '\n' +
  '李娜,li.na@example.com,manager,cs,客服运营组,,组长,M1,,Asia/Shanghai,zh-CN,2023-03-01\n' +
  '王伟,wang.wei@example.com,employee,cs,,,客服专员,P3,li.na@example.com,Asia/Shanghai,zh-CN,2024-07-15\n' +
  'Ann Lee,ann.lee@example.com,employee,community,Community,cs,Community lead,P4,li.na@example.com,Europe/London,en-GB,2025-01-06\n';
function sampleLink() {
  const a = h('a', { href: '#', id: 'org-sample', download: 'perfloop-org-sample.csv' }, t('org.sample'));
  a.onclick = (e) => {
    e.preventDefault();
    const url = URL.createObjectURL(new Blob(['\ufeff' + SAMPLE], { type: 'text/csv;charset=utf-8' }));
    const link = h('a', { href: url, download: 'perfloop-org-sample.csv' });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  return a;
}
// badRows counts the rows the problems are on, not the problems: one row can break three rules.
function badRows(details) {
  return new Set(details.map((d) => { const m = /^(?:line (\d+)|\/(\w+)\/(\d+))/.exec(d.path || ''); return m ? m[1] || m[2] + m[3] : d.path; })).size;
}
export function orgImportView(main) {
  const general = h('div', { tabindex: '-1', id: 'org-general' });
  const file = h('input', { type: 'file', id: 'org-file', accept: '.csv,.json,text/csv,application/json', 'aria-describedby': 'org-hint' });
  const paste = h('textarea', { id: 'org-text', rows: 8, spellcheck: 'false', 'aria-describedby': 'org-hint', placeholder: CSV_COLUMNS });
  const checkBtn = h('button', { type: 'button', id: 'org-check', class: 'secondary' }, t('org.check'));
  const importBtn = h('button', { type: 'button', id: 'org-import' }, t('org.import'));
  const source = async () => {
    const f = file.files[0];
    const text = f ? await f.text() : paste.value;
    if (!text.trim()) return null;
    const json = f ? /\.json$/i.test(f.name) : /^\s*\{/.test(text);
    return { body: text, type: json ? 'application/json' : 'text/csv' };
  };
  const run = async (dry, btn) => {
    fill(general);
    const src = await source();
    if (!src) { fill(general, alertBox('bad', t('org.empty'))); general.focus(); return; }
    const bar = progressBar('org-progress');
    general.append(bar.el);
    bar.set(0);
    checkBtn.disabled = importBtn.disabled = true;
    try {
      const r = await upload('/org/import' + (dry ? '?dryRun=true' : ''), src.body, src.type, (x) => bar.set(x >= 1 ? null : x));
      fill(general, h('div', { class: 'alert ok', role: 'status', id: dry ? 'org-ok' : 'org-done' }, t(dry ? 'org.ok' : 'org.done', { tc: r.teamsCreated, tu: r.teamsUpdated, mc: r.membersCreated, mu: r.membersUpdated })));
      if (!dry) S.cache.clear();
    } catch (ex) {
      fill(general, ex.details.length ? h('div', { class: 'alert bad', role: 'alert', id: 'org-bad' }, h('strong', {}, t('org.bad', { n: badRows(ex.details), e: ex.details.length })), h('p', {}, ex.message),
        h('table', { id: 'org-report' }, h('thead', {}, h('tr', {}, ['org.where', 'org.value', 'org.problem'].map((k) => h('th', { scope: 'col' }, t(k))))),
          h('tbody', {}, ex.details.map((d) => h('tr', {}, h('td', {}, d.path), h('td', {}, d.value == null ? '' : String(d.value)), h('td', {}, d.message))))))
        : alertBox('bad', ex.message));
    } finally {
      checkBtn.disabled = importBtn.disabled = false;
      general.focus();
    }
  };
  checkBtn.onclick = () => run(true, checkBtn);
  importBtn.onclick = () => run(false, importBtn);
  append(main, [h('h1', {}, t('org.title')),
    h('form', { class: 'card', id: 'org', novalidate: true, onsubmit: (e) => e.preventDefault() },
      h('p', { class: 'hint', id: 'org-hint' }, t('org.hint', { cols: CSV_COLUMNS }), ' ', sampleLink()),
      h('div', { class: 'field' }, h('label', { for: 'org-file' }, t('org.file')), file),
      h('div', { class: 'field' }, h('label', { for: 'org-text' }, t('org.paste')), paste),
      h('div', { class: 'toolbar' }, checkBtn, importBtn)),
    general]);
  focusMain();
}
