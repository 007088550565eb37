// What a task needs beside its form so nobody decides blind: a manager's
// rating shows the member's self-evaluation and targets against pace; an
// IDP review shows why the plan exists, its items and its check-ins; and
// a rater moves on to the next person without going back to the inbox.
import { get, memberName } from '../api.js';
import { h } from '../dom.js';
import { fieldsFor } from '../forms.js';
import { fmtTime, t, txt } from '../i18n.js';
import { ptrGet } from '../pointer.js';
import { checkinItems, idpItemList, idpWhy } from './idps.js';
import { paceBar } from './results.js';

// besideRating is the member's own view and numbers, for a manager's rating.
export async function besideRating(task, cycle, tpl, members) {
  const self = task.context && task.context.selfEval;
  if (task.kind !== 'manager_eval' || !task.subjectId) return null;
  const name = memberName(members, task.subjectId);
  const targets = cycle ? await get('/cycles/' + encodeURIComponent(cycle.id) + '/targets/progress?memberId=' + encodeURIComponent(task.subjectId)).then((r) => r.items).catch(() => []) : [];
  const names = new Map((tpl.indicators || []).map((i) => [i.key, txt(i.name, i.key)]));
  let selfPart = h('p', { class: 'muted' }, t('ctx.noSelf', { name }));
  if (self && self.data) {
    const fields = fieldsFor({ kind: 'self_eval' }, self.form || {}, tpl, members);
    selfPart = h('dl', { class: 'kv', id: 'self-eval' }, fields.map((f) => {
      const v = ptrGet(self.data, f.path);
      return [h('dt', {}, f.label), h('dd', { class: 'pre' }, v == null || v === '' ? '—' : String(v))];
    }), h('dt', {}, t('col.submitted')), h('dd', {}, fmtTime(self.submittedAt)));
  } else if (self) selfPart = h('p', { class: 'muted', id: 'self-eval-pending' }, t('ctx.selfPending', { name }));
  return h('aside', { class: 'card', id: 'rating-context', 'aria-labelledby': 'ctx-h' }, h('h2', { id: 'ctx-h' }, t('ctx.about', { name })),
    h('h3', {}, t('ctx.self')), selfPart,
    h('h3', {}, t('ctx.targets')),
    targets.length ? h('ul', { class: 'plain', id: 'subject-targets' }, targets.map((x) => h('li', { 'data-indicator': x.indicator },
      h('div', {}, names.get(x.indicator) || x.indicator, ' — ', t('live.ofTarget', { actual: String(x.actual), target: String(x.value) })), paceBar(x, names.get(x.indicator) || x.indicator))))
      : h('p', { class: 'muted' }, t('ctx.noTargets')));
}

// idpReview shows the plan a mentor is asked to judge.
export async function idpReview(task, members) {
  const id = (task.stage || '').startsWith('idp:') ? task.stage.slice(4) : '';
  if (task.kind !== 'idp_review' || !id) return null;
  const p = await get('/idps/' + encodeURIComponent(id)).catch(() => null);
  if (!p) return null;
  return h('section', { class: 'card', id: 'idp-under-review', 'aria-labelledby': 'idp-rev-h' }, h('h2', { id: 'idp-rev-h' }, t('ctx.idp', { name: memberName(members, p.memberId) })),
    h('p', { id: 'idp-why' }, t('ctx.idpWhy'), ' ', idpWhy(p) || t('ctx.idpWhyUnknown')),
    h('h3', {}, t('idp.items')), idpItemList(p, 'idp-review-items'),
    h('h3', {}, t('idp.checkins')), h('ol', { id: 'idp-review-checkins' }, checkinItems(p, members)),
    h('p', {}, h('a', { href: '#/idps/' + encodeURIComponent(p.id) }, t('ctx.idpOpen'))));
}

// nextPerson links to the reader's next open task of the same kind in the
// same cycle (下一位), or says there is none.
export async function nextPerson(task) {
  const r = await get('/inbox?state=open&limit=100').catch(() => ({ items: [] }));
  const next = r.items.find((x) => x.id !== task.id && x.kind === task.kind && x.cycleId === task.cycleId && x.state === 'open');
  return next ? h('a', { href: '#/task/' + encodeURIComponent(next.id), id: 'task-next', class: 'btn secondary' }, t('ctx.next', { name: next.subjectName || t('inbox.yourself') }))
    : h('span', { id: 'task-next-none', class: 'muted' }, t('ctx.noNext'));
}
