// Screen: the calibration board, where a facilitator moves members between
// grades.
import { api, get, memberName } from '../api.js';
import { append, fill, h, toast } from '../dom.js';
import { showErrors } from '../forms.js';
import { gradeOrder, limitReport, resultGrade } from '../grades.js';
import { distributionCurve } from '../charts.js';
import { fmtNum, t, txt } from '../i18n.js';
import { breakdown } from './results.js';

export async function calibrationBoard(main, live, task, cycle, tpl, members, closed) {
  const res = cycle ? await get('/cycles/' + cycle.id + '/results?limit=500') : { items: [] };
  if (!live()) return;
  const results = res.items;
  const draftKey = 'pl.draft.' + task.id;
  let moves = {};
  try { moves = JSON.parse(localStorage.getItem(draftKey) || '{}').moves || {}; } catch (e) { moves = {}; }
  const order = gradeOrder(tpl, results);
  const gradeName = new Map((tpl.grades || []).map((g) => [g.key, txt(g.name, g.key)]));
  const section = h('section', { class: 'card', id: 'calibration', 'aria-labelledby': 'cal-title' });
  const general = h('div', { id: 'cal-general', tabindex: '-1' });
  const boardBox = h('div');
  const limitsBox = h('div', { id: 'cal-limits', 'aria-live': 'polite' });
  // The grades as they stand with the moves so far, against the forced distribution's target curve.
  const curveBox = h('details', { class: 'curve', open: true }, h('summary', {}, t('curve.title')));
  const submitBtn = h('button', { type: 'submit', id: 'cal-submit', disabled: closed });
  append(section, [h('h2', { id: 'cal-title' }, t('cal.title')), h('p', { class: 'muted small', id: 'cal-help' }, t('cal.help')), general, limitsBox, (tpl.distribution || []).length ? curveBox : null, boardBox]);
  const formEl = h('form', { novalidate: true, onsubmit: (e) => { e.preventDefault(); submit(); } }, section, h('div', { class: 'toolbar' }, submitBtn));
  main.append(formEl);
  if (!results.length) { fill(boardBox, h('p', {}, t('cal.none'))); submitBtn.disabled = true; return; }
  const current = (r) => (moves[r.memberId] ? moves[r.memberId].to : resultGrade(r));
  const save = () => localStorage.setItem(draftKey, JSON.stringify({ moves }));
  const move = (r, dir) => {
    const i = order.indexOf(current(r)) + dir;
    if (i < 0 || i >= order.length) return;
    moveTo(r, order[i]);
  };
  // moveTo is every move's one path: arrow keys, the ◀ ▶ buttons and drag and drop.
  const moveTo = (r, to) => {
    if (closed || to === current(r) || !order.includes(to)) return;
    if (to === resultGrade(r)) delete moves[r.memberId];
    else moves[r.memberId] = { to, reason: (moves[r.memberId] || {}).reason || '' };
    save();
    draw();
    const card = boardBox.querySelector('[data-member="' + CSS.escape(r.memberId) + '"] .who');
    if (card) card.focus();
    toast(t('cal.moved', { name: memberName(members, r.memberId), grade: to }));
  };
  let broken = [];
  const changes = () => results.filter((r) => moves[r.memberId]).map((r) => ({ memberId: r.memberId, from: resultGrade(r), to: moves[r.memberId].to, reason: moves[r.memberId].reason.trim() }));
  // A grade's score range and its share of the forced distribution, as the template sets them.
  const gradeSpec = new Map((tpl.grades || []).map((g) => [g.key, g]));
  const share = (g) => (tpl.distribution || []).filter((l) => l.grades.length === 1 && l.grades[0] === g)
    .map((l) => [l.min != null ? t('cal.shareMin', { pct: l.min }) : '', l.max != null ? t('cal.shareMax', { pct: l.max }) : ''].filter(Boolean).join(', ')).join(', ');
  const range = (g) => { const x = gradeSpec.get(g); return x && x.min != null && x.max != null ? t('cal.range', { min: x.min, max: x.max }) : ''; };
  const dragOn = (col, g) => {
    col.addEventListener('dragover', (e) => { if (!closed) { e.preventDefault(); col.classList.add('drop'); } });
    col.addEventListener('dragleave', () => col.classList.remove('drop'));
    col.addEventListener('drop', (e) => {
      e.preventDefault();
      col.classList.remove('drop');
      const r = results.find((x) => x.memberId === e.dataTransfer.getData('text/plain'));
      if (r) moveTo(r, g);
    });
    return col;
  };
  function draw() {
    // Moving again answers any refusal shown: one message at a time.
    if (general.querySelector('#cal-error')) fill(general);
    const counts = {};
    results.forEach((r) => { counts[current(r)] = (counts[current(r)] || 0) + 1; });
    const report = limitReport(tpl.distribution, counts, results.length);
    broken = report.filter((x) => x.broken);
    const brokenGrades = new Set(report.filter((x) => x.broken).flatMap((x) => x.grades));
    fill(limitsBox, report.length ? h('div', { class: 'alert ' + (brokenGrades.size ? 'warn' : 'ok') },
      h('strong', {}, brokenGrades.size ? t('cal.broken') : t('cal.limits')), h('ul', {}, report.map((x) => h('li', { class: x.broken ? 'broken' : null }, x.broken ? '⚠ ' : '✓ ', x.text)))) : '');
    const list = changes();
    if (curveBox.lastChild.tagName !== 'SUMMARY') curveBox.lastChild.remove();
    curveBox.append(distributionCurve(counts, order, gradeName, tpl.distribution, results.length));
    fill(boardBox, h('div', { class: 'board', role: 'list' }, order.map((g, gi) => dragOn(h('div', { class: 'col' + (brokenGrades.has(g) ? ' breaks' : ''), role: 'listitem', 'data-grade': g, 'aria-labelledby': 'col-' + g },
      h('h3', { id: 'col-' + g }, h('span', {}, g, ' ', gradeName.get(g) || ''), h('span', { class: 'muted' }, String(counts[g] || 0))),
      range(g) || share(g) ? h('p', { class: 'small muted spec' }, [range(g), share(g)].filter(Boolean).join(' · ')) : null,
      h('ul', {}, results.filter((r) => current(r) === g).map((r) => {
        const name = memberName(members, r.memberId);
        const mv = moves[r.memberId];
        const ci = list.findIndex((c) => c.memberId === r.memberId);
        const reasonId = 'reason-' + r.memberId;
        return h('li', { class: 'mcard' + (mv ? ' moved' : ''), 'data-member': r.memberId, draggable: closed ? null : 'true',
          ondragstart: (e) => { e.dataTransfer.setData('text/plain', r.memberId); e.dataTransfer.effectAllowed = 'move'; } },
          h('button', { type: 'button', class: 'who', 'aria-describedby': 'cal-help',
            onkeydown: (e) => {
              if (e.key === 'ArrowLeft' || e.key === 'ArrowUp') { e.preventDefault(); move(r, -1); }
              if (e.key === 'ArrowRight' || e.key === 'ArrowDown') { e.preventDefault(); move(r, 1); }
            } }, h('strong', {}, name), h('br'), h('span', { class: 'small muted' }, t('cal.cardLine', { score: fmtNum(r.finalScore), rank: r.rank }) + (mv ? ' · ' + resultGrade(r) + ' → ' + g : '')),
            // The visible text is the button's name (WCAG 2.5.3); the grade is said, not shown, as the column shows it.
            h('span', { class: 'sr' }, t('cal.cardGrade', { grade: g }))),
          // The person's result, explained, opens on the card: decide with the reviews in view.
          h('details', { class: 'why', 'data-member': r.memberId, ontoggle: (e) => { const d = e.currentTarget; if (d.open && d.children.length < 2) d.append(breakdown(r, tpl, results.length)); } },
            h('summary', { class: 'small' }, t('cal.open', { name }))),
          closed ? null : h('div', { class: 'moves' },
            gi > 0 ? h('button', { type: 'button', class: 'secondary', 'aria-label': t('cal.move', { name, grade: order[gi - 1] }), onclick: () => move(r, -1) }, '◀ ' + order[gi - 1]) : null,
            gi < order.length - 1 ? h('button', { type: 'button', class: 'secondary', 'aria-label': t('cal.move', { name, grade: order[gi + 1] }), onclick: () => move(r, 1) }, order[gi + 1] + ' ▶') : null),
          mv ? h('div', { 'data-path': '/changes/' + ci + '/reason' },
            h('label', { for: reasonId, class: 'small' }, t('cal.reason', { from: resultGrade(r), to: g })),
            h('input', { id: reasonId, type: 'text', value: mv.reason, required: true, 'aria-describedby': reasonId + '-err', oninput: (e) => { mv.reason = e.target.value; save(); } }),
            h('div', { class: 'err', id: reasonId + '-err' })) : null);
      }))), g))));
    submitBtn.textContent = t('cal.submit', { n: list.length });
  }
  async function submit() {
    const list = changes();
    const errs = list.map((c, i) => (c.reason ? null : { path: '/changes/' + i + '/reason', message: t('v.reason') })).filter(Boolean);
    showErrors(formEl, errs, general);
    if (errs.length) return;
    // The server refuses a broken distribution too; saying so here saves the round trip.
    if (broken.length) {
      fill(general, h('div', { class: 'alert bad big', role: 'alert', id: 'cal-error', tabindex: '-1' }, h('strong', {}, t('cal.broken')), h('br'), t('cal.blocked'),
        h('ul', {}, broken.map((x) => h('li', {}, x.text)))));
      // The refusal says it all: the limits box would only repeat it.
      fill(limitsBox);
      general.focus();
      return;
    }
    submitBtn.disabled = true;
    try {
      await api('POST', '/tasks/' + encodeURIComponent(task.id) + '/submit', { changes: list });
    } catch (ex) {
      submitBtn.disabled = false;
      if (ex.details.length) { showErrors(formEl, ex.details, general); return; }
      // A broken forced distribution is the answer the facilitator must act on: say it loudly.
      // The server's limit text is English; the reader's language leads, its words follow as detail.
      fill(general, h('div', { class: 'alert bad big', role: 'alert', id: 'cal-error' }, ex.status === 422 ? [h('strong', {}, t('cal.broken')), h('br')] : null, ex.message,
        ex.status === 422 && ex.serverMessage && ex.serverMessage !== ex.message ? h('p', { class: 'small', lang: 'en', id: 'cal-error-detail' }, ex.serverMessage) : null));
      if (ex.status === 422) fill(limitsBox);
      general.focus();
      return;
    }
    localStorage.removeItem(draftKey);
    formEl.querySelectorAll('button,input').forEach((el) => { el.disabled = true; });
    fill(general, h('div', { class: 'alert ok big', role: 'status', id: 'task-done' }, t('task.done')));
    general.focus();
  }
  draw();
}
