// Screen: a cycle's dashboard for leads: progress, overdue people, reports,
// interviews, metrics upload, results.
import { api, download, get, getAll, loadCycle, loadMembers, loadTemplate, memberName, upload } from '../api.js';
import { attainChart, gradeChart, progressBar, stageCompletion } from '../charts.js';
import { $, alertBox, append, badge, fill, focusMain, h, patch, staleBanner, toast } from '../dom.js';
import { planList } from '../forms.js';
import { gradeOrder, limitReport, resultGrade } from '../grades.js';
import { fmtNum, fmtTime, t, txt } from '../i18n.js';
import { breakdown, icsLink, rankedOf } from './results.js';
import { clearTimers, refreshEvery } from '../state.js';
import { reportRound } from '../tasks.js';
import { cancelControl, pendingSection, progressWords, rateTeamLink, stageStepper, teamTargets } from './live.js';

function overdueSection(cy, members) {
  const by = new Map();
  for (const o of cy.overdue) {
    const x = by.get(o.assigneeId) || { n: 0, due: o.dueAt };
    x.n++;
    if (o.dueAt < x.due) x.due = o.dueAt;
    by.set(o.assigneeId, x);
  }
  const btn = h('button', { type: 'button', id: 'remind-now', disabled: !cy.overdue.length }, t('dash.remind'));
  btn.onclick = async () => {
    btn.disabled = true;
    try {
      const r = await api('POST', '/cycles/' + encodeURIComponent(cy.id) + '/remind');
      toast(t('dash.reminded', { n: r.reminded, total: r.overdue }));
      $('#remind-result') && fill($('#remind-result'), t('dash.reminded', { n: r.reminded, total: r.overdue }));
    } catch (ex) { toast(ex.message); } finally { btn.disabled = false; }
  };
  return h('section', { class: 'card', 'aria-labelledby': 'overdue-h', id: 'overdue' }, h('h2', { id: 'overdue-h' }, t('dash.overdue')),
    by.size ? h('ul', { id: 'overdue-people' }, [...by].map(([who, x]) => h('li', { 'data-member': who }, h('strong', {}, memberName(members, who)), ' — ', t('dash.overdueTasks', { n: x.n, due: fmtTime(x.due) }))))
      : h('p', { class: 'muted' }, t('dash.noOverdue')),
    h('div', { class: 'toolbar' }, btn, h('span', { id: 'remind-result', class: 'muted', role: 'status' })));
}
function metricsForm(cy) {
  const general = h('div', { tabindex: '-1', id: 'metrics-general' });
  const file = h('input', { type: 'file', id: 'metrics-file', accept: '.csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'aria-describedby': 'metrics-hint' });
  const btn = h('button', { type: 'submit', id: 'metrics-upload' }, t('dash.upload'));
  const replace = h('input', { type: 'checkbox', id: 'metrics-replace' });
  const sheet = h('button', { type: 'button', class: 'link' }, t('dash.metricsSheet'));
  sheet.onclick = () => download('/cycles/' + encodeURIComponent(cy.id) + '/metrics-template.xlsx', 'metrics-' + cy.period + '.xlsx').catch((ex) => toast(ex.message));
  const form = h('form', { class: 'card', id: 'metrics', novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    fill(general);
    const f = file.files[0];
    if (!f) { fill(general, alertBox('bad', t('v.required'))); return; }
    const type = /\.xlsx$/i.test(f.name) ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' : 'text/csv';
    const bar = progressBar('metrics-progress');
    general.append(bar.el);
    bar.set(0);
    btn.disabled = true;
    try {
      const r = await upload('/metrics/upload?period=' + encodeURIComponent(cy.period) + (replace.checked ? '&replace=true' : ''), f, type, (x) => bar.set(x >= 1 ? null : x));
      fill(general, alertBox('ok', r.duplicate ? t('dash.duplicate') : t('dash.uploaded', r)));
    } catch (ex) {
      // A conflict or a refusal says what to do in its message; a 400 lists bad cells.
      const items = ex.details.map((d) => h('li', {}, (d.path ? d.path + ': ' : '') + d.message + (d.value != null && d.value !== '' ? ' (' + JSON.stringify(d.value) + ')' : '')));
      if (ex.omitted) items.push(h('li', {}, t('dash.omitted', { n: ex.omitted })));
      fill(general, alertBox('bad', ex.details.length && ex.status === 400 ? t('dash.badRows') : ex.message, items.length ? h('ul', {}, items) : null));
    } finally { btn.disabled = false; }
  } }, h('h2', {}, t('dash.metrics')), general,
    h('div', { class: 'field' }, h('label', { for: 'metrics-file' }, t('dash.metricsFile')), file, h('p', { class: 'hint', id: 'metrics-hint' }, t('dash.metricsHint'), ' ', sheet)),
    h('div', { class: 'field' }, h('label', { class: 'choice' }, replace, t('dash.replace'))),
    h('div', { class: 'toolbar' }, btn));
  return form;
}
function resultsTable(rows, tpl, members, n) {
  return h('table', { id: 'results' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col', class: 'num' }, t('col.rank')), h('th', { scope: 'col' }, t('col.member')), h('th', { scope: 'col', class: 'num' }, t('col.score')),
      ['col.proposed', 'col.grade', 'col.state'].map((k) => h('th', { scope: 'col' }, t(k))), h('th', { scope: 'col' }, t('results.breakdown')))),
    h('tbody', {}, rows.map((r) => h('tr', {},
      h('td', { class: 'num' }, String(r.rank)), h('td', {}, memberName(members, r.memberId)), h('td', { class: 'num' }, fmtNum(r.finalScore)),
      h('td', {}, r.proposedGrade || '—'), h('td', {}, r.grade || '—'), h('td', {}, badge(r.state)),
      // The breakdown is built when opened, so a 500-member table stays light.
      h('td', {}, h('details', { 'data-member': r.memberId, ontoggle: (e) => { const d = e.currentTarget; if (d.open && d.children.length < 2) d.append(breakdown(r, tpl, n)); } }, h('summary', {}, t('results.breakdown'))))))));
}
export async function dashboardView(main, live, id) {
  const [first, members] = await Promise.all([loadCycle(id), loadMembers().catch(() => null)]);
  const tpl = await loadTemplate(first.templateKey, first.templateVersion).catch(() => ({}));
  if (!live()) return;
  const stageOrder = (tpl.stages || []).map((s) => s.key);
  const names = new Map((tpl.stages || []).map((s) => [s.key, txt(s.name, s.key)]));
  const reportsOf = new Map((tpl.stages || []).filter((s) => s.reports).map((s) => [s.key, s.reports]));
  // A report round is a stage of its own to the engine ("execute#report-2"): name it by its report.
  const stageName = { get: (k) => {
    // An IDP review's stage is the plan's id ("idp:<uuid>"): say what it is, never the key.
    if ((k || '').startsWith('idp:')) return t('kind.idp_review');
    const round = reportRound(k);
    if (!round) return names.get(k);
    const rp = reportsOf.get(round.stage);
    return (rp && rp.name ? txt(rp.name) : t('kind.report')) + ' · ' + t('rep.round', { n: round.n });
  } };
  const gradeName = new Map((tpl.grades || []).map((g) => [g.key, txt(g.name, g.key)]));
  const head = h('div');
  const data = h('div', { id: 'dashboard-data' });
  const cancelBox = h('div');
  const exportBtn = h('button', { type: 'button', class: 'secondary', id: 'export-xlsx' }, t('dash.export'));
  exportBtn.onclick = async () => {
    exportBtn.disabled = true;
    exportBtn.textContent = t('dash.exporting');
    try { await download('/cycles/' + encodeURIComponent(id) + '/export.xlsx', 'perfloop-' + first.period + '.xlsx'); } catch (ex) { toast(ex.message); }
    exportBtn.disabled = false;
    exportBtn.textContent = t('dash.export');
  };
  const hasMetrics = (tpl.indicators || []).some((i) => i.kind === 'quantitative');
  append(main, [h('p', {}, h('a', { href: '#/cycles' }, '← ' + t('cycles.title'))), h('div', { id: 'dashboard' }, head, data, hasMetrics ? metricsForm(first) : null, cancelBox)]);
  let running = null;
  // What the live view adds while the cycle runs: open tasks, and each member's targets while the team executes.
  const team = { open: null, targets: null, targetsAt: 0 };
  const who = (m) => memberName(members, m);
  const loadLive = async (cy) => {
    if (!['pending', 'running', 'blocked'].includes(cy.state)) { team.open = team.targets = null; return; }
    const base = '/cycles/' + encodeURIComponent(id);
    team.open = (await getAll(base + '/tasks?state=open').catch(() => ({ items: [] }))).items;
    if (!cy.progress || cy.progress.stageType !== 'execute') { team.targets = null; return; }
    // Targets move with metric imports, not by the second: a 30 s old view is fresh enough.
    if (team.targets && Date.now() - team.targetsAt < 30000) return;
    const all = (await get(base + '/targets').catch(() => ({ items: [] }))).items || [];
    const ids = [...new Set(all.filter((x) => x.memberId).map((x) => x.memberId))].slice(0, 200);
    const lists = await Promise.all(ids.map((m) => get(base + '/targets/progress?memberId=' + encodeURIComponent(m)).then((r) => r.items).catch(() => [])));
    team.targets = new Map(ids.map((m, i) => [m, lists[i]]));
    team.targetsAt = Date.now();
  };
  const draw = (cy, res, interviews, reports) => {
    const p = cy.progress;
    patch(head, h('h1', {}, cy.title, ' ', badge(cy.state)),
      ['pending', 'running', 'blocked'].includes(cy.state) ? stageStepper(tpl, p, stageName) : null,
      h('dl', { class: 'kv card' },
        h('dt', {}, t('dash.template')), h('dd', {}, cy.templateKey + ' v' + cy.templateVersion),
        h('dt', {}, t('col.period')), h('dd', {}, cy.period),
        h('dt', {}, t('dash.started')), h('dd', {}, fmtTime(cy.startedAt)),
        cy.finishedAt ? [h('dt', {}, t('dash.finished')), h('dd', {}, fmtTime(cy.finishedAt))] : null,
        cy.cancelReason ? [h('dt', {}, t('dash.cancelReason')), h('dd', {}, cy.cancelReason)] : null,
        cy.blockedReason ? [h('dt', {}, t('dash.blockedReason')), h('dd', { id: 'blocked-reason' }, cy.blockedReason)] : null),
      cy.state === 'blocked' ? resumeButton(cy) : null,
      ['pending', 'running'].includes(cy.state) ? h('p', { class: 'muted small' }, t('dash.auto')) : null);
    const counts = {};
    res.items.forEach((r) => { const g = resultGrade(r); counts[g] = (counts[g] || 0) + 1; });
    if (!res.items.length && p && p.grades) Object.assign(counts, p.grades);
    const n = Object.values(counts).reduce((a, b) => a + b, 0);
    const order = gradeOrder(tpl, res.items);
    const pct = p && p.members ? Math.round((100 * p.done) / p.members) : 0;
    const report = limitReport(tpl.distribution, counts, n);
    patch(data,
      h('div', { class: 'grid2' },
        h('section', { class: 'card', id: 'progress', 'aria-labelledby': 'progress-h' }, h('h2', { id: 'progress-h' }, t('dash.progress')),
          p ? [
            h('dl', { class: 'kv' },
              h('dt', {}, t('dash.stage')), h('dd', { id: 'stage' }, t('dash.stageOf', { name: stageName.get(p.stage) || p.stage || '—', i: p.stageIndex + 1, n: p.stages })),
              h('dt', {}, t('col.due')), h('dd', {}, fmtTime(p.due), ' ', p.due && new Date(p.due) < new Date() && cy.state === 'running' ? badge('overdue', t('overdue')) : null),
              p.expired ? [h('dt', {}, t('dash.expired')), h('dd', {}, String(p.expired))] : null,
              p.skipped && p.skipped.length ? [h('dt', {}, t('dash.skipped')), h('dd', {}, p.skipped.join(', '))] : null),
            h('p', { id: 'done' }, progressWords(p)),
            (() => { const bar = h('div', { class: 'progress', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': p.members, 'aria-valuenow': p.done, 'aria-label': t('dash.progress') }, h('span')); bar.firstChild.style.width = pct + '%'; return bar; })(),
          ] : h('p', { class: 'muted' }, t('state.' + cy.state)),
          h('h3', {}, t('dash.stages')), stageCompletion(cy.tasks, stageOrder, stageName)),
        h('section', { class: 'card chart', 'aria-labelledby': 'dist-h', id: 'dist' }, h('h2', { id: 'dist-h' }, t('dash.distVs')),
          n ? [gradeChart(counts, order, gradeName, tpl.distribution, n),
            report.length ? h('ul', { id: 'dash-limits', class: 'small' }, report.map((x) => h('li', { class: x.broken ? 'broken' : null }, x.broken ? '⚠ ' : '✓ ', x.text))) : null]
            : h('p', { class: 'muted' }, t('dash.noResults')))),
      team.open ? rateTeamLink(cy, team.open) : null,
      overdueSection(cy, members),
      team.open ? pendingSection(cy, team.open, who) : null,
      team.targets ? teamTargets(team.targets, tpl, who) : null,
      h('section', { class: 'card chart', 'aria-labelledby': 'attain-h', id: 'attain' }, h('h2', { id: 'attain-h' }, t('dash.attain')), attainChart(res.items, tpl, members)),
      h('section', { class: 'card', 'aria-labelledby': 'tasks-h' }, h('h2', { id: 'tasks-h' }, t('dash.tasks')),
        cy.tasks.length ? h('table', { id: 'task-counts' },
          h('thead', {}, h('tr', {}, ['col.stage', 'col.kind', 'col.state'].map((k) => h('th', { scope: 'col' }, t(k))), h('th', { scope: 'col', class: 'num' }, t('col.count')))),
          h('tbody', {}, cy.tasks.map((c) => h('tr', {}, h('td', {}, stageName.get(c.stage) || c.stage), h('td', {}, t('kind.' + c.kind)), h('td', {}, badge(c.state)), h('td', { class: 'num' }, String(c.count))))))
          : h('p', { class: 'muted' }, '—')),
      h('section', { class: 'card', 'aria-labelledby': 'results-h' }, h('div', { class: 'toolbar' }, h('h2', { id: 'results-h' }, t('dash.results')), res.items.length ? exportBtn : null),
        res.items.length ? resultsTable(res.items, tpl, members, rankedOf(cy, res)) : h('p', { class: 'muted' }, t('dash.noResults'))),
      interviews.length ? interviewsSection(cy, interviews) : null,
      reportsOf.size ? reportsSection(reports, reportsOf, stageName, members) : null);
    const isRunning = ['pending', 'running', 'blocked'].includes(cy.state);
    if (running !== isRunning) {
      running = isRunning;
      fill(cancelBox, isRunning ? cancelControl(cy) : []);
    }
    return isRunning;
  };
  const openDetails = () => [...data.querySelectorAll('details[open]')].map((d) => d.dataset.member ? 'details[data-member="' + CSS.escape(d.dataset.member) + '"]' : d.dataset.report ? 'details[data-report="' + CSS.escape(d.dataset.report) + '"]' : null).filter(Boolean);
  const load = async () => {
    const keep = openDetails();
    const [cy, res, ivs, reps] = await Promise.all([loadCycle(id), getAll('/cycles/' + encodeURIComponent(id) + '/results'),
      get('/cycles/' + encodeURIComponent(id) + '/interviews').catch(() => ({ items: [] })),
      reportsOf.size ? getAll('/cycles/' + encodeURIComponent(id) + '/reports?sort=createdAt').catch(() => ({ items: [] })) : { items: [] }]);
    if (!live()) return false;
    await loadLive(cy);
    if (!live()) return false;
    const more = draw(cy, res, ivs.items, reps.items);
    keep.forEach((sel) => { const d = data.querySelector(sel); if (d) d.open = true; });
    $('#dashboard').dataset.rendered = String(res.items.length);
    return more;
  };
  const more = await load();
  focusMain();
  if (more) {
    refreshEvery(3000, async () => { if (!(await load())) clearTimers(); }, staleBanner);
  }
}
// reportsSection lists each round's progress reports, newest round
// first, with how many are in; a report opens to what was written.
function reportsSection(reports, reportsOf, stageName, members) {
  const rounds = new Map();
  for (const r of reports) {
    if (!rounds.has(r.stage)) rounds.set(r.stage, []);
    rounds.get(r.stage).push(r);
  }
  const formOf = (key) => { const rp = reportsOf.get(reportRound(key).stage); return rp ? rp.form || [] : []; };
  return h('section', { class: 'card', 'aria-labelledby': 'reports-h', id: 'reports' }, h('h2', { id: 'reports-h' }, t('rep.title')),
    rounds.size ? [...rounds].reverse().map(([key, rs]) => h('div', { class: 'round', 'data-stage': key },
      h('h3', {}, stageName.get(key), ' ', h('span', { class: 'muted small' }, t('rep.count', { done: rs.filter((r) => r.state === 'submitted').length, total: rs.length }), ' · ', t('col.due'), ' ', fmtTime(rs[0].dueAt))),
      h('table', {}, h('tbody', {}, rs.map((r) => h('tr', { 'data-member': r.assigneeId },
        h('th', { scope: 'row' }, memberName(members, r.assigneeId)), h('td', {}, badge(r.state)),
        h('td', {}, r.data ? h('details', { 'data-report': r.id }, h('summary', {}, t('rep.read'), ' · ', fmtTime(r.submittedAt)), planList({ form: formOf(key), data: r.data })) : '—'))))))) : h('p', { class: 'muted' }, t('rep.none')));
}
function interviewsSection(cy, interviews) {
  return h('section', { class: 'card', 'aria-labelledby': 'interviews-h', id: 'interviews' }, h('h2', { id: 'interviews-h' }, t('iv.title')),
    h('table', {},
      h('thead', {}, h('tr', {}, ['iv.member', 'iv.manager', 'iv.time', 'col.state', 'iv.ics'].map((k) => h('th', { scope: 'col' }, t(k))))),
      h('tbody', {}, interviews.map((iv) => h('tr', { 'data-member': iv.memberId },
        h('td', {}, iv.memberName || iv.memberId), h('td', {}, iv.managerName || iv.managerId),
        h('td', {}, h('time', { datetime: iv.startsAt }, fmtTime(iv.startsAt))), h('td', {}, badge(iv.state)), h('td', {}, icsLink(cy.id, iv)))))));
}
// resumeButton scores a blocked cycle again once its data is corrected.
function resumeButton(cy) {
  const btn = h('button', { type: 'button', id: 'resume-submit', onclick: async () => {
    btn.disabled = true;
    try {
      await api('POST', '/cycles/' + encodeURIComponent(cy.id) + '/resume');
    } catch (ex) {
      btn.disabled = false;
      toast(ex.message);
      return;
    }
    toast(t('dash.resumed'));
  } }, t('dash.resume'));
  return h('div', { class: 'toolbar' }, btn);
}

