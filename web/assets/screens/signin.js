// Screen: sign in. With SSO configured the front door is one "Sign in with
// SSO" button, and pasting an API token is folded away for integrators;
// without it (perfloop dev), the token form.
import { api } from '../api.js';
import { alertBox, h } from '../dom.js';
import { lang, setLang, t } from '../i18n.js';
import { S } from '../state.js';

export async function signinView(main, live) {
  let conf = {};
  try { conf = (await api('GET', '/ui/config', undefined, { quiet401: true })) || {}; } catch (e) { conf = {}; }
  if (live && !live()) return;
  const sso = Boolean(conf.login);
  const err = h('div', { class: 'err', id: 'token-err', role: 'alert' });
  const input = h('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'off', spellcheck: 'false', required: true, 'aria-describedby': 'token-hint token-err' });
  const form = h('form', { class: sso ? '' : 'card signin', id: 'signin', onsubmit: async (e) => {
    e.preventDefault();
    err.textContent = '';
    const token = input.value.trim();
    if (!token) { err.textContent = t('v.required'); input.setAttribute('aria-invalid', 'true'); input.focus(); return; }
    S.token = token;
    try {
      S.me = await api('GET', '/me', undefined, { quiet401: true });
    } catch (ex) {
      S.token = '';
      err.textContent = ex.status === 401 ? t('signin.bad') : ex.message;
      input.setAttribute('aria-invalid', 'true');
      input.focus();
      return;
    }
    localStorage.setItem('pl.token', token);
    location.hash = '#/inbox';
  } },
  sso ? null : h('h1', {}, t('signin.title')),
  sso ? null : (S.flash ? alertBox('warn', S.flash) : null),
  h('div', { class: 'field' },
    h('label', { for: 'token' }, t('signin.token')),
    input,
    h('p', { class: 'hint', id: 'token-hint' }, t(sso ? 'signin.apiHint' : 'signin.hint')),
    conf.sso ? h('p', { class: 'hint', id: 'sso-hint' }, t('signin.sso', { issuer: conf.ssoIssuer || 'OIDC' })) : null,
    err),
  h('div', { class: 'toolbar' },
    h('button', { type: 'submit', id: 'signin-submit', class: sso ? 'secondary' : null }, t('signin.submit')),
    sso ? null : langPicker()));
  main.replaceChildren();
  if (!sso) {
    S.flash = null;
    main.append(form);
    input.focus();
    return;
  }
  const button = h('a', { class: 'btn', id: 'sso-login', href: conf.login }, t('signin.ssoButton'));
  main.append(h('div', { class: 'card signin', id: 'signin-sso' },
    h('h1', {}, t('signin.title')),
    S.flash ? alertBox('warn', S.flash) : null,
    h('p', {}, button),
    h('details', { id: 'api-token' }, h('summary', {}, t('signin.apiToken')), form),
    h('div', { class: 'toolbar' }, langPicker())));
  S.flash = null;
  button.focus();
}

function langPicker() {
  return h('select', { 'aria-label': t('nav.lang'), onchange: (e) => setLang(e.target.value) },
    h('option', { value: 'zh', selected: lang === 'zh' }, '中文'), h('option', { value: 'en', selected: lang === 'en' }, 'English'));
}
