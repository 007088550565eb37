// Screen: the inbox of tasks, to do and done.
import { get } from '../api.js';
import { append, badge, focusMain, h, patch, staleBanner } from '../dom.js';
import { fmtTime, t } from '../i18n.js';
import { S, refreshEvery } from '../state.js';
import { gridGroups, gridHref, isOverdue, relDue, stageLabel, taskTitle } from '../tasks.js';

export async function inboxView(main, live) {
  const box = h('div', { id: 'inbox-box' });
  // Where the reader rates several people of one cycle, the team grid rates them all on one screen.
  const grids = h('div', { id: 'grid-links' });
  let tab = S.inboxTab || 'todo';
  let rows = [];
  const tabBtn = (key) => h('button', { type: 'button', role: 'tab', id: 'tab-' + key, class: 'tab', 'aria-controls': 'inbox-box',
    onclick: () => { tab = S.inboxTab = key; draw(); } });
  const tabs = { todo: tabBtn('todo'), done: tabBtn('done') };
  append(main, [h('h1', {}, t('inbox.title')), h('p', { class: 'muted small' }, t('inbox.auto')),
    grids, h('div', { class: 'tabs', role: 'tablist', 'aria-label': t('inbox.title') }, tabs.todo, tabs.done), box]);
  focusMain();
  const draw = () => {
    const todo = rows.filter((x) => x.state === 'open');
    const done = rows.filter((x) => x.state !== 'open');
    for (const [key, list] of [['todo', todo], ['done', done]]) {
      tabs[key].textContent = t('inbox.' + key, { n: list.length });
      tabs[key].setAttribute('aria-selected', String(tab === key));
    }
    const shown = tab === 'todo' ? todo : done;
    patch(grids, gridGroups(rows).map((g) => h('p', { class: 'card grid-link', 'data-key': g.key },
      h('a', { href: gridHref(g), class: 'btn secondary' }, t('inbox.grid', { n: g.n, kind: t('kind.' + g.kind), cycle: g.title })))));
    if (!rows.length) { patch(box, h('p', { class: 'card', id: 'inbox-empty' }, t('inbox.empty'))); return; }
    if (!shown.length) { patch(box, h('p', { class: 'card', id: 'inbox-none' }, t(tab === 'todo' ? 'inbox.allDone' : 'inbox.noneDone'))); return; }
    patch(box, h('table', { id: 'inbox', 'data-tab': tab },
      h('thead', {}, h('tr', {}, ['col.task', 'task.subject', 'task.cycle', 'col.stage', tab === 'todo' ? 'col.due' : 'col.submitted', 'col.state'].map((k) => h('th', { scope: 'col' }, t(k))))),
      h('tbody', {}, shown.map((task) => {
        const late = isOverdue(task);
        const self = !task.subjectId || task.subjectId === S.me.id;
        return h('tr', { class: late ? 'overdue' : null, 'data-task': task.id, 'data-kind': task.kind },
          h('td', {}, h('a', { href: '#/task/' + task.id }, taskTitle(task)), h('div', { class: 'muted small' }, t('kind.' + task.kind))),
          h('td', { class: 'subject' }, self ? t('inbox.yourself') : task.subjectName || '—'),
          h('td', { class: 'cycle' }, task.cycleTitle || '—'),
          h('td', { class: 'stage' }, stageLabel(task)),
          tab === 'todo'
            ? h('td', { class: 'due' }, h('span', { class: 'rel' + (late ? ' late' : '') }, relDue(task.dueAt)), h('div', { class: 'muted small' }, h('time', { datetime: task.dueAt }, fmtTime(task.dueAt))))
            : h('td', { class: 'due' }, h('time', { datetime: task.submittedAt || task.dueAt }, fmtTime(task.submittedAt || task.dueAt))),
          h('td', {}, badge(task.state), late ? [' ', badge('overdue', t('overdue'))] : null));
      }))));
  };
  const load = async () => {
    const r = await get('/inbox?limit=100');
    if (!live()) return;
    const due = (x) => (x.dueAt ? new Date(x.dueAt).getTime() : Infinity);
    const rank = (x) => (isOverdue(x) ? 0 : x.state === 'open' ? 1 : 2);
    rows = r.items.sort((a, b) => rank(a) - rank(b) || due(a) - due(b));
    draw();
  };
  await load();
  refreshEvery(5000, load, staleBanner);
}
