// Screen: the team grid, where a rater scores everyone of a cycle on one
// screen: a row per person with their self-evaluation and targets beside,
// a column per field of the rating form. Each row is saved on its own
// through the task's submit route, so it is checked as the task screen's
// form is (forms.js validate, then the server), and every problem is shown
// at its cell. A row's draft is the task's draft: what is typed here the
// task screen restores, and back. On a phone the rows stack as cards.
import { api, get, getAll, loadCycle, loadMembers, loadTemplate, memberName } from '../api.js';
import { badge, fill, focusMain, h, idFor } from '../dom.js';
import { collect, fieldsFor, validate, writeField } from '../forms.js';
import { D, fmtNum, fmtTime, t, txt } from '../i18n.js';
import { ptrGet } from '../pointer.js';
import { paceBar } from './results.js';
import { GRID_KINDS } from '../tasks.js';

Object.assign(D, {
  'grid.title': ['为团队评分', 'Rate the team'],
  'grid.of': ['{cycle} · {kind}', '{cycle} · {kind}'],
  'grid.help': ['每行是一位成员，保存后单独提交。按 Tab 在格子之间移动，在分数格中按 Enter 保存这一行并跳到下一位。', 'Each row is one person, saved on its own. Tab moves between cells; Enter in a score saves the row and moves to the next person.'],
  'grid.person': ['成员', 'Person'], 'grid.context': ['自评与指标', 'Self-evaluation and targets'], 'grid.save': ['保存', 'Save'],
  'grid.saveFor': ['保存 {name} 的评分', 'Save the rating of {name}'], 'grid.saved': ['已保存', 'Saved'],
  'grid.savedFor': ['已保存 {name} 的评分，还有 {n} 人待评。', 'Saved the rating of {name}; {n} still to rate.'],
  'grid.allSaved': ['全部评完了，谢谢！', 'Everyone is rated — thank you!'], 'grid.fix': ['请修正标出的格子。', 'Please fix the marked cells.'],
  'grid.none': ['这个考核周期里没有等你评分的人。', 'Nobody in this cycle is waiting for your rating.'],
  'grid.cell': ['{field}（{name}）', '{field} ({name})'], 'grid.self': ['自评 {score}', 'self {score}'],
  'grid.open': ['单独打开', 'Open on its own'], 'grid.count': ['{n} 人待评', '{n} to rate'],
});

export async function teamGridView(main, live, cycleId, kind) {
  const [inbox, cycle, members] = await Promise.all([getAll('/inbox?state=open'), loadCycle(cycleId), loadMembers().catch(() => null)]);
  const tpl = await loadTemplate(cycle.templateKey, cycle.templateVersion).catch(() => ({}));
  const mine = inbox.items.filter((x) => x.cycleId === cycleId && x.kind === kind && x.state === 'open' && GRID_KINDS.includes(kind));
  // Each task with its form and context (the self-evaluation), and, for a manager, the person's targets against pace.
  const rows = await Promise.all(mine.map(async (x) => {
    const [task, targets] = await Promise.all([get('/tasks/' + encodeURIComponent(x.id)),
      kind === 'manager_eval' && x.subjectId ? get('/cycles/' + encodeURIComponent(cycleId) + '/targets/progress?memberId=' + encodeURIComponent(x.subjectId)).then((r) => r.items).catch(() => []) : []]);
    return { task, targets, name: x.subjectName || memberName(members, x.subjectId) };
  }));
  if (!live()) return;
  const indicatorName = new Map((tpl.indicators || []).map((i) => [i.key, txt(i.name, i.key)]));
  const status = h('p', { id: 'grid-status', role: 'status', class: 'small' });
  main.append(h('p', {}, h('a', { href: '#/inbox' }, t('task.back'))),
    h('h1', {}, t('grid.title')), h('p', { class: 'muted' }, t('grid.of', { cycle: cycle.title, kind: t('kind.' + kind) })));
  if (!rows.length) { main.append(h('p', { class: 'card', id: 'grid-none' }, t('grid.none'))); focusMain(); return; }
  main.append(h('p', { class: 'muted small', id: 'grid-help' }, t('grid.help')), status);
  // The columns: every field any row's form has, in the order the forms give them.
  const perRow = rows.map((r) => fieldsFor(r.task, r.task.form || {}, tpl, members));
  const columns = [];
  perRow.flat().forEach((f) => { if (!columns.some((c) => c.path === f.path)) columns.push(f); });
  const colId = (f) => 'gcol' + idFor(f.path);
  const table = h('table', { id: 'team-grid', class: 'grid' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('grid.person')), h('th', { scope: 'col' }, t('grid.context')),
      columns.map((f) => h('th', { scope: 'col', class: f.type === 'number' ? 'num' : null }, h('span', { id: colId(f) }, f.label), f.hint ? h('span', { class: 'muted small hint' }, ' ', f.hint) : null)),
      h('th', { scope: 'col' }, t('col.actions')))),
    h('tbody', {}, rows.map((r, i) => gridRow(r, perRow[i]))));
  main.append(h('div', { class: 'grid-wrap' }, table));
  focusMain();

  function gridRow(r, fields) {
    const task = r.task;
    const rowId = 'g-' + task.id;
    const nameId = rowId + '-name';
    // Each field gets an id of its own in this row, so collect and writeField read this row's cells.
    const own = fields.map((f) => ({ ...f, id: rowId + idFor(f.path).slice(1) }));
    const tr = h('tr', { 'data-task': task.id, 'data-member': task.subjectId || '', id: rowId });
    const draftKey = 'pl.draft.' + task.id;
    const note = h('div', { class: 'err row-err', id: rowId + '-err', role: 'alert' });
    const saveBtn = h('button', { type: 'button', class: 'save', 'aria-describedby': rowId + '-err' }, t('grid.save'), h('span', { class: 'sr' }, ' — ' + r.name));
    const onInput = () => localStorage.setItem(draftKey, JSON.stringify(collect(tr, own)));
    const cell = (col) => {
      const f = own.find((x) => x.path === col.path);
      if (!f) return h('td', {}, '—');
      const errId = f.id + '-err';
      const attrs = { id: f.id, name: f.path, 'aria-labelledby': colId(col) + ' ' + nameId, 'aria-describedby': errId, oninput: onInput, onchange: onInput, required: f.required };
      const control = f.type === 'textarea' ? h('textarea', { ...attrs, rows: 2, maxlength: f.maxLength })
        : h('input', { ...attrs, type: 'number', inputmode: 'decimal', min: f.min, max: f.max, step: f.step || 'any',
          onkeydown: (e) => { if (e.key === 'Enter') { e.preventDefault(); save(); } } });
      return h('td', { class: f.type === 'number' ? 'num' : null }, h('div', { class: 'cell', 'data-path': f.path }, control, h('div', { class: 'err', id: errId })));
    };
    tr.append(h('th', { scope: 'row' }, h('strong', { id: nameId }, r.name), h('div', { class: 'small' }, h('a', { href: '#/task/' + encodeURIComponent(task.id) }, t('grid.open')))),
      h('td', { class: 'ctx' }, context(r)), ...columns.map(cell), h('td', { class: 'act' }, saveBtn, note));
    saveBtn.onclick = () => save();
    try {
      const d = JSON.parse(localStorage.getItem(draftKey) || 'null');
      if (d) own.forEach((f) => writeField(tr, f, ptrGet(d, f.path)));
    } catch (e) { localStorage.removeItem(draftKey); }

    // mark shows each problem at its cell, and what no cell holds under the Save button.
    const mark = (errs) => {
      tr.querySelectorAll('.cell .err').forEach((e) => { e.textContent = ''; });
      tr.querySelectorAll('[aria-invalid]').forEach((e) => e.removeAttribute('aria-invalid'));
      fill(note);
      let first = null;
      const loose = [];
      for (const e of errs) {
        const wrap = tr.querySelector('.cell[data-path="' + CSS.escape(e.path || '') + '"]');
        if (!wrap) { loose.push(e.message); continue; }
        const box = wrap.querySelector('.err');
        box.textContent = (box.textContent ? box.textContent + ' ' : '') + e.message;
        const ctl = wrap.querySelector('input,textarea');
        ctl.setAttribute('aria-invalid', 'true');
        first = first || ctl;
      }
      if (errs.length) note.textContent = [first ? t('grid.fix') : '', ...loose].filter(Boolean).join(' ');
      if (first) first.focus(); else if (errs.length) saveBtn.focus();
    };
    async function save() {
      const body = collect(tr, own);
      const errs = validate(body, own);
      mark(errs);
      if (errs.length) return;
      saveBtn.disabled = true;
      try {
        await api('POST', '/tasks/' + encodeURIComponent(task.id) + '/submit', body);
      } catch (ex) {
        saveBtn.disabled = false;
        mark(ex.details.length ? ex.details : [{ path: '', message: ex.message }]);
        return;
      }
      localStorage.removeItem(draftKey);
      tr.classList.add('saved');
      tr.querySelectorAll('input,textarea').forEach((el) => { el.disabled = true; });
      fill(tr.querySelector('td.act'), badge('submitted', t('grid.saved')));
      const left = [...table.tBodies[0].rows].filter((x) => !x.classList.contains('saved'));
      status.textContent = left.length ? t('grid.savedFor', { name: r.name, n: left.length }) : t('grid.allSaved');
      // Keyboard flow: on to the next person still to rate, or to the message that says all are done.
      const next = left.find((x) => x.compareDocumentPosition(tr) & Node.DOCUMENT_POSITION_PRECEDING) || left[0];
      const target = next && next.querySelector('input,textarea');
      if (target) target.focus(); else { status.setAttribute('tabindex', '-1'); status.focus(); }
    }
    return tr;
  }

  // context is what the person said of themselves and how their targets stand.
  function context(r) {
    const self = r.task.context && r.task.context.selfEval;
    const parts = [];
    if (self && self.data) {
      const scores = (self.data && self.data.scores) || {};
      parts.push(h('ul', { class: 'plain small self' }, Object.keys(scores).map((k) => h('li', {}, (indicatorName.get(k) || k) + ' · ' + t('grid.self', { score: fmtNum(scores[k]) })))));
      if (self.data.comment) parts.push(h('p', { class: 'small pre quote' }, self.data.comment));
      if (self.submittedAt) parts.push(h('p', { class: 'small muted' }, t('col.submitted'), ' ', fmtTime(self.submittedAt)));
    } else if (self) parts.push(h('p', { class: 'small muted' }, t('ctx.selfPending', { name: r.name })));
    else if (r.task.kind === 'manager_eval') parts.push(h('p', { class: 'small muted' }, t('ctx.noSelf', { name: r.name })));
    if (r.targets.length) parts.push(h('ul', { class: 'plain small targets' }, r.targets.map((x) => h('li', { 'data-indicator': x.indicator },
      h('div', {}, (indicatorName.get(x.indicator) || x.indicator) + ' — ' + t('live.ofTarget', { actual: fmtNum(x.actual), target: fmtNum(x.value) })), paceBar(x, indicatorName.get(x.indicator) || x.indicator)))));
    return parts.length ? parts : '—';
  }
}
