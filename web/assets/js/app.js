// The dashboard's shell: session, navigation by URL hash (#/queue?kind=order), page lifecycle.
import { get, del, setCsrfToken, setUnauthorizedHandler } from './api.js';
import { h, clear, announce } from './dom.js';
import { t, lang, setLang, translateShell } from './i18n.js';
import { renderSignIn } from './pages/signin.js';
import * as overview from './pages/overview.js';
import * as queue from './pages/queue.js';
import * as casePage from './pages/case.js';
import * as transactions from './pages/transactions.js';
import * as lists from './pages/lists.js';
import * as models from './pages/models.js';

const PAGES = { overview, queue, case: casePage, transactions, lists, models };

const state = { session: null, cleanup: null, renderSeq: 0 };
const main = document.getElementById('main');

export function parseHash() {
  const raw = location.hash.startsWith('#/') ? location.hash.slice(2) : 'overview';
  const [path, query = ''] = raw.split('?');
  const parts = path.split('/').map(decodeURIComponent);
  return { page: parts[0] || 'overview', args: parts.slice(1), query: new URLSearchParams(query) };
}

export function navigate(hash, { replace = false } = {}) {
  if (replace) {
    history.replaceState(null, '', hash);
    route();
  } else if (location.hash === hash) {
    route();
  } else {
    location.hash = hash;
  }
}

function setSession(session) {
  state.session = session;
  setCsrfToken(session ? session.csrf_token : null);
  document.body.dataset.role = session ? session.role : '';
  const top = document.getElementById('top');
  top.hidden = !session;
  document.getElementById('nav-lists').hidden = !session || session.role !== 'admin';
  document.getElementById('who').textContent = session
    ? t('who', { name: session.key_name || session.key_id, role: session.role })
    : '';
}

function markNav(page) {
  for (const a of document.querySelectorAll('#nav a')) {
    if (a.dataset.page === page || (page === 'case' && a.dataset.page === 'queue')) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

async function route() {
  const seq = ++state.renderSeq;
  if (state.cleanup) {
    try { state.cleanup(); } catch { /* a page's cleanup must not stop navigation */ }
    state.cleanup = null;
  }
  clear(main);
  if (!state.session) {
    markNav('');
    renderSignIn(main, { onSignedIn });
    return;
  }
  const { page, args, query } = parseHash();
  const mod = PAGES[page] || overview;
  markNav(PAGES[page] ? page : 'overview');
  const ctx = {
    session: state.session,
    args,
    query,
    navigate,
    isAdmin: state.session.role === 'admin',
    isCurrent: () => seq === state.renderSeq,
  };
  const cleanup = mod.render(main, ctx);
  state.cleanup = typeof cleanup === 'function' ? cleanup : null;
  document.title = `${document.querySelector('main h1')?.textContent || 'Vigil'} · Vigil`;
}

function onSignedIn(session) {
  setSession(session);
  if (!location.hash.startsWith('#/')) history.replaceState(null, '', '#/overview');
  route().then(() => main.querySelector('h1')?.focus());
}

async function signOut() {
  try { await del('/v1/session'); } catch { /* the cookie is cleared either way below */ }
  setSession(null);
  announce(t('signout'));
  route();
}

function wireShell() {
  const sel = document.getElementById('lang');
  sel.value = lang();
  sel.addEventListener('change', () => {
    setLang(sel.value);
    translateShell();
    setSession(state.session);
    route();
  });
  document.getElementById('signout').addEventListener('click', signOut);
  document.getElementById('skip').addEventListener('click', (e) => {
    e.preventDefault();
    main.focus();
  });
  window.addEventListener('hashchange', () => {
    route().then(() => main.querySelector('h1')?.focus({ preventScroll: false }));
  });
  setUnauthorizedHandler(() => {
    if (!state.session) return;
    setSession(null);
    route().then(() => {
      const form = main.querySelector('form');
      if (form) form.prepend(h('p', { class: 'notice', role: 'alert' }, t('signin.expired')));
    });
  });
}

async function start() {
  setLang(lang());
  translateShell();
  wireShell();
  try {
    const session = await get('/v1/session', { quiet401: true });
    setSession(session);
  } catch {
    setSession(null);
  }
  await route();
  document.body.dataset.ready = 'true';
}

start();
