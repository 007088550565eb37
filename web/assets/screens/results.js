// Screens: my results and one result explained, indicator by indicator.
import { download, get, isLead, loadCycle, loadTemplate } from '../api.js';
import { alertBox, append, badge, focusMain, h, toast } from '../dom.js';
import { D, fmtNum, fmtTime, locale, t, txt } from '../i18n.js';
import { S } from '../state.js';

function kvTable(obj, names, id) {
  const entries = Object.entries(obj || {});
  if (!entries.length) return h('p', { class: 'muted' }, t('results.nothing'));
  return h('table', { id }, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('col.name')), h('th', { scope: 'col', class: 'num' }, t('col.value')))),
    h('tbody', {}, entries.map(([k, v]) => h('tr', {}, h('td', {}, names.get(k) || k), h('td', { class: 'num' }, typeof v === 'number' ? fmtNum(v) : JSON.stringify(v))))));
}
// partNames names score parts: the fixed ones, then each rater by its role.
function partNames(tpl) {
  const out = new Map(['total', 'quantitative', 'behaviour'].map((k) => [k, t('part.' + k)]));
  for (const r of tpl.raters || []) out.set(r.key, D['part.' + r.role] ? t('part.' + r.role) + (r.key !== r.role ? ' (' + r.key + ')' : '') : r.key);
  return out;
}
// breakdown explains one result as scoring stored it: one total, the
// formula in words, each indicator against its target, the rater groups
// (never who rated), adjustments as sentences and every gap with its policy.
// n is how many members were ranked, when the reader can know it.
export function breakdown(r, tpl, n) {
  const names = new Map((tpl.indicators || []).map((i) => [i.key, txt(i.name, i.key)]));
  const parts = partNames(tpl);
  const e = r.explanation;
  const indName = (x) => txt(x.name, names.get(x.key) || x.key);
  const policy = (p) => t('policy.' + (p || 'renormalise'));
  const num = (v) => (typeof v === 'number' ? fmtNum(v) : '—');
  const head = h('dl', { class: 'kv' },
    h('dt', {}, t('results.final')), h('dd', { class: 'final-score' }, h('strong', {}, fmtNum(r.finalScore))),
    h('dt', {}, t('results.grade')), h('dd', {}, r.grade || r.proposedGrade || '—', r.proposedGrade && r.grade && r.grade !== r.proposedGrade ? ' (' + t('col.proposed') + ' ' + r.proposedGrade + ')' : ''),
    h('dt', {}, t('results.rank')), h('dd', { class: 'rank' }, n ? t('results.rankOf', { rank: r.rank, n }) : String(r.rank)),
    r.bonusAmount ? [h('dt', {}, t('results.bonus')), h('dd', {}, new Intl.NumberFormat(locale(), { style: 'currency', currency: r.bonusCurrency || 'CNY' }).format(r.bonusAmount))] : null,
    r.promotion ? [h('dt', {}, t('results.promotion')), h('dd', {}, t('yes'))] : null,
    h('dt', {}, t('results.state')), h('dd', {}, badge(r.state)));
  if (!e) {
    // Results computed before explanations were stored: the indicator scores alone.
    const rows = Object.entries(r.indicators || {}).filter(([, v]) => typeof v === 'number');
    return h('div', { class: 'breakdown' }, head, h('h3', {}, t('results.indicators')),
      rows.length ? h('table', { class: 'ind-table' }, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('tgt.indicator')), h('th', { scope: 'col', class: 'num' }, t('results.score')))),
        h('tbody', {}, rows.map(([k, v]) => h('tr', { 'data-indicator': k }, h('td', {}, names.get(k) || k), h('td', { class: 'num' }, fmtNum(v)))))) : h('p', { class: 'muted' }, t('results.nothing')));
  }
  const partName = (k) => parts.get(k) || names.get(k) || k;
  // A missing part weighs nothing here; the gaps below say what became of it.
  const terms = (e.parts || []).filter((p) => !p.missing || p.weight > 0).map((p) => t('results.term', { name: partName(p.key), score: p.missing ? '0' : fmtNum(p.score), weight: fmtNum(p.weight) }));
  if (e.constant) terms.unshift(fmtNum(e.constant));
  const formula = h('p', { class: 'formula', id: 'result-formula' }, t('results.formula', { terms: terms.join(' + '), final: fmtNum(e.final) }),
    e.clamped ? ' ' + t('results.clamped') : '');
  const target = (x) => {
    if (x.target != null) return fmtNum(x.target);
    if (x.baseline != null && x.stretch != null) return t('results.range', { base: fmtNum(x.baseline), stretch: fmtNum(x.stretch) });
    if (x.band) return t('results.band', { min: fmtNum(x.band.min), max: fmtNum(x.band.max) });
    return '—';
  };
  const actual = (x) => {
    if (x.missing) return h('span', { class: 'badge overdue' }, t('results.missingShort'));
    if (x.value != null) return [fmtNum(x.value), x.met != null ? ' · ' + t(x.met ? 'results.met' : 'results.notMet') : '', x.source ? h('span', { class: 'muted small' }, ' (' + x.source + ')') : ''];
    if (x.raters && x.raters.length) return x.raters.filter((g) => !g.missing).map((g) => partName(g.key) + ' ' + fmtNum(g.average)).join(' · ');
    return '—';
  };
  const indTable = h('table', { class: 'ind-table', id: 'result-indicators' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('tgt.indicator')), ['results.weight', 'tgt.target', 'results.actual', 'results.score'].map((k) => h('th', { scope: 'col', class: 'num' }, t(k))))),
    h('tbody', {}, (e.indicators || []).map((x) => h('tr', { 'data-indicator': x.key, class: x.missing ? 'missing' : null },
      h('td', {}, indName(x)), h('td', { class: 'num' }, fmtNum(x.weight) + '%'), h('td', { class: 'num' }, target(x)), h('td', { class: 'num' }, actual(x)),
      h('td', { class: 'num' }, x.missing ? '—' : fmtNum(x.score), x.rawScore != null && !x.missing && Math.abs(x.rawScore - x.score) > 0.005 ? h('span', { class: 'muted small' }, ' (' + t('results.before', { v: fmtNum(x.rawScore) }) + ')') : null)))));
  const partTable = h('table', { id: 'result-parts' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('results.part')), ['results.weight', 'results.score', 'results.contrib'].map((k) => h('th', { scope: 'col', class: 'num' }, t(k))))),
    h('tbody', {}, (e.parts || []).map((p) => h('tr', { 'data-part': p.key, class: p.missing ? 'missing' : null }, h('td', {}, partName(p.key)),
      h('td', { class: 'num' }, fmtNum(p.weight) + '%', p.templateWeight != null && Math.abs(p.templateWeight - p.weight) > 0.005 ? h('span', { class: 'muted small' }, ' (' + t('results.asWritten', { v: fmtNum(p.templateWeight) }) + ')') : null),
      h('td', { class: 'num' }, p.missing ? h('span', { class: 'badge overdue' }, t('results.missingShort')) : fmtNum(p.score)),
      h('td', { class: 'num' }, p.missing ? '—' : fmtNum((p.weight * p.score) / 100))))));
  const raters = (e.raters || []).filter((g) => g.weight > 0);
  const raterTable = raters.length ? h('table', { id: 'result-raters' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('results.raterGroup')), ['results.weight', 'results.average'].map((k) => h('th', { scope: 'col', class: 'num' }, t(k))))),
    h('tbody', {}, raters.map((g) => h('tr', { 'data-rater': g.key }, h('td', {}, partName(g.key)), h('td', { class: 'num' }, fmtNum(g.weight) + '%'),
      h('td', { class: 'num' }, g.missing || g.average == null ? h('span', { class: 'badge overdue' }, t('results.missingShort')) : fmtNum(g.average)))))) : null;
  const adjustments = (e.adjustments || []).map((a) => h('li', { 'data-adjustment': a.key },
    t(a.skipped ? 'results.adjSkipped' : 'results.adjSentence', { reason: txt(a.reason, a.key), name: names.get(a.indicator) || a.indicator, before: fmtNum(a.before), after: fmtNum(a.after) })));
  const missing = (e.missing || []).map((m) => h('li', { 'data-missing': m.key, class: m.policy === 'block' ? 'blocked' : null },
    m.kind === 'rater' ? t('results.missingRater', { who: partName(m.key), name: names.get(m.in) || m.in, policy: policy(m.policy) })
      : t('results.missingData', { name: partName(m.key), policy: policy(m.policy) })));
  return h('div', { class: 'breakdown' }, head,
    r.blocked ? alertBox('warn', r.blocked) : null,
    h('h3', {}, t('results.how')), formula,
    h('h3', {}, t('results.indicators')), indTable,
    h('div', { class: 'grid2' }, h('div', {}, h('h3', {}, t('results.parts')), partTable), raterTable ? h('div', {}, h('h3', {}, t('results.raters')), raterTable, h('p', { class: 'muted small' }, t('results.ratersHint'))) : null),
    h('h3', {}, t('results.adjustments')), adjustments.length ? h('ul', { id: 'result-adjustments' }, adjustments) : h('p', { class: 'muted' }, t('results.nothing')),
    missing.length ? [h('h3', {}, t('results.missing')), h('ul', { id: 'result-missing' }, missing)] : null,
    e.waiver ? h('p', { id: 'result-waiver' }, t('results.waiver', { why: e.waiver })) : null);
}
// rankedOf is how many members a cycle ranks: its members, or for a lead
// the results listed; an employee, who sees only their own, relies on the first.
export const rankedOf = (cycle, res) => (cycle && cycle.progress && cycle.progress.members) || (isLead() && res && res.total) || 0;
export async function resultsView(main, live) {
  const r = await get('/cycles?limit=100');
  if (!live()) return;
  append(main, [h('h1', {}, t('results.title')),
    r.items.length ? h('table', { id: 'my-cycles' },
      h('thead', {}, h('tr', {}, ['col.title', 'col.period', 'col.state', 'col.actions'].map((k) => h('th', { scope: 'col' }, t(k))))),
      h('tbody', {}, r.items.map((c) => h('tr', {},
        h('td', {}, c.title), h('td', {}, c.period), h('td', {}, badge(c.state)),
        h('td', {}, h('a', { href: '#/results/' + c.id }, t('results.view')), isLead() ? [' · ', h('a', { href: '#/cycles/' + c.id }, t('results.dashboard'))] : null)))))
      : h('p', { class: 'card' }, t('results.none'))]);
  focusMain();
}
export async function resultView(main, live, id) {
  const cycle = await loadCycle(id);
  const [res, tpl] = await Promise.all([get('/cycles/' + encodeURIComponent(id) + '/results?limit=500'), loadTemplate(cycle.templateKey, cycle.templateVersion).catch(() => ({}))]);
  if (!live()) return;
  const mine = res.items.find((r) => r.memberId === S.me.id);
  const [targets, ivs] = await Promise.all([get('/cycles/' + encodeURIComponent(id) + '/targets/progress').catch(() => ({ items: [] })),
    get('/me/interviews').catch(() => ({ items: [] }))]);
  if (!live()) return;
  const iv = ivs.items.find((x) => x.cycleId === cycle.id);
  append(main, [h('p', {}, h('a', { href: '#/results' }, '← ' + t('results.title'))), h('h1', {}, cycle.title),
    iv ? h('section', { class: 'card', id: 'my-interview' }, h('h2', {}, t('iv.mine')),
      h('p', {}, h('time', { datetime: iv.startsAt }, fmtTime(iv.startsAt)), ' ', t('iv.with', { name: iv.managerName || iv.managerId }), ' ', badge(iv.state), ' ', icsLink(cycle.id, iv))) : null,
    targetsSection(targets.items, tpl),
    h('section', { class: 'card', id: 'my-result' }, mine ? breakdown(mine, tpl, rankedOf(cycle, res)) : h('p', {}, t('results.pending'))),
    !mine && isLead() ? h('p', {}, h('a', { href: '#/cycles/' + cycle.id }, t('results.dashboard'))) : null]);
  focusMain();
}

// targetsSection shows each target with the values so far against the
// pace the period needs by now: the bar is what is done, the mark the pace.
// paceBar draws one target's progress (the bar) against the pace the
// period needs by now (the mark), with its verdict in words.
export function paceBar(x, name) {
  const scale = Math.max(x.value, x.actual, 1);
  const bar = h('div', { class: 'progress pace', role: 'img', 'aria-label': t('tgt.bar', { name, actual: fmtNum(x.actual), target: fmtNum(x.value), pace: fmtNum(x.expected) }) }, h('span'), h('i'));
  bar.firstChild.style.width = Math.min(100, (100 * x.actual) / scale) + '%';
  bar.lastChild.style.left = Math.min(100, (100 * x.expected) / scale) + '%';
  if (x.behind) bar.classList.add('behind');
  return [bar, ' ', x.behind ? badge('overdue', t('tgt.behind')) : badge('submitted', t('tgt.onPace'))];
}
function targetsSection(items, tpl) {
  const names = new Map((tpl.indicators || []).map((i) => [i.key, txt(i.name, i.key)]));
  const sec = h('section', { class: 'card', id: 'my-targets', 'aria-labelledby': 'tgt-h' }, h('h2', { id: 'tgt-h' }, t('tgt.title')));
  if (!items.length) { sec.append(h('p', { class: 'muted' }, t('tgt.none'))); return sec; }
  sec.append(h('p', { class: 'muted small' }, t('tgt.elapsed', { pct: Math.round(items[0].elapsed * 100) })),
    h('table', {}, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('tgt.indicator')), ['tgt.actual', 'tgt.pace', 'tgt.target'].map((k) => h('th', { scope: 'col', class: 'num' }, t(k))), h('th', { scope: 'col' }, t('dash.progress')))),
      h('tbody', {}, items.map((x) => {
        const name = names.get(x.indicator) || x.indicator;
        return h('tr', { 'data-indicator': x.indicator }, h('td', {}, name), h('td', { class: 'num' }, fmtNum(x.actual)), h('td', { class: 'num' }, fmtNum(x.expected, 1)),
          h('td', { class: 'num' }, fmtNum(x.value) + (x.unit ? ' ' + x.unit : '')),
          h('td', {}, paceBar(x, name)));
      }))));
  return sec;
}

// The invite is served with the caller's token, so the link downloads it
// rather than navigating to it.
export function icsLink(cycleId, iv) {
  const a = h('a', { href: '#', class: 'ics', 'aria-label': '.ics · ' + t('iv.ics') + ' · ' + (iv.memberName || iv.memberId) }, '.ics');
  a.onclick = (e) => {
    e.preventDefault();
    download('/cycles/' + encodeURIComponent(cycleId) + '/interviews/' + encodeURIComponent(iv.memberId) + '.ics', 'interview-' + iv.memberId + '.ics').catch((ex) => toast(ex.message));
  };
  return a;
}
