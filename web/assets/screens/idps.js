// Screens: development plans and one plan with its check-ins.
import { api, get, loadMembers, memberName } from '../api.js';
import { alertBox, append, badge, fill, focusMain, h, toast } from '../dom.js';
import { collect, renderField, showErrors, validate } from '../forms.js';
import { fmtDate, fmtNum, fmtTime, t, txt } from '../i18n.js';
import { S } from '../state.js';

export async function idpsView(main, live) {
  const [r, members] = await Promise.all([get('/idps?limit=200'), loadMembers().catch(() => null)]);
  if (!live()) return;
  append(main, [h('h1', {}, t('idp.title')),
    r.items.length ? h('table', { id: 'idps' },
      h('thead', {}, h('tr', {}, ['idp.member', 'idp.mentor', 'idp.due', 'col.state', 'col.actions'].map((k) => h('th', { scope: 'col' }, t(k))))),
      h('tbody', {}, r.items.map((p) => h('tr', { 'data-idp': p.id },
        h('td', {}, memberName(members, p.memberId)), h('td', {}, p.mentorId ? memberName(members, p.mentorId) : '—'), h('td', {}, fmtDate(p.dueAt)),
        h('td', {}, badge(p.state, t(p.state === 'open' ? 'state.open_idp' : 'state.' + p.state))),
        h('td', {}, h('a', { href: '#/idps/' + p.id }, t('idp.open')))))))
      : h('p', { class: 'card', id: 'idps-empty' }, t('idp.none'))]);
  focusMain();
}
export async function idpView(main, live, id) {
  const [p, members] = await Promise.all([get('/idps/' + encodeURIComponent(id)), loadMembers().catch(() => null)]);
  if (!live()) return;
  const list = h('ol', { id: 'checkins' });
  const drawCheckins = () => fill(list, checkinItems(p, members));
  drawCheckins();
  const canWrite = p.state === 'open' && (S.me.id === p.memberId || S.me.id === p.mentorId);
  const fields = [{ path: '/note', type: 'textarea', label: t('idp.note'), required: true, maxLength: 4000, hint: t('idp.noteHint') }];
  const general = h('div', { tabindex: '-1' });
  const btn = h('button', { type: 'submit', id: 'checkin-submit' }, t('idp.add'));
  const form = canWrite ? h('form', { class: 'card', id: 'checkin', novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    const body = collect(form, fields);
    const errs = validate(body, fields);
    showErrors(form, errs, general);
    if (errs.length) return;
    btn.disabled = true;
    try {
      const c = await api('POST', '/idps/' + encodeURIComponent(p.id) + '/checkins', { note: body.note.trim() });
      p.checkins.push(c);
      drawCheckins();
      form.reset();
      toast(t('idp.added'));
    } catch (ex) {
      if (ex.details.length) showErrors(form, ex.details, general);
      else { fill(general, alertBox('bad', ex.message)); general.focus(); }
    } finally { btn.disabled = false; }
  } }, h('h2', {}, t('idp.add')), general, fields.map((f) => renderField(f)), h('div', { class: 'toolbar' }, btn)) : null;
  append(main, [h('p', {}, h('a', { href: '#/idps' }, t('idp.back'))), h('h1', {}, t('idp.title'), ' · ', memberName(members, p.memberId)),
    h('dl', { class: 'kv card' },
      h('dt', {}, t('idp.member')), h('dd', {}, memberName(members, p.memberId)),
      h('dt', {}, t('idp.mentor')), h('dd', {}, p.mentorId ? memberName(members, p.mentorId) : '—'),
      h('dt', {}, t('idp.due')), h('dd', {}, fmtDate(p.dueAt)),
      p.checkinEveryDays ? [h('dt', {}, t('idp.checkins')), h('dd', {}, t('idp.every', { n: p.checkinEveryDays }))] : null,
      idpWhy(p) ? [h('dt', {}, t('idp.triggers')), h('dd', { id: 'idp-triggers' }, idpWhy(p))] : null,
      h('dt', {}, t('col.state')), h('dd', {}, badge(p.state, t(p.state === 'open' ? 'state.open_idp' : 'state.' + p.state)))),
    h('section', { class: 'card', 'aria-labelledby': 'idp-items-h' }, h('h2', { id: 'idp-items-h' }, t('idp.items')),
      idpItemList(p, 'idp-items')),
    h('section', { class: 'card', 'aria-labelledby': 'idp-ci-h' }, h('h2', { id: 'idp-ci-h' }, t('idp.checkins')), list),
    form]);
  focusMain();
}
// idpWhy says why a plan exists: the periods whose results triggered it,
// with the rank and score when the engine recorded them.
export function idpWhy(p) {
  return Array.isArray(p.triggers) && p.triggers.length ? p.triggers.map((x) => (x.rank ? t('idp.trigger', { period: x.period, rank: x.rank, n: x.teamSize, score: fmtNum(x.score) }) : x.period)).join('; ') : '';
}
// idpItemList lists what the plan asks the member to do.
export function idpItemList(p, id) {
  const items = Array.isArray(p.items) ? p.items : [];
  return items.length ? h('ul', { id }, items.map((it) => h('li', {}, typeof it === 'string' ? it : txt(it.title || it.name, '') || it.action || JSON.stringify(it)))) : h('p', { class: 'muted' }, t('results.nothing'));
}
// checkinItems are the plan's check-ins, oldest first, each with who wrote it.
export function checkinItems(p, members) {
  return p.checkins && p.checkins.length ? p.checkins.map((c) => h('li', {}, h('strong', {}, fmtTime(c.at)), ' · ', memberName(members, c.by), h('br'), c.note)) : h('li', { class: 'muted' }, t('idp.noCheckins'));
}
