// Transactions: the payment flow's payments (GET /v1/transactions) and, for one, its history,
// verification SMS and the customer's reply (GET /v1/transactions/{id}), and an analyst's label
// on it (POST /v1/transactions/{id}/label), audited in its history.
import { get, post, qs, enc } from '../api.js';
import { h, clear, errorBox, tableWrap, announce } from '../dom.js';
import { t } from '../i18n.js';
import { fixed, inr, timeEl, levelBadge, actionText, labelBadge, featureValue, textLang, who, when } from '../format.js';
import { confirmDialog } from './confirm.js';

// 'historical': a lake's payments imported by `vigil ingest`, listed only when chosen.
const STATUSES = ['received', 'scored', 'pending_verification', 'manual_review', 'approved', 'declined', 'expired', 'historical'];
// The payment flow decides these first (or the customer's reply does): no label yet.
const UNSETTLED = ['received', 'scored', 'pending_verification'];

function smsStatus(tx) {
  if (tx.sms && typeof tx.sms === 'object') return tx.sms.status || '—';
  return tx.sms_status || tx.sms || '—';
}

export function render(main, ctx) {
  const status = ctx.query.get('status') || '';
  const cursor = ctx.query.get('cursor') || '';
  const selected = ctx.args[0] || '';
  const hashFor = (id, c, st = status) => {
    const p = new URLSearchParams();
    if (st) p.set('status', st);
    if (c) p.set('cursor', c);
    const s = p.toString();
    return `#/transactions${id ? `/${enc(id)}` : ''}${s ? `?${s}` : ''}`;
  };

  const sel = h('select', { id: 'tx-status', name: 'status' },
    h('option', { value: '' }, t('t.anyLive')),
    STATUSES.map((s) => h('option', { value: s, selected: s === status }, s)));
  sel.addEventListener('change', () => ctx.navigate(hashFor('', '', sel.value)));
  const list = h('div', { id: 'tx-list' }, h('p', { class: 'muted' }, t('loading')));
  const detail = h('div', { id: 'tx-detail' }, h('p', { class: 'muted' }, t('t.pick')));
  main.append(
    h('div', { class: 'page-head' }, h('h1', { tabindex: -1 }, t('t.title'))),
    h('p', { class: 'muted small' }, t('t.lead')),
    h('div', { class: 'filters' }, h('div', { class: 'field' }, h('label', { for: 'tx-status' }, t('t.status')), sel)),
    h('div', { class: 'grid split' },
      h('section', { class: 'panel', 'aria-label': t('t.title') }, list),
      h('section', { class: 'panel', 'aria-live': 'polite', 'aria-label': selected ? t('t.detail', { id: selected }) : t('t.pick') }, detail)));

  const listed = get(`/v1/transactions${qs({ status, limit: 50, cursor })}`);
  listed.then((data) => {
    if (!ctx.isCurrent()) return;
    const rows = data.transactions || data.payments || [];
    clear(list);
    if (!rows.length) {
      list.append(h('p', { class: 'notice' }, t('t.empty')));
      return;
    }
    list.append(tableWrap(h('table', { id: 'tx-table' },
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, t('t.id')),
        h('th', { scope: 'col', class: 'num' }, t('t.amount')),
        h('th', { scope: 'col' }, t('t.status')),
        h('th', { scope: 'col' }, t('t.risk')),
        h('th', { scope: 'col' }, t('t.sms')),
        h('th', { scope: 'col', class: 'hide-narrow' }, t('t.created')))),
      h('tbody', {}, rows.map((tx) => h('tr', { class: tx.transaction_id === selected ? 'current' : null },
        h('td', {}, h('a', { class: 'mono', href: hashFor(tx.transaction_id, cursor), 'aria-current': tx.transaction_id === selected ? 'true' : null }, tx.transaction_id),
          h('div', { class: 'small muted' }, tx.user_id || '')),
        h('td', { class: 'num' }, inr(tx.amount, tx.currency || 'INR')),
        h('td', { class: 'act' }, (tx.status || '—').replace(/_/g, ' ')),
        h('td', {}, tx.risk_score !== null && tx.risk_score !== undefined ? `${fixed(tx.risk_score, 3)} ` : '', levelBadge(tx.risk_level)),
        h('td', { class: 'act' }, smsStatus(tx)),
        h('td', { class: 'hide-narrow small' }, timeEl(tx.created_at, { short: true })))))), t('t.title')));
    if (data.next_cursor) {
      list.append(h('nav', { class: 'pager', 'aria-label': 'Pages' },
        cursor ? h('a', { class: 'btn btn-quiet', href: hashFor('', '') }, t('q.first')) : null,
        h('a', { class: 'btn', href: hashFor('', data.next_cursor) }, t('q.next'))));
    }
  }).catch((err) => { if (ctx.isCurrent() && err.status !== 401) clear(list).append(errorBox(err)); });

  if (selected) {
    detail.textContent = t('loading');
    get(`/v1/transactions/${enc(selected)}`).then((tx) => {
      if (!ctx.isCurrent()) return;
      clear(detail).append(txDetail(tx), labelForm(tx, ctx, detail));
    }).catch(async (err) => {
      if (!ctx.isCurrent() || err.status === 401) return;
      // The payment's own route may be closed to this role (403): show what the list knows.
      const row = err.status === 403 ? ((await listed.catch(() => ({}))).transactions || []).find((x) => x.transaction_id === selected) : null;
      if (!ctx.isCurrent()) return;
      if (row) clear(detail).append(txDetail(row), h('p', { class: 'notice small', id: 'tx-detail-limited' }, t('t.limited', { message: err.message })));
      else clear(detail).append(h('h2', {}, t('t.detail', { id: selected })), errorBox(err));
    });
  }
}

function txDetail(tx) {
  const sms = tx.sms && typeof tx.sms === 'object' ? tx.sms : null;
  const kv = (entries) => h('dl', { class: 'kv' }, entries.filter(([, v]) => v !== undefined).flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v ?? '—')]));
  const ex = tx.explanation || {};
  return h('div', { id: 'tx-detail-body' },
    h('h2', {}, t('t.detail', { id: tx.transaction_id })),
    kv([
      [t('t.user'), h('span', { class: 'mono' }, tx.user_id)],
      [t('t.amount'), inr(tx.amount, tx.currency || 'INR')],
      [t('t.merchant'), tx.merchant || '—'],
      [t('t.location'), tx.location || '—'],
      [t('t.status'), actionText(tx.status)],
      [t('c.score'), tx.risk_score !== null && tx.risk_score !== undefined ? fixed(tx.risk_score, 3) : '—'],
      [t('c.level'), levelBadge(tx.risk_level)],
      [t('c.action'), actionText(tx.action)],
      [t('c.model'), tx.model_version || '—'],
      [t('q.label'), labelBadge(tx.label)],
    ]),
    ex.summary ? h('div', { class: 'explanation', lang: textLang(ex.summary) }, h('h3', {}, t('c.explanation')), h('p', { class: 'summary' }, ex.summary),
      ex.key_factors?.length ? h('ul', {}, ex.key_factors.map((f) => h('li', {}, f))) : null,
      ex.recommendation ? h('p', {}, ex.recommendation) : null) : null,
    tx.factors?.length ? h('details', {}, h('summary', {}, t('c.waterfall')),
      h('ul', {}, tx.factors.map((f) => h('li', { class: 'mono small' }, `${f.feature} = ${featureValue(f.value)}: ${f.contribution >= 0 ? '+' : ''}${fixed(f.contribution, 3)}`)))) : null,
    h('h3', {}, t('t.sms')),
    !sms && tx.sms_status ? kv([['status', actionText(tx.sms_status)]]) : sms ? kv([
      ['status', actionText(sms.status)], ['to', sms.to || '—'], ['sent_at', sms.sent_at ? timeEl(sms.sent_at) : '—'],
      ['sender', sms.sender || '—'], ['attempts', String(sms.attempts ?? '—')],
      ['error', sms.error ? JSON.stringify(sms.error) : '—'],
    ]) : h('p', { class: 'muted' }, t('none')),
    h('h3', {}, t('t.reply')),
    tx.user_response ? h('p', {}, typeof tx.user_response === 'string' ? h('strong', {}, tx.user_response)
      : [h('strong', {}, tx.user_response.text), ' · ', timeEl(tx.user_response.at)]) : h('p', { class: 'muted' }, t('none')),
    tx.history ? [h('h3', {}, t('t.history')),
      h('ol', { class: 'timeline', id: 'tx-history' }, tx.history.map(historyStep))] : null);
}

// A step of the payment flow, or an analyst's label with who, when and the note.
function historyStep(step) {
  if (!step.label) {
    return h('li', {}, timeEl(step.at), ' · ', actionText(step.status), step.reason ? ` — ${step.reason}` : '');
  }
  return h('li', { class: 'tx-label-step', 'data-label': step.label },
    labelBadge(step.label), ' ', h('span', { class: 'small' }, t('c.by', { who: who(step.by), when: when(step.at) })),
    step.note ? h('div', { class: 'note' }, step.note) : null);
}

// "Confirm fraud" / "Genuine" with a note; the detail is drawn again from the server after.
function labelForm(tx, ctx, detail) {
  const noteId = 'tx-note';
  const note = h('textarea', { id: noteId, name: 'note', maxlength: 1000, rows: 2 });
  const msg = h('p', { 'aria-live': 'polite', id: 'tx-label-msg' });
  const settled = !UNSETTLED.includes(tx.status);
  const buttons = [['fraud', 't.fraud', 'btn-danger'], ['genuine', 't.genuine', 'btn-ok']]
    .map(([value, key, cls]) => h('button', { type: 'submit', class: ['btn', cls], name: 'label', value, 'data-label': value, disabled: !settled }, t(key)));
  const form = h('form', { id: 'tx-label-form' },
    h('div', { class: 'field' }, h('label', { for: noteId }, t('c.note')), note),
    h('div', { class: 'btn-row' }, buttons),
    settled ? null : h('p', { class: 'muted small', id: 'tx-label-unsettled' }, t('t.unsettled', { status: actionText(tx.status) })),
    msg);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const label = e.submitter?.value;
    if (!label) return;
    // A fraud label counts in the card's and merchant's features at once (a correction
    // replaces the label it corrects), so it asks first.
    if (label === 'fraud' && !(await confirmDialog(t('t.confirmFraud', { id: tx.transaction_id }), { confirmLabel: t('t.fraud') }))) return;
    for (const b of buttons) b.disabled = true;
    msg.className = '';
    msg.textContent = '';
    try {
      const done = await post(`/v1/transactions/${enc(tx.transaction_id)}/label`, { label, note: note.value.trim() });
      const fresh = await get(`/v1/transactions/${enc(tx.transaction_id)}`);
      if (!ctx.isCurrent()) return;
      const form2 = labelForm(fresh, ctx, detail);
      clear(detail).append(txDetail(fresh), form2);
      const msg2 = form2.querySelector('#tx-label-msg');
      msg2.className = 'ok-msg';
      msg2.textContent = t('t.labelled', { label: t(`t.${label}`) });
      announce(msg2.textContent);
    } catch (err) {
      if (!ctx.isCurrent()) return;
      msg.className = 'error';
      msg.textContent = err.message;
      for (const b of buttons) b.disabled = false;
    }
  });
  return h('section', { id: 'tx-label', 'aria-labelledby': 'tx-label-h' }, h('h3', { id: 'tx-label-h' }, t('t.labelTitle')), form);
}
