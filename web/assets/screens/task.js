// Screen: one task and its form.
import { api, get, loadCycle, loadMembers, loadTemplate, memberName } from '../api.js';
import { alertBox, append, badge, fill, focusMain, h, toast } from '../dom.js';
import { collect, fieldsFor, planList, renderField, showErrors, validate, writeField } from '../forms.js';
import { fmtTime, t } from '../i18n.js';
import { ptrGet } from '../pointer.js';
import { calibrationBoard } from './calibration.js';
import { breakdown, rankedOf } from './results.js';
import { S, rerender } from '../state.js';
import { besideRating, idpReview, nextPerson } from './taskcontext.js';
import { isOverdue, taskTitle } from '../tasks.js';

// Kinds where a rater goes through several people in a row.
const RATINGS = ['manager_eval', 'peer_eval', 'cross_eval', 'idp_review'];
export async function taskView(main, live, id) {
  const task = await get('/tasks/' + encodeURIComponent(id));
  const form = task.form || {};
  const cycle = await loadCycle(task.cycleId).catch(() => null);
  const tpl = cycle ? await loadTemplate(cycle.templateKey, cycle.templateVersion).catch(() => ({})) : {};
  const members = await loadMembers().catch(() => null);
  if (!live()) return;
  const closed = task.state !== 'open';
  append(main, [
    h('p', {}, h('a', { href: '#/inbox' }, t('task.back'))),
    h('h1', {}, taskTitle(task)),
    h('dl', { class: 'kv card' },
      h('dt', {}, t('col.kind')), h('dd', {}, t('kind.' + task.kind)),
      cycle ? [h('dt', {}, t('task.cycle')), h('dd', {}, cycle.title)] : null,
      task.subjectId && task.subjectId !== task.assigneeId && !form.anonymous ? [h('dt', {}, t('task.subject')), h('dd', { id: 'task-subject' }, memberName(members, task.subjectId))] : null,
      h('dt', {}, t('col.due')), h('dd', {}, fmtTime(task.dueAt), ' ', isOverdue(task) ? badge('overdue', t('overdue')) : null),
      h('dt', {}, t('col.state')), h('dd', {}, badge(task.state))),
  ]);
  focusMain();
  if (closed) main.append(alertBox('warn', t('task.closed', { state: t('state.' + task.state) })));
  if (task.kind === 'calibration') { await calibrationBoard(main, live, task, cycle, tpl, members, closed); return; }
  if (task.kind === 'acknowledge' && cycle) {
    const r = await get('/cycles/' + cycle.id + '/results').catch(() => null);
    const mine = r && r.items.find((x) => x.memberId === S.me.id);
    if (mine && live()) main.append(h('section', { class: 'card' }, h('h2', {}, t('results.title')), breakdown(mine, tpl, rankedOf(cycle, r))));
  }
  const more = task.context || {};
  if (more.plan) main.append(h('section', { class: 'card', id: 'plan-under-review' },
    h('h2', {}, t('plan.title'), more.plan.revision ? ' (' + t('plan.revision', { n: more.plan.revision }) + ')' : ''), planList(more.plan)));
  if (more.review) main.append(alertBox('warn', t('plan.sentBack', { who: memberName(members, more.review.reviewerId) }),
    h('div', {}, h('p', { id: 'plan-review-comment' }, more.review.comment), h('details', {}, h('summary', {}, t('plan.previous')), planList(more.review.previous)))));
  const [beside, idp] = await Promise.all([besideRating(task, cycle, tpl, members), idpReview(task, members)]);
  if (!live()) return;
  if (idp) main.append(idp);
  const fields = fieldsFor(task, form, tpl, members);
  const draftKey = 'pl.draft.' + task.id;
  const general = h('div', { id: 'task-general', tabindex: '-1' });
  let saveTimer;
  const onInput = () => {
    clearTimeout(saveTimer);
    saveTimer = setTimeout(() => localStorage.setItem(draftKey, JSON.stringify(collect(formEl, fields))), 250);
  };
  const submitBtn = h('button', { type: 'submit', id: 'task-submit', disabled: closed }, t('task.submit'));
  const formEl = h('form', { class: 'card', id: 'task-form', novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    const body = collect(formEl, fields);
    const errs = validate(body, fields);
    showErrors(formEl, errs, general);
    if (errs.length) return;
    submitBtn.disabled = true;
    try {
      await api('POST', '/tasks/' + encodeURIComponent(task.id) + '/submit', body);
    } catch (ex) {
      submitBtn.disabled = false;
      if (ex.details.length) showErrors(formEl, ex.details, general);
      else { fill(general, alertBox('bad big', ex.message)); general.focus(); }
      return;
    }
    localStorage.removeItem(draftKey);
    formEl.querySelectorAll('input,select,textarea,button').forEach((el) => { el.disabled = true; });
    const done = h('div', { class: 'alert ok big', role: 'status', id: 'task-done' }, t('task.done'), ' ', h('a', { href: '#/inbox' }, t('task.back')));
    fill(general, done);
    general.focus();
    toast(t('task.done'));
    if (RATINGS.includes(task.kind)) nextPerson(task).then((el) => done.append(' ', el));
  } }, general, fields.map((f) => renderField(f, onInput)), h('div', { class: 'toolbar' }, submitBtn));
  main.append(beside ? h('div', { class: 'beside' }, formEl, beside) : formEl);
  const draft = localStorage.getItem(draftKey);
  if (!draft && !closed && more.review && more.review.previous && more.review.previous.data) {
    fields.forEach((f) => writeField(formEl, f, ptrGet(more.review.previous.data, f.path)));
    general.append(h('p', { class: 'hint', id: 'plan-prefilled' }, t('plan.prefilled')));
  }
  if (draft && !closed) {
    try {
      const d = JSON.parse(draft);
      fields.forEach((f) => writeField(formEl, f, ptrGet(d, f.path)));
      general.append(h('div', { class: 'alert warn', role: 'status', id: 'task-draft' }, t('task.draft'), ' ',
        h('button', { type: 'button', class: 'link', onclick: () => { localStorage.removeItem(draftKey); rerender(); } }, t('task.discard'))));
    } catch (e) { localStorage.removeItem(draftKey); }
  }
  if (closed) formEl.querySelectorAll('input,select,textarea').forEach((el) => { el.disabled = true; });
}
