// Sign-in: an analyst or admin API key is exchanged for a session cookie (POST /v1/session).
import { post } from '../api.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';

export function renderSignIn(main, { onSignedIn }) {
  const input = h('input', { type: 'password', id: 'api-key', name: 'api_key', autocomplete: 'off', spellcheck: 'false', required: true, 'aria-describedby': 'signin-lead' });
  const button = h('button', { type: 'submit', class: 'btn' }, t('signin.submit'));
  const msg = h('div', { 'aria-live': 'assertive' });
  const form = h('form', { novalidate: true },
    h('div', { class: 'field' }, h('label', { for: 'api-key' }, t('signin.key')), input),
    button, msg);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    msg.textContent = '';
    const key = input.value.trim();
    if (!key) {
      input.focus();
      return;
    }
    button.disabled = true;
    button.textContent = t('signin.busy');
    try {
      const session = await post('/v1/session', { api_key: key }, { quiet401: true });
      input.value = '';
      onSignedIn(session);
    } catch (err) {
      const text = err.status === 401 ? t('signin.bad') : err.status === 403 ? t('signin.scorer') : err.message;
      msg.append(h('p', { class: 'error', role: 'alert' }, text));
      input.select();
      input.focus();
    } finally {
      button.disabled = false;
      button.textContent = t('signin.submit');
    }
  });
  main.append(h('section', { class: 'signin', 'aria-labelledby': 'signin-title' },
    h('div', { class: 'panel' },
      h('div', { class: 'brand-big', 'aria-hidden': 'true' }, 'Vigil'),
      h('h1', { id: 'signin-title', tabindex: -1 }, t('signin.title')),
      h('p', { id: 'signin-lead', class: 'muted small' }, t('signin.lead')),
      form)));
  input.focus();
}
