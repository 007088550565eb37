// Screen: the cycles list and the launch form with its timeline preview.
import { api, get, loadUIConfig } from '../api.js';
import { alertBox, append, badge, fill, focusMain, h, idFor, toast } from '../dom.js';
import { collect, renderField, showErrors, validate } from '../forms.js';
import { fmtDate, fmtTime, lang, t, txt } from '../i18n.js';

const uuid = () => (crypto.randomUUID ? crypto.randomUUID() : Date.now().toString(36) + Math.random().toString(36).slice(2));
function lastMonth() {
  const d = new Date();
  d.setDate(1);
  d.setMonth(d.getMonth() - 1);
  return d.getFullYear() + '-' + String(d.getMonth() + 1).padStart(2, '0');
}
export async function cyclesView(main, live) {
  const [tpls, teams, cycles, conf] = await Promise.all([get('/templates?status=published&limit=200'), get('/teams?limit=200'), get('/cycles?limit=100'),
    loadUIConfig().catch(() => ({}))]);
  if (!live()) return;
  const general = h('div', { tabindex: '-1' });
  const fields = [
    { path: '/templateKey', label: t('cycles.template'), type: 'select', required: true, options: tpls.items.map((x) => ({ value: x.key + '@' + x.version, label: (lang === 'en' ? x.nameEn || x.name : x.name) + ' (' + x.key + ' v' + x.version + ')' })) },
    { path: '/teamId', label: t('cycles.team'), type: 'select', required: true, options: teams.items.map((x) => ({ value: x.id, label: (lang === 'en' ? x.nameEn || x.name : x.name) + ' (' + x.key + ')' })) },
    { path: '/period', label: t('cycles.period'), type: 'text', required: true, hint: t('cycles.periodHint') },
    // Time compression is for demos: only the demo server (perfloop dev) offers it.
    conf.demo ? { path: '/compress', label: t('cycles.compress'), type: 'number', min: 1, hint: t('cycles.compressHint') } : null,
  ].filter(Boolean);
  let idem = uuid();
  const submitBtn = h('button', { type: 'submit', id: 'launch-submit' }, t('cycles.preview'));
  const previewBox = h('div', { id: 'launch-preview', 'aria-live': 'polite' });
  const serverErrors = (ex) => {
    if (ex.details.length) showErrors(form, ex.details.map((d) => (d.path === '/version' ? { ...d, path: '/templateKey' } : d)), general);
    else { fill(general, alertBox('bad', ex.message)); general.focus(); }
  };
  const setLocked = (on) => form.querySelectorAll('.row input, .row select').forEach((el) => { el.disabled = on; });
  const launch = async (req, pv, confirmBtn) => {
    confirmBtn.disabled = true;
    // Launching freezes the scope and starts a workflow per member: show that it is working.
    const bar = h('div', { id: 'launch-progress', role: 'status' }, t('cycles.launching', { n: pv.members }), h('progress', { 'aria-label': t('cycles.launching', { n: pv.members }) }));
    previewBox.append(bar);
    let cy;
    try {
      cy = await api('POST', '/cycles', req, { headers: { 'Idempotency-Key': idem } });
    } catch (ex) {
      bar.remove();
      confirmBtn.disabled = false;
      serverErrors(ex);
      return;
    }
    idem = uuid();
    toast(t('cycles.launched', { title: cy.title }));
    location.hash = '#/cycles/' + cy.id;
  };
  const showPreview = (req, pv) => {
    const confirmBtn = h('button', { type: 'button', id: 'launch-confirm' }, t('cycles.confirm'));
    const editBtn = h('button', { type: 'button', class: 'secondary', id: 'launch-edit' }, t('cycles.edit'));
    confirmBtn.onclick = () => launch(req, pv, confirmBtn);
    editBtn.onclick = () => { fill(previewBox); setLocked(false); submitBtn.hidden = false; submitBtn.focus(); };
    const reminders = (st) => st.reminders.length ? h('ul', { class: 'plain' }, st.reminders.map((r) => h('li', {}, fmtTime(r.at), r.overdue ? ' (' + t('cycles.overdueReminder') + ')' : ''))) : '—';
    fill(previewBox, h('section', { class: 'card', 'aria-labelledby': 'pv-h' },
      h('h2', { id: 'pv-h', tabindex: '-1' }, t('cycles.previewTitle')),
      h('p', { id: 'pv-members' }, t('cycles.previewMembers', { n: pv.members, period: pv.period, start: fmtDate(pv.periodStart), end: fmtDate(new Date(new Date(pv.periodEnd) - 1).toISOString()), tz: pv.timezone })),
      h('table', { id: 'timeline' },
        h('thead', {}, h('tr', {}, ['col.stage', 'cycles.opens', 'col.due', 'cycles.reminders', 'cycles.escalation'].map((k) => h('th', { scope: 'col' }, t(k))))),
        h('tbody', {}, pv.stages.map((st) => h('tr', { 'data-stage': st.key },
          h('td', {}, h('strong', {}, txt(st.name, st.key)), st.conditional ? h('span', { class: 'muted small' }, ' ' + t('cycles.conditional')) : null),
          h('td', {}, fmtTime(st.opensAt)), h('td', {}, fmtTime(st.dueAt)), h('td', {}, reminders(st)),
          h('td', {}, st.escalateAt ? fmtTime(st.escalateAt) + ' → ' + t('role.' + st.escalateTo) : '—'))))),
      h('p', { class: 'muted small' }, t('cycles.previewNote')),
      h('div', { class: 'toolbar' }, confirmBtn, editBtn)));
    // A clash with a cycle already there is said now, not after confirming.
    get('/cycles?limit=20&teamId=' + encodeURIComponent(req.teamId) + '&period=' + encodeURIComponent(req.period)).then((r) => {
      const same = r.items.filter((c) => c.state !== 'cancelled');
      if (!same.length || !previewBox.contains(confirmBtn)) return;
      previewBox.querySelector('section').prepend(h('div', { class: 'alert warn', role: 'status', id: 'pv-duplicate' }, t('cycles.duplicate', { period: req.period }), ' ',
        same.map((c, i) => [i ? ', ' : '', h('a', { href: '#/cycles/' + c.id }, c.title, ' (', t('state.' + c.state), ')')])));
    }).catch(() => {});
    setLocked(true);
    submitBtn.hidden = true;
    previewBox.querySelector('h2').focus();
  };
  const form = h('form', { class: 'card', id: 'launch', novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    const body = collect(form, fields);
    const errs = validate(body, fields);
    showErrors(form, errs, general);
    if (errs.length) return;
    const [key, version] = body.templateKey.split('@');
    const req = { templateKey: key, version: Number(version), teamId: body.teamId, period: body.period.trim() };
    if (body.compress) req.compress = body.compress;
    submitBtn.disabled = true;
    try {
      showPreview(req, await api('POST', '/cycles/preview', req));
    } catch (ex) {
      serverErrors(ex);
    } finally { submitBtn.disabled = false; }
  } }, h('h2', {}, t('cycles.launch')), general, h('div', { class: 'row' }, fields.map((f) => renderField(f))), h('div', { class: 'toolbar' }, submitBtn), previewBox);
  append(main, [h('h1', {}, t('cycles.title')), form,
    cycles.items.length ? h('table', { id: 'cycles' },
      h('thead', {}, h('tr', {}, ['col.title', 'col.period', 'col.state', 'col.stage', 'col.created'].map((k) => h('th', { scope: 'col' }, t(k))))),
      h('tbody', {}, cycles.items.map((c) => h('tr', {},
        h('td', {}, h('a', { href: '#/cycles/' + c.id }, c.title)), h('td', {}, c.period), h('td', {}, badge(c.state)), h('td', {}, c.currentStage || '—'), h('td', {}, fmtTime(c.createdAt))))))
      : h('p', { class: 'card' }, t('cycles.none'))]);
  const period = form.querySelector('#' + idFor('/period'));
  period.value = lastMonth();
  period.placeholder = '2026-10';
  // A month picker that still takes a quarter: the year's months and quarters around now, to choose or type.
  const now = new Date();
  const months = Array.from({ length: 15 }, (_, i) => { const d = new Date(now.getFullYear(), now.getMonth() - 11 + i, 1); return d.getFullYear() + '-' + String(d.getMonth() + 1).padStart(2, '0'); });
  const quarters = [now.getFullYear() - 1, now.getFullYear()].flatMap((y) => [1, 2, 3, 4].map((q) => y + '-Q' + q));
  period.setAttribute('list', 'period-choices');
  period.after(h('datalist', { id: 'period-choices' }, [...months.reverse(), ...quarters.reverse()].map((v) => h('option', { value: v }))));
  focusMain();
}
