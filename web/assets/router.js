// The router owns the shell: the header, the route table and render().
// Screens load on first use (import()), so the first screen carries only
// the shell and the screen it shows; web.go stamps every module URL with
// its content hash, so a changed screen is never served from a stale cache.
import { api, csrfToken, isLead, signOut } from './api.js';
import { $, alertBox, append, fill, h, skeleton } from './dom.js';
import { browserTz, lang, setLang, t, validTz, zone } from './i18n.js';
import { S, clearTimers } from './state.js';

let renderSeq = 0;
const LEADS = ['admin', 'hrbp', 'manager'];
// Each route: its pattern, how to load its screen module, the view it exports, and who may open it.
const routes = [
  [/^#\/signin$/, () => import('./screens/signin.js'), 'signinView'],
  [/^#\/inbox$/, () => import('./screens/inbox.js'), 'inboxView'],
  [/^#\/task\/([^/]+)$/, () => import('./screens/task.js'), 'taskView'],
  [/^#\/rate\/([^/]+)\/([a-z_]+)$/, () => import('./screens/teamgrid.js'), 'teamGridView'],
  [/^#\/results$/, () => import('./screens/results.js'), 'resultsView'],
  [/^#\/results\/([^/]+)$/, () => import('./screens/results.js'), 'resultView'],
  [/^#\/cycles$/, () => import('./screens/cycles.js'), 'cyclesView', LEADS],
  [/^#\/cycles\/([^/]+)$/, () => import('./screens/dashboard.js'), 'dashboardView', LEADS],
  [/^#\/templates$/, () => import('./screens/templates.js'), 'templatesView', ['admin']],
  [/^#\/templates\/new$/, () => import('./screens/editor.js'), 'editorView', ['admin']],
  [/^#\/templates\/([^/]+)\/(\d+)$/, () => import('./screens/editor.js'), 'editorView', ['admin']],
  [/^#\/templates\/([^/]+)\/diff\/(\d+)\/(\d+)$/, () => import('./screens/editor.js'), 'diffView', ['admin']],
  [/^#\/builder$/, () => import('./screens/builder.js'), 'builderStartView', ['admin']],
  [/^#\/builder\/(new)$/, () => import('./screens/builder.js'), 'builderView', ['admin']],
  [/^#\/builder\/(from|edit)\/([^/]+)\/(\d+)$/, () => import('./screens/builder.js'), 'builderView', ['admin']],
  [/^#\/idps$/, () => import('./screens/idps.js'), 'idpsView'],
  [/^#\/idps\/([^/]+)$/, () => import('./screens/idps.js'), 'idpView'],
  [/^#\/org$/, () => import('./screens/org.js'), 'orgImportView', ['admin']],
];
function header() {
  const top = $('#top');
  fill(top);
  if (!S.me) { top.hidden = true; return; }
  top.hidden = false;
  const links = [['#/inbox', 'nav.inbox', 'inbox'], ['#/results', 'nav.results', 'results']];
  links.push(['#/idps', 'nav.idps', 'idps']);
  if (isLead()) links.push(['#/cycles', 'nav.cycles', 'cycles']);
  if (S.me.role === 'admin') links.push(['#/templates', 'nav.templates', 'templates'], ['#/org', 'nav.org', 'org']);
  const here = location.hash.split('/')[1] || '';
  const langSel = h('select', { 'aria-label': t('nav.lang'), id: 'lang', onchange: (e) => setLang(e.target.value) },
    h('option', { value: 'zh', selected: lang === 'zh' }, '中文'), h('option', { value: 'en', selected: lang === 'en' }, 'English'));
  // On a phone the menu folds behind one button; from 641 px up it is always open.
  const toggle = h('button', { type: 'button', id: 'menu-toggle', class: 'menu-toggle', 'aria-expanded': 'false', 'aria-controls': 'menu',
    onclick: () => { const open = top.classList.toggle('open'); toggle.setAttribute('aria-expanded', String(open)); } }, t('nav.menu'));
  append(top, [
    h('span', { class: 'brand' }, 'Perfloop'),
    toggle,
    h('div', { id: 'menu', class: 'menu' },
      h('nav', { 'aria-label': t('nav.main') }, links.map(([href, key, name]) =>
        h('a', { href, 'data-nav': name, 'aria-current': here === name || ((here === 'task' || here === 'rate') && name === 'inbox') || (here === 'builder' && name === 'templates') ? 'page' : null }, t(key)))),
      h('div', { class: 'who' },
        h('span', { id: 'me' }, S.me.name + ' · ' + t('role.' + S.me.role)),
        tzSelect(),
        langSel,
        h('button', { type: 'button', id: 'signout', onclick: () => signOut() }, t('nav.signout')))),
  ]);
}
function tzSelect() {
  const zones = [...new Set([zone(), S.me.timezone, browserTz, 'Asia/Shanghai', 'UTC'].filter(validTz))];
  return h('select', { id: 'tz', 'aria-label': t('nav.tz'), title: t('nav.tz'), onchange: (e) => { localStorage.setItem('pl.tz', e.target.value); render(); } },
    zones.map((z) => h('option', { value: z, selected: z === zone() }, z)));
}
export async function render() {
  const seq = ++renderSeq;
  const live = () => seq === renderSeq;
  clearTimers();
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  $('.skip').textContent = t('app.skip');
  const main = $('#main');
  // An SSO provider sends people back with its token in the fragment.
  const sso = /(?:^|[#&/])(?:id_token|access_token)=([^&]+)/.exec(location.hash);
  if (sso) {
    const incoming = decodeURIComponent(sso[1]);
    history.replaceState(null, '', '#/inbox');
    fill(main, h('p', { class: 'muted' }, t('signin.ssoBack')));
    // A link carrying someone else's token must not swap who you are unasked.
    const go = !S.token || S.token === incoming || await confirmSwitch(main, incoming);
    if (!live()) return;
    if (go) {
      S.token = incoming; S.me = null; S.cache.clear();
      localStorage.setItem('pl.token', S.token);
    }
  }
  const hash = location.hash || '';
  const signedIn = S.token || csrfToken();
  if (!signedIn && hash !== '#/signin') { location.hash = '#/signin'; return; }
  if (signedIn && !S.me) {
    try { S.me = await api('GET', '/me', undefined, { quiet401: true }); } catch (e) {
      if (!live()) return;
      if (e.status === 401) { signOut(t('signin.expired')); return; }
      fill(main, alertBox('bad', t('err.load', { msg: e.message })));
      return;
    }
    if (!live()) return;
  }
  if (S.me && (hash === '' || hash === '#/' || hash === '#/signin')) { location.hash = '#/inbox'; return; }
  header();
  for (const [re, load, view, roles] of routes) {
    const m = hash.match(re);
    if (!m) continue;
    if (roles && !roles.includes(S.me.role)) { fill(main, alertBox('bad', t('err.forbidden'))); return; }
    try {
      const screen = await load();
      if (!live()) return;
      fill(main, skeleton());
      main.setAttribute('aria-busy', 'true');
      await screen[view](main, live, ...m.slice(1).map(decodeURIComponent));
      if (live()) { const bones = main.querySelector(':scope > .skeleton'); if (bones) bones.remove(); main.removeAttribute('aria-busy'); }
    } catch (e) {
      if (live()) { main.removeAttribute('aria-busy'); fill(main, alertBox('bad', t('err.load', { msg: e.message }))); }
    }
    return;
  }
  fill(main, alertBox('bad', t('err.notfound')));
}
// confirmSwitch asks before a token in the URL replaces the signed-in
// member with another; it resolves true to switch. A token that names
// no one, or the same member, needs no question.
async function confirmSwitch(main, incoming) {
  let me = S.me, other;
  try {
    if (!me) me = await api('GET', '/me', undefined, { quiet401: true });
  } catch (e) { return true; }
  try {
    other = await api('GET', '/me', undefined, { quiet401: true, token: incoming });
  } catch (e) { return false; }
  if (other.id === me.id) return true;
  const who = (m) => m.name + ' <' + m.email + '>';
  return new Promise((resolve) => {
    const yes = h('button', { type: 'button', id: 'switch-yes', onclick: () => resolve(true) }, t('signin.switchYes', { name: other.name }));
    const no = h('button', { type: 'button', id: 'switch-no', class: 'secondary', onclick: () => resolve(false) }, t('signin.switchNo', { name: me.name }));
    fill(main, h('div', { class: 'card', id: 'switch-user', role: 'alertdialog', 'aria-labelledby': 'switch-q' },
      h('p', { id: 'switch-q' }, t('signin.switchQ', { me: who(me), other: who(other) })), h('div', { class: 'actions' }, no, ' ', yes)));
    no.focus();
  });
}
