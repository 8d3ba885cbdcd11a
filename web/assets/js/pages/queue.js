// Review queue: GET /v1/decisions?queue=true with filters, sort and keyset paging.
// Keyboard: ↑/↓ or j/k move between rows, Enter opens the case, / focuses the first filter.
import { get, qs, enc } from '../api.js';
import { h, clear, errorBox, announce } from '../dom.js';
import { t, kindName } from '../i18n.js';
import { fixed, timeEl, levelBadge, actionText, labelBadge } from '../format.js';

// `review`: '' what is left to review (no label yet), 'labelled', or 'all'.
const FILTERS = ['review', 'kind', 'action', 'level', 'customer', 'from', 'to', 'sort', 'order'];
const OPTIONS = {
  kind: ['order', 'return', 'transaction'],
  action: ['manual_review', 'block', 'deny', 'decline', 'step_up_authentication'],
  level: ['low', 'medium', 'high', 'critical'],
};
export const PAGE_SIZE = 50;

// Cursors of the pages before the current one, per filter set (so "Previous" works after
// opening a case and coming back).
const pageStacks = new Map();

/** A date input's day, in the browser's zone, as an ISO instant (whole seconds, UTC). */
function dayToIso(day, endOfDay) {
  if (!day) return '';
  const d = new Date(`${day}T00:00:00`);
  if (Number.isNaN(d.getTime())) return '';
  if (endOfDay) d.setDate(d.getDate() + 1);
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// Payments waiting for their customer's SMS reply: part of what needs an
// eye, though they are settled by the reply (or expire), not by a label.
function pendingPanel() {
  const list = h('div', { id: 'queue-pending-list' }, h('p', { class: 'muted small' }, t('loading')));
  get(`/v1/transactions${qs({ status: 'pending_verification', limit: 20 })}`).then((data) => {
    const rows = data.transactions || [];
    clear(list).append(rows.length
      ? h('ul', { class: 'legend' }, rows.map((x) => h('li', {},
        h('a', { href: `#/transactions/${enc(x.transaction_id)}` }, x.transaction_id), ' · ',
        x.user_id, ' · ', fixed(x.risk_score, 3), ' · ', timeEl(x.received_at))))
      : h('p', { class: 'muted small' }, t('q.pendingNone')));
  }).catch((err) => { if (err.status !== 401) clear(list).append(errorBox(err)); });
  return h('section', { class: 'panel', id: 'queue-pending', 'aria-labelledby': 'queue-pending-title' },
    h('h2', { id: 'queue-pending-title' }, t('q.pending')), list);
}

export function render(main, ctx) {
  const q = ctx.query;
  const filters = Object.fromEntries(FILTERS.map((f) => [f, q.get(f) || '']));
  const cursor = q.get('cursor') || '';
  const filterKey = FILTERS.map((f) => `${f}=${filters[f]}`).join('&');
  if (!pageStacks.has(filterKey)) pageStacks.set(filterKey, []);
  const stack = pageStacks.get(filterKey);
  if (!cursor) stack.length = 0;

  const hashFor = (f, c) => {
    const p = new URLSearchParams();
    for (const k of FILTERS) if (f[k]) p.set(k, f[k]);
    if (c) p.set('cursor', c);
    const s = p.toString();
    return `#/queue${s ? `?${s}` : ''}`;
  };

  // Filters
  const select = (name, labelKey, values, render = (v) => v) => {
    const id = `f-${name}`;
    const el = h('select', { id, name },
      h('option', { value: '' }, t('q.any')),
      values.map((v) => h('option', { value: v, selected: filters[name] === v }, render(v))));
    return h('div', { class: 'field' }, h('label', { for: id }, t(labelKey)), el);
  };
  const input = (name, labelKey, type) => {
    const id = `f-${name}`;
    return h('div', { class: 'field' }, h('label', { for: id }, t(labelKey)),
      h('input', { id, name, type, value: filters[name], ...(type === 'text' ? { size: 12, autocomplete: 'off' } : {}) }));
  };
  const reviewSel = h('div', { class: 'field' }, h('label', { for: 'f-review' }, t('q.review')),
    h('select', { id: 'f-review', name: 'review' },
      h('option', { value: '', selected: !filters.review }, t('q.toReview')),
      h('option', { value: 'labelled', selected: filters.review === 'labelled' }, t('q.labelled')),
      h('option', { value: 'all', selected: filters.review === 'all' }, t('q.all'))));
  const sortSel = h('div', { class: 'field' }, h('label', { for: 'f-sort' }, t('q.sort')),
    h('select', { id: 'f-sort', name: 'sort' },
      h('option', { value: 'at', selected: filters.sort !== 'score' }, t('q.sortAt')),
      h('option', { value: 'score', selected: filters.sort === 'score' }, t('q.sortScore'))));
  const orderSel = h('div', { class: 'field' }, h('label', { for: 'f-order' }, t('q.order')),
    h('select', { id: 'f-order', name: 'order' },
      h('option', { value: 'desc', selected: filters.order !== 'asc' }, t('q.desc')),
      h('option', { value: 'asc', selected: filters.order === 'asc' }, t('q.asc'))));
  const form = h('form', { class: 'filters', role: 'search', 'aria-label': t('q.title') },
    reviewSel,
    select('kind', 'q.kind', OPTIONS.kind, kindName),
    select('action', 'q.action', OPTIONS.action),
    select('level', 'q.level', OPTIONS.level),
    input('customer', 'q.customer', 'text'),
    input('from', 'q.from', 'date'),
    input('to', 'q.to', 'date'),
    sortSel, orderSel,
    h('button', { type: 'submit', class: 'btn' }, t('q.apply')),
    h('button', { type: 'reset', class: 'btn btn-quiet' }, t('q.reset')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const data = new FormData(form);
    const next = {};
    for (const f of FILTERS) next[f] = String(data.get(f) || '').trim();
    if (next.sort === 'at') next.sort = '';
    if (next.order === 'desc') next.order = '';
    ctx.navigate(hashFor(next, ''));
  });
  form.addEventListener('reset', (e) => {
    e.preventDefault();
    ctx.navigate('#/queue');
  });

  const meta = h('span', { class: 'meta', id: 'queue-meta', 'aria-live': 'polite' }, t('loading'));
  const results = h('div', { id: 'queue-results' });
  main.append(
    h('div', { class: 'page-head' }, h('h1', { tabindex: -1 }, t('q.title')), meta),
    h('p', { class: 'muted small' }, t('q.lead'), ' ', h('span', { class: 'kbd-hint', id: 'queue-keys' }, t('q.keys'))),
    form, results, pendingPanel());

  const rowLinks = () => [...results.querySelectorAll('a.row-link')];
  const onKey = (e) => {
    const tag = (e.target.tagName || '').toLowerCase();
    const typing = ['input', 'select', 'textarea'].includes(tag);
    if (e.key === '/' && !typing) {
      e.preventDefault();
      form.querySelector('select, input').focus();
      return;
    }
    if (typing || e.altKey || e.ctrlKey || e.metaKey) return;
    const links = rowLinks();
    if (!links.length) return;
    const i = links.indexOf(document.activeElement);
    let next = null;
    if (e.key === 'ArrowDown' || e.key === 'j') next = i < 0 ? 0 : Math.min(links.length - 1, i + 1);
    else if (e.key === 'ArrowUp' || e.key === 'k') next = i < 0 ? 0 : Math.max(0, i - 1);
    else if (e.key === 'Home' && i >= 0) next = 0;
    else if (e.key === 'End' && i >= 0) next = links.length - 1;
    if (next !== null) {
      e.preventDefault();
      links[next].focus();
      links[next].scrollIntoView({ block: 'nearest' });
    }
  };
  document.addEventListener('keydown', onKey);

  async function load() {
    const params = {
      queue: 'true',
      labelled: { '': 'false', labelled: 'true' }[filters.review] || '',
      kind: filters.kind,
      action: filters.action,
      level: filters.level,
      customer: filters.customer,
      from: dayToIso(filters.from, false),
      to: dayToIso(filters.to, true),
      sort: filters.sort || 'at',
      order: filters.order || 'desc',
      limit: PAGE_SIZE,
      cursor,
    };
    const t0 = performance.now();
    try {
      const data = await get(`/v1/decisions${qs(params)}`);
      const ms = Math.round(performance.now() - t0);
      if (!ctx.isCurrent()) return;
      showRows(data, ms);
    } catch (err) {
      if (!ctx.isCurrent() || err.status === 401) return;
      meta.textContent = '';
      clear(results).append(errorBox(err));
    }
  }

  function showRows(data, ms) {
    const rows = data.decisions || [];
    const page = stack.length + 1;
    meta.textContent = t('q.count', { n: rows.length, ms });
    meta.dataset.ms = String(ms);
    clear(results);
    if (!rows.length) {
      results.append(h('p', { class: 'notice', id: 'queue-empty' }, t('q.empty')));
    } else {
      const table = h('table', { class: 'queue-table', id: 'queue-table' },
        h('caption', {}, t('q.caption', { page })),
        h('thead', {}, h('tr', {},
          h('th', { scope: 'col' }, t('q.subject')),
          h('th', { scope: 'col' }, t('q.kind')),
          h('th', { scope: 'col', class: 'hide-narrow' }, t('q.decision')),
          h('th', { scope: 'col', class: 'hide-narrow' }, t('q.customer')),
          h('th', { scope: 'col' }, t('q.at')),
          h('th', { scope: 'col', class: 'num' }, t('q.score')),
          h('th', { scope: 'col' }, t('q.level')),
          h('th', { scope: 'col' }, t('q.action')),
          h('th', { scope: 'col', class: 'hide-narrow' }, t('q.model')),
          h('th', { scope: 'col' }, t('q.label')))),
        h('tbody', {}, rows.map((d) => {
          const caseHash = `#/case/${enc(d.decision_id)}${d.customer_id ? `?customer=${enc(d.customer_id)}` : ''}`;
          return h('tr', { 'data-decision': d.decision_id },
            h('td', {}, h('a', { class: 'row-link', href: caseHash }, d.subject_id || d.decision_id)),
            h('td', {}, kindName(d.kind)),
            h('td', { class: 'mono small hide-narrow' }, d.decision_id),
            h('td', { class: 'mono hide-narrow' }, d.customer_id || '—'),
            h('td', {}, timeEl(d.at)),
            h('td', { class: 'num' }, fixed(d.risk_score, 3)),
            h('td', {}, levelBadge(d.risk_level)),
            h('td', {}, actionText(d.action)),
            h('td', { class: 'mono hide-narrow' }, d.model_version || '—'),
            h('td', {}, labelBadge(d.label)));
        })));
      results.append(h('div', { class: 'table-wrap', role: 'region', 'aria-label': t('q.caption', { page }), tabindex: -1 }, table));
    }
    const pager = h('nav', { class: 'pager', 'aria-label': 'Pages' });
    if (stack.length) {
      pager.append(h('a', { class: 'btn btn-quiet', href: hashFor(filters, ''), id: 'queue-first' }, t('q.first')));
      const prev = h('button', { type: 'button', class: 'btn btn-quiet', id: 'queue-prev' }, t('q.prev'));
      prev.addEventListener('click', () => {
        const before = stack.pop();
        ctx.navigate(hashFor(filters, before || ''));
      });
      pager.append(prev);
    }
    if (data.next_cursor) {
      const next = h('button', { type: 'button', class: 'btn', id: 'queue-next' }, t('q.next'));
      next.addEventListener('click', () => {
        stack.push(cursor);
        ctx.navigate(hashFor(filters, data.next_cursor));
      });
      pager.append(next);
    }
    results.append(pager);
    announce(meta.textContent);
    results.dataset.loaded = 'true';
  }

  load();
  return () => document.removeEventListener('keydown', onKey);
}
