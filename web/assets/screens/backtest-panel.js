// The 试算 / Backtest panel: re-score a team's past cycles with the draft
// being edited (POST /templates/backtest) and show what would have changed:
// totals, grades before and after as a chart and a table, the gaps the
// history cannot answer, and member by member. Any screen that edits a
// template mounts it with a function that returns the current draft.
import { api, get, getAll } from '../api.js';
import { alertBox, append, fill, h, svg } from '../dom.js';
import { fmtNum, lang, t, txt } from '../i18n.js';
import { S } from '../state.js';
import './backtest-panel.i18n.js';

const KEEP = 6; // the default range: the last six periods that have results
const LIVE = ['completed', 'running', 'blocked'];
const money = (n, cur) => (cur === 'CNY' || !cur ? '¥' : cur + ' ') + fmtNum(Math.round(n), 0);
const signed = (n, cur) => (n > 0 ? '+' : n < 0 ? '−' : '±') + money(Math.abs(n), cur);
const teamName = (x) => (lang === 'en' ? x.nameEn || x.name : x.name) + ' (' + x.key + ')';

// defaultPeriods picks the periods of a team's cycles worth re-scoring:
// those that finished, else any that ran; the last KEEP of them.
function periodsOf(cycles) {
  const done = cycles.filter((c) => c.state === 'completed');
  const use = done.length ? done : cycles.filter((c) => LIVE.includes(c.state));
  return [...new Set(use.map((c) => c.period))].sort();
}

export function mountBacktestPanel(container, getDraft) {
  const status = h('div', { id: 'bt-status', role: 'status', 'aria-live': 'polite' });
  const errorBox = h('div', { id: 'bt-error', tabindex: '-1' });
  const result = h('div', { id: 'bt-result' });
  const teamSel = h('select', { id: 'bt-team' });
  const fromSel = h('select', { id: 'bt-from' });
  const toSel = h('select', { id: 'bt-to' });
  const runBtn = h('button', { type: 'button', id: 'bt-run', disabled: true }, t('bt.run'));
  const field = (id, label, el) => h('div', { class: 'field' }, h('label', { for: id }, label), el);
  const panel = h('section', { class: 'card', id: 'bt-panel', 'aria-labelledby': 'bt-h' },
    h('h2', { id: 'bt-h' }, t('bt.title')),
    h('p', { class: 'muted small' }, t('bt.help')),
    h('div', { class: 'row' }, field('bt-team', t('bt.team'), teamSel), field('bt-from', t('bt.from'), fromSel), field('bt-to', t('bt.to'), toSel),
      h('div', { class: 'field' }, runBtn)),
    status, errorBox, result);
  container.append(panel);

  let teams = [];
  const periodsByTeam = new Map();
  const options = (sel, list, chosen) => fill(sel, list.map((p) => h('option', { value: p, selected: p === chosen }, p)));
  const showPeriods = async () => {
    const id = teamSel.value;
    if (!periodsByTeam.has(id)) periodsByTeam.set(id, periodsOf((await getAll('/cycles?teamId=' + encodeURIComponent(id))).items));
    if (teamSel.value !== id) return;
    const ps = periodsByTeam.get(id);
    options(fromSel, ps, ps[Math.max(0, ps.length - KEEP)]);
    options(toSel, ps, ps[ps.length - 1]);
    runBtn.disabled = fromSel.disabled = toSel.disabled = !ps.length;
    fill(status, ps.length ? null : h('p', { class: 'muted', id: 'bt-no-cycles' }, t('bt.noCycles')));
  };
  teamSel.addEventListener('change', () => { fill(result); fill(errorBox); showPeriods().catch(showError); });
  const showError = (ex) => {
    fill(status);
    const where = ex.code === 'template_invalid' ? t('bt.inDraft') : t('bt.inRequest');
    fill(errorBox, alertBox('bad', [t('bt.failed'), ex.message], ex.details && ex.details.length
      ? h('ul', { class: 'errors', id: 'bt-error-list' }, ex.details.map((d) => h('li', { 'data-path': d.path || '' }, where, ' ', h('code', {}, d.path || '/'), ': ', d.message,
        d.value !== undefined && d.value !== '' ? h('span', { class: 'muted' }, ' (' + JSON.stringify(d.value) + ')') : null)))
      : null));
    errorBox.focus();
  };

  // The team: the one the reader manages, else that of the newest completed cycle, else the first.
  (async () => {
    const [ts, recent] = await Promise.all([get('/teams?limit=200'), get('/cycles?state=completed&limit=1')]);
    teams = ts.items;
    const mine = teams.find((x) => S.me && x.managerId === S.me.id);
    const last = recent.items[0] && teams.find((x) => x.id === recent.items[0].scopeTeamId);
    const pick = mine || last || teams[0];
    options(teamSel, [], null);
    append(teamSel, teams.map((x) => h('option', { value: x.id, selected: pick && x.id === pick.id }, teamName(x))));
    if (pick) await showPeriods();
    if (mine && last && !periodsByTeam.get(mine.id).length) { teamSel.value = last.id; await showPeriods(); }
  })().catch(showError);

  let seq = 0;
  runBtn.onclick = async () => {
    fill(errorBox);
    let draft;
    try {
      draft = getDraft();
    } catch (e) {
      fill(errorBox, alertBox('bad', t('bt.draftUnreadable', { msg: e.message })));
      errorBox.focus();
      return;
    }
    const mine = ++seq;
    const team = teams.find((x) => x.id === teamSel.value);
    const req = { template: draft, teamId: teamSel.value, from: fromSel.value, to: toSel.value };
    const started = performance.now();
    const words = h('span', {});
    const tick = () => { words.textContent = t('bt.running', { team: team ? teamName(team) : req.teamId, from: req.from, to: req.to, s: Math.floor((performance.now() - started) / 1000) }); };
    tick();
    const timer = setInterval(tick, 1000);
    fill(status, h('p', { id: 'bt-progress' }, h('progress', { 'aria-label': t('bt.title') }), ' ', words));
    runBtn.disabled = true;
    result.setAttribute('aria-busy', 'true');
    try {
      const rep = await api('POST', '/templates/backtest', req);
      if (mine !== seq) return;
      fill(status, h('p', { class: 'muted small', id: 'bt-done' }, t('bt.done', { n: rep.periods.length, ms: Math.round(performance.now() - started) })));
      drawReport(result, rep, draft);
    } catch (ex) {
      if (mine === seq) { fill(result); showError(ex); }
    } finally {
      clearInterval(timer);
      if (mine === seq) { runBtn.disabled = false; result.removeAttribute('aria-busy'); }
    }
  };
  return panel;
}

// gradeOrder is the draft's grades best first, then any grade only the
// history has.
function gradeOrder(rep, draft) {
  const order = (draft.grades || []).map((g) => g.key);
  for (const d of rep.summary.distribution) if (!order.includes(d.grade)) order.push(d.grade);
  return order;
}

function drawReport(box, rep, draft) {
  const s = rep.summary;
  const cur = s.bonus.currency;
  const order = gradeOrder(rep, draft);
  const kv = (id, label, value, cls) => [h('dt', {}, label), h('dd', { id, class: cls || null }, value)];
  fill(box,
    s.reproduced ? alertBox('ok', t('bt.reproduced')) : null,
    h('section', { 'aria-labelledby': 'bt-totals-h' }, h('h3', { id: 'bt-totals-h' }, t('bt.totals')),
      h('dl', { class: 'kv', id: 'bt-totals' },
        kv('bt-t-periods', t('bt.periods'), rep.from === rep.to ? rep.from : rep.from + ' – ' + rep.to + ' (' + s.periods + ')'),
        kv('bt-t-results', t('bt.results'), String(s.results)),
        kv('bt-t-changed', t('bt.changed'), t('bt.changedLine', { n: s.changed, up: s.up, down: s.down }), s.changed ? 'changed' : null),
        kv('bt-t-bonus-run', t('bt.bonusRun'), money(s.bonus.asRun, cur)),
        kv('bt-t-bonus-draft', t('bt.bonusDraft'), money(s.bonus.draft, cur)),
        kv('bt-t-bonus-diff', t('bt.bonusDiff'), signed(s.bonus.difference, cur), s.bonus.difference ? 'changed' : null),
        kv('bt-t-bonus-recorded', t('bt.bonusRecorded'), money(s.bonus.recorded, cur)),
        kv('bt-t-promotions', t('bt.promotions'), t('bt.runVsDraft', { run: s.promotions.asRun, draft: s.promotions.draft })),
        kv('bt-t-idps', t('bt.idps'), t('bt.runVsDraft', { run: s.idps.asRun, draft: s.idps.draft })))),
    h('section', { 'aria-labelledby': 'bt-chart-h' }, h('h3', { id: 'bt-chart-h' }, t('bt.chartTitle')), gradeBars(s.distribution, order)),
    gapsSection(rep),
    membersSection(rep, order, cur));
}

// gradeBars draws, per grade, the members as run beside those under the
// draft; a table under it says the same in words.
function gradeBars(dist, order) {
  const by = new Map(dist.map((d) => [d.grade, d]));
  const keys = order.filter((g) => by.has(g));
  const max = Math.max(1, ...dist.map((d) => Math.max(d.asRun, d.draft)));
  const bw = 26, gap = 30, ch = 150, top = 18, left = 8;
  const w = left + keys.length * (2 * bw + gap) + gap, y = (v) => top + ch - Math.round((v / max) * ch);
  const label = t('bt.chartLabel', { list: keys.map((g) => t('bt.chartItem', { grade: g, run: by.get(g).asRun, draft: by.get(g).draft })).join('; ') });
  const bar = (x, v, cls, fillColour) => [svg('rect', { class: cls, x, y: y(v), width: bw, height: top + ch - y(v), fill: fillColour, rx: 2 }),
    svg('text', { x: x + bw / 2, y: y(v) - 4, 'text-anchor': 'middle' }, String(v))];
  const chart = svg('svg', { viewBox: '0 0 ' + w + ' ' + (ch + top + 28), width: w, height: ch + top + 28, role: 'img', 'aria-label': label, id: 'bt-chart' },
    svg('title', {}, label),
    svg('line', { x1: 0, x2: w, y1: top + ch, y2: top + ch, stroke: '#8c959f' }),
    keys.map((g, i) => {
      const d = by.get(g), x = left + gap + i * (2 * bw + gap);
      return svg('g', { 'data-grade': g, 'data-run': d.asRun, 'data-draft': d.draft },
        bar(x, d.asRun, 'run', '#8c959f'), bar(x + bw, d.draft, 'draft', '#0b5cad'),
        svg('text', { x: x + bw, y: top + ch + 18, 'text-anchor': 'middle', 'font-weight': '600' }, g));
    }));
  const legend = h('p', { class: 'legend small' }, h('span', { class: 'swatch run', 'aria-hidden': 'true' }), ' ', t('bt.asRun'), '  ',
    h('span', { class: 'swatch draft', 'aria-hidden': 'true' }), ' ', t('bt.draft'));
  const table = h('table', { id: 'bt-dist', class: 'compact' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('col.grade')), h('th', { scope: 'col', class: 'num' }, t('bt.asRun')), h('th', { scope: 'col', class: 'num' }, t('bt.draft')))),
    h('tbody', {}, keys.map((g) => { const d = by.get(g); return h('tr', { 'data-grade': g, class: d.asRun !== d.draft ? 'changed' : null }, h('th', { scope: 'row' }, g), h('td', { class: 'num' }, String(d.asRun)), h('td', { class: 'num' }, String(d.draft))); })));
  return h('div', { class: 'grid2' }, h('div', { class: 'chart scroll', tabindex: 0, role: 'region', 'aria-label': t('bt.chartTitle') }, chart, legend), table);
}

// gapsSection lists what the history lacks, in the reader's language, and
// the notes the backtest gives.
function gapsSection(rep) {
  const periodNotes = rep.periods.filter((p) => (p.notes && p.notes.length) || (p.mismatches && p.mismatches.length));
  if (!rep.gaps.length && !rep.notes.length && !periodNotes.length) return null;
  return h('section', { 'aria-labelledby': 'bt-gaps-h' }, h('h3', { id: 'bt-gaps-h' }, t(rep.gaps.length ? 'bt.gaps' : 'bt.notes')),
    rep.gaps.length ? h('ul', { id: 'bt-gaps' }, rep.gaps.map((g) => h('li', { 'data-key': g.period + ':' + g.kind + ':' + g.key }, txt(g.message, g.key)))) : null,
    rep.notes.length ? [rep.gaps.length ? h('h4', {}, t('bt.notes')) : null, h('ul', { id: 'bt-notes', class: 'small' }, rep.notes.map((n) => h('li', {}, txt(n))))] : null,
    periodNotes.map((p) => h('details', { class: 'small' }, h('summary', {}, (p.mismatches || []).length ? t('bt.mismatch', { period: p.period }) : t('bt.periodNotes', { period: p.period })),
      h('ul', { lang: 'en' }, [...(p.mismatches || []), ...(p.notes || [])].map((n) => h('li', {}, n))))));
}

const arrow = (a, b) => (a === b ? String(a) : a + ' → ' + b);
// trend says, in words as well as colour, whether a grade went up or down.
function trend(row, order) {
  if (!row.gradeChanged) return null;
  const from = order.indexOf(row.asRun.grade), to = order.indexOf(row.draft.grade);
  if (from < 0 || to < 0) return null;
  return to < from ? h('span', { class: 'trend up' }, ' ↑ ', t('bt.up')) : h('span', { class: 'trend down' }, ' ↓ ', t('bt.down'));
}
const gradeOf = (st) => (st.withheld ? t('bt.withheld') : st.grade || '—');
function both(inRun, inDraft, keys) {
  if (inRun && inDraft) return t(keys[0]);
  if (inDraft) return h('strong', {}, t(keys[1]));
  if (inRun) return t(keys[2]);
  return t('bt.none');
}

function membersSection(rep, order, cur) {
  if (!rep.periods.length) return null;
  const idp = (side) => new Set(rep.idps[side].map((x) => x.period + '|' + x.memberId));
  const idpRun = idp('asRun'), idpDraft = idp('draft');
  const pick = h('select', { id: 'bt-period' }, rep.periods.map((p, i) => h('option', { value: String(i), selected: i === rep.periods.length - 1 }, p.period)));
  const only = h('input', { type: 'checkbox', id: 'bt-only-changed' });
  const limits = h('div', { id: 'bt-limits-box' });
  const tableBox = h('div', { id: 'bt-table-box' });
  const draw = () => {
    const p = rep.periods[Number(pick.value)];
    const rows = p.members.filter((r) => !only.checked || r.gradeChanged);
    fill(tableBox, rows.length ? h('table', { id: 'bt-diff', 'data-period': p.period },
      h('thead', {}, h('tr', {}, ['bt.member', 'bt.grade', 'bt.score', 'bt.rank', 'bt.bonus', 'bt.promo', 'bt.idp'].map((k, i) => h('th', { scope: 'col', class: i === 4 ? 'num' : null }, t(k))))),
      h('tbody', {}, rows.map((r) => {
        const key = p.period + '|' + r.memberId;
        const bonus = r.draft.bonus - r.asRun.bonus;
        return h('tr', { 'data-member': r.memberId, class: r.gradeChanged ? 'changed' : null },
          h('th', { scope: 'row' }, r.name || r.memberId.slice(0, 8)),
          h('td', { 'data-label': t('bt.grade'), class: 'grade' }, arrow(gradeOf(r.asRun), gradeOf(r.draft)), trend(r, order)),
          h('td', { 'data-label': t('bt.score') }, arrow(fmtNum(r.asRun.score, 1), fmtNum(r.draft.score, 1))),
          h('td', { 'data-label': t('bt.rank') }, arrow(r.asRun.withheld ? '—' : r.asRun.rank, r.draft.withheld ? '—' : r.draft.rank)),
          h('td', { 'data-label': t('bt.bonus'), class: 'num' + (bonus ? ' changed' : '') }, bonus ? signed(bonus, cur) : t('bt.none')),
          h('td', { 'data-label': t('bt.promo') }, both(r.asRun.promotion, r.draft.promotion, ['bt.promoBoth', 'bt.promoNew', 'bt.promoLost'])),
          h('td', { 'data-label': t('bt.idp') }, both(idpRun.has(key), idpDraft.has(key), ['bt.idpBoth', 'bt.idpNew', 'bt.idpLost'])));
      }))) : h('p', { class: 'muted', id: 'bt-no-changes' }, t('bt.noChanges')));
    fill(limits, p.limits && p.limits.length ? [h('h4', {}, t('bt.limits')), h('ul', { id: 'bt-limits' }, p.limits.map((l) => h('li', { class: l.within ? null : 'broken' },
      t('bt.limitLine', { grades: l.grades.join('/'), draft: l.draft, run: l.asRun, min: l.minCount, max: l.maxCount }), l.message ? h('span', { lang: 'en' }, ' — ' + l.message) : null)))] : null);
  };
  pick.addEventListener('change', draw);
  only.addEventListener('change', draw);
  draw();
  return h('section', { 'aria-labelledby': 'bt-diff-h' }, h('h3', { id: 'bt-diff-h' }, t('bt.diffTitle')),
    h('div', { class: 'row' }, h('div', { class: 'field' }, h('label', { for: 'bt-period' }, t('bt.period')), pick),
      h('div', { class: 'field' }, h('label', { class: 'choice', for: 'bt-only-changed' }, only, t('bt.onlyChanged')))),
    tableBox, limits);
}
