// Screen: sign in.
import { api } from '../api.js';
import { $, alertBox, h } from '../dom.js';
import { lang, setLang, t } from '../i18n.js';
import { S } from '../state.js';

export function signinView(main) {
  const err = h('div', { class: 'err', id: 'token-err', role: 'alert' });
  const input = h('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'off', spellcheck: 'false', required: true, 'aria-describedby': 'token-hint token-err' });
  const form = h('form', { class: 'card signin', id: 'signin', onsubmit: async (e) => {
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
  h('h1', {}, t('signin.title')),
  S.flash ? alertBox('warn', S.flash) : null,
  h('div', { class: 'field' },
    h('label', { for: 'token' }, t('signin.token')),
    input,
    h('p', { class: 'hint', id: 'token-hint' }, t('signin.hint')),
    err),
  h('div', { class: 'toolbar' },
    h('button', { type: 'submit', id: 'signin-submit' }, t('signin.submit')),
    h('select', { 'aria-label': t('nav.lang'), onchange: (e) => setLang(e.target.value) },
      h('option', { value: 'zh', selected: lang === 'zh' }, '中文'), h('option', { value: 'en', selected: lang === 'en' }, 'English'))));
  S.flash = null;
  main.append(form);
  input.focus();
  api('GET', '/ui/config', undefined, { quiet401: true }).then((c) => {
    if (c && c.sso) $('#token-hint').after(h('p', { class: 'hint', id: 'sso-hint' }, t('signin.sso', { issuer: c.ssoIssuer || 'OIDC' })));
  }).catch(() => {});
}
