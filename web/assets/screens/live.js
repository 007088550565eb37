// The manager's live view of a running cycle, drawn by the dashboard: the
// stage stepper, progress in words that fit the stage, who is pending with
// a one-click nudge, each member's targets against pace while the team
// executes, and cancelling behind a confirmation.
import { api } from '../api.js';
import { alertBox, badge, fill, h, toast } from '../dom.js';
import { collect, renderField, showErrors, validate } from '../forms.js';
import { fmtTime, t, txt } from '../i18n.js';
import { S, rerender } from '../state.js';
import { gridHref } from '../tasks.js';
import { paceBar } from './results.js';

// stageStepper shows every stage of the template in order, the current one
// marked, those before it done.
export function stageStepper(tpl, p, stageName) {
  const stages = tpl.stages || [];
  if (!stages.length || !p) return null;
  return h('ol', { class: 'stepper', id: 'stepper', 'aria-label': t('live.stages') }, stages.map((s, i) => {
    const state = i < p.stageIndex ? 'done' : i === p.stageIndex ? 'now' : 'next';
    return h('li', { class: state, 'data-stage': s.key, 'aria-current': state === 'now' ? 'step' : null },
      h('span', { class: 'n', 'aria-hidden': 'true' }, state === 'done' ? '✓' : String(i + 1)), ' ', stageName.get(s.key) || s.key,
      h('span', { class: 'sr' }, ' — ' + t('live.' + state)));
  }));
}

// progressWords says how far the stage has got in its own terms: members
// done while they evaluate; working to targets while they execute; grades
// under review while a facilitator calibrates.
export function progressWords(p) {
  const key = { goal: 'goal', plan: 'plan', execute: 'execute', calibrate: 'calibrate', feedback: 'feedback', notify: 'notify' }[p.stageType] || 'evaluate';
  return t(key === 'evaluate' ? 'dash.done' : 'live.words.' + key, { done: p.done, members: p.members });
}

// nudged remembers, while the page is open, whom the reader nudged, so a
// refresh does not offer the button again (the server sends one a day anyway).
const nudged = new Map();
// pendingSection lists everyone with an open task, the late first, each
// with a nudge through Remind now (?memberId=), which reminds once a day.
export function pendingSection(cy, open, memberName) {
  const now = Date.now();
  const by = new Map();
  for (const task of open) {
    const x = by.get(task.assigneeId) || { n: 0, due: task.dueAt, late: false };
    x.n++;
    if (task.dueAt < x.due) x.due = task.dueAt;
    if (new Date(task.dueAt).getTime() < now) x.late = true;
    by.set(task.assigneeId, x);
  }
  const people = [...by].sort((a, b) => Number(b[1].late) - Number(a[1].late) || a[1].due.localeCompare(b[1].due));
  return h('section', { class: 'card', 'aria-labelledby': 'pending-h', id: 'pending' }, h('h2', { id: 'pending-h' }, t('live.pending', { n: people.length })),
    people.length ? h('ul', { class: 'plain people', id: 'pending-people' }, people.map(([who, x]) => {
      const name = memberName(who);
      const key = cy.id + '/' + who;
      const done = nudged.get(key);
      const btn = h('button', { type: 'button', class: 'secondary nudge', 'data-member': who, disabled: !!done }, done ? t(done, { name }) : t('live.nudge', { name }));
      btn.onclick = async () => {
        btn.disabled = true;
        try {
          const r = await api('POST', '/cycles/' + encodeURIComponent(cy.id) + '/remind?memberId=' + encodeURIComponent(who));
          nudged.set(key, r.reminded ? 'live.nudged' : 'live.nudgedToday');
          btn.textContent = t(nudged.get(key), { name });
          toast(btn.textContent);
        } catch (ex) { toast(ex.message); btn.disabled = false; }
      };
      return h('li', { 'data-member': who, class: x.late ? 'late' : null },
        h('span', {}, h('strong', {}, name), ' — ', t('live.openTasks', { n: x.n, due: fmtTime(x.due) }), x.late ? [' ', badge('overdue', t('overdue'))] : null), btn);
    })) : h('p', { class: 'muted' }, t('live.nobodyPending')));
}

// rateTeamLink opens the team grid when the reader has people of this
// cycle to rate: their open rating tasks among the cycle's open tasks.
export function rateTeamLink(cy, open) {
  const mine = open.filter((x) => x.assigneeId === S.me.id && x.kind === 'manager_eval' && x.subjectId !== S.me.id);
  if (!mine.length) return null;
  return h('p', { class: 'card', id: 'rate-team-box' }, h('a', { href: gridHref({ cycleId: cy.id, kind: 'manager_eval' }), id: 'rate-team', class: 'btn' }, t('live.grid', { n: mine.length })));
}

// teamTargets shows each member's targets against the pace the period needs
// by now; progress is one list per member, as /targets/progress answers it.
export function teamTargets(progress, tpl, memberName) {
  const names = new Map((tpl.indicators || []).map((i) => [i.key, txt(i.name, i.key)]));
  const rows = [...progress].filter(([, items]) => items.length);
  return h('section', { class: 'card', 'aria-labelledby': 'team-tgt-h', id: 'team-targets' }, h('h2', { id: 'team-tgt-h' }, t('live.targets')),
    rows.length ? [h('p', { class: 'muted small' }, t('tgt.elapsed', { pct: Math.round(rows[0][1][0].elapsed * 100) })),
      h('table', {}, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('col.member')), h('th', { scope: 'col' }, t('tgt.indicator')), h('th', { scope: 'col', class: 'num' }, t('tgt.target')), h('th', { scope: 'col' }, t('dash.progress')))),
        h('tbody', {}, rows.flatMap(([who, items]) => items.map((x, i) => h('tr', { 'data-key': who + '/' + x.indicator, class: x.behind ? 'behind' : null },
          i === 0 ? h('th', { scope: 'row', rowspan: items.length }, memberName(who)) : null,
          h('td', {}, names.get(x.indicator) || x.indicator), h('td', { class: 'num' }, t('live.ofTarget', { actual: String(x.actual), target: String(x.value) })),
          h('td', {}, paceBar(x, memberName(who) + ' · ' + (names.get(x.indicator) || x.indicator))))))))]
      : h('p', { class: 'muted' }, t('live.noTargets')));
}

// cancelControl puts cancelling behind a confirmation: a button opens a
// dialog that asks for the reason and says what cancelling does.
export function cancelControl(cy) {
  const fields = [{ path: '/reason', type: 'textarea', label: t('dash.reason'), required: true, maxLength: 2000 }];
  const general = h('div', { tabindex: '-1' });
  const submit = h('button', { type: 'submit', class: 'danger', id: 'cancel-submit' }, t('dash.cancel'));
  const keep = h('button', { type: 'button', class: 'secondary', id: 'cancel-keep', onclick: () => dialog.close() }, t('live.keep'));
  const form = h('form', { id: 'cancel-form', novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    const body = collect(form, fields);
    const errs = validate(body, fields);
    showErrors(form, errs, general);
    if (errs.length) return;
    submit.disabled = true;
    try {
      await api('POST', '/cycles/' + encodeURIComponent(cy.id) + '/cancel', { reason: body.reason.trim() });
    } catch (ex) {
      submit.disabled = false;
      if (ex.details.length) showErrors(form, ex.details, general);
      else { fill(general, alertBox('bad', ex.message)); general.focus(); }
      return;
    }
    dialog.close();
    toast(t('dash.cancelled'));
    rerender();
  } }, h('h2', { id: 'cancel-h' }, t('live.cancelQ')), h('p', {}, t('live.cancelWhat')), general, fields.map((f) => renderField(f)),
  h('div', { class: 'toolbar' }, keep, submit));
  const dialog = h('dialog', { id: 'cancel-dialog', 'aria-labelledby': 'cancel-h' }, form);
  const open = h('button', { type: 'button', class: 'danger secondary', id: 'cancel', 'aria-haspopup': 'dialog', onclick: () => { dialog.showModal(); form.querySelector('textarea').focus(); } }, t('live.cancelOpen'));
  return h('div', { class: 'card toolbar', id: 'cancel-box' }, h('h2', {}, t('dash.cancel')), open, dialog);
}
