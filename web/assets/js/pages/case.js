// Case: one decision with its input, explanation, SHAP waterfall, the customer's profile and
// timeline, similar past cases, and labelling with an audit trail.
import { get, post, qs, enc } from '../api.js';
import { h, clear, errorBox, announce, tableWrap } from '../dom.js';
import { t, lang, kindName } from '../i18n.js';
import { fixed, num, timeEl, levelBadge, actionText, labelBadge, featureValue, who, when } from '../format.js';
import { waterfall } from '../charts.js';

const WATERFALL_ROWS = 12;
const LANG_NAMES = { en: 'English', hi: 'हिन्दी' };
const TIMELINE_ICONS = {
  // Symbols every common text font has (DejaVu, Noto Sans): no emoji, which a machine without
  // an emoji font draws as empty boxes.
  'order.placed': '◆', 'order.delivered': '✓', 'order.rto': '↩', 'order.cancelled': '✕', 'order.returned': '⇄',
  'return.requested': '⇄', 'return.qc_completed': '⚑', label: '✎', 'sms.reply': '✉', payment: '₹',
};

function subjectOf(doc) {
  const r = doc.response || {};
  const req = doc.request || {};
  return r.order_id && doc.kind === 'order' ? r.order_id
    : r.return_id || req.return_id || r.order_id || req.order_id || r.transaction_id || req.transaction_id || doc.subject_id || doc.decision_id;
}

function section(id, title, ...children) {
  return h('section', { class: 'panel', id, 'aria-labelledby': `${id}-h` }, h('h2', { id: `${id}-h` }, title), ...children);
}

function kv(entries) {
  return h('dl', { class: 'kv' }, entries.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

export function render(main, ctx) {
  const id = ctx.args[0] || '';
  const hintedCustomer = ctx.query.get('customer') || '';
  const disposers = [];
  main.append(
    h('p', {}, h('a', { href: '#/queue', id: 'case-back' }, t('c.back'))),
    h('h1', { tabindex: -1, id: 'case-title' }, t('c.title', { id })));
  const body = h('div', { id: 'case-body' }, h('p', { class: 'muted' }, t('loading')));
  main.append(body);

  async function load() {
    let doc;
    try {
      // The explanation in the interface's language, rendered by the server.
      doc = await get(`/v1/decisions/${enc(id)}${qs({ language: lang() })}`);
    } catch (err) {
      if (!ctx.isCurrent() || err.status === 401) return;
      clear(body).append(errorBox(err));
      return;
    }
    if (!ctx.isCurrent()) return;
    const subject = subjectOf(doc);
    main.querySelector('#case-title').textContent = t('c.title', { id: subject });
    const customerId = doc.customer_id || doc.request?.customer_id || doc.request?.user_id || hintedCustomer;
    clear(body);
    const labelsBox = h('div', { id: 'case-audit-list' });
    body.append(h('div', { class: 'grid grid-2' },
      decisionPanel(doc),
      explanationPanel(doc),
      waterfallPanel(doc),
      labelPanel(doc, labelsBox),
      inputPanel(doc),
      customerPanel(customerId, doc),
      timelinePanel(customerId, doc),
      similarPanel(doc)));
    renderAudit(labelsBox, doc.labels || []);
    body.dataset.loaded = 'true';
  }

  function decisionPanel(doc) {
    const r = doc.response || {};
    const entries = [
      [t('q.kind'), kindName(doc.kind)],
      [t('c.level'), levelBadge(r.risk_level)],
      [t('c.action'), actionText(r.recommended_action || r.action)],
      [t('c.model'), h('span', { class: 'mono' }, r.model_version || '—')],
      [t('c.at'), timeEl(doc.at || r.timestamp)],
      [t('c.confidence'), r.confidence !== undefined ? fixed(r.confidence, 2) : '—'],
      [t('q.decision'), h('span', { class: 'mono' }, doc.decision_id)],
    ];
    if (r.override) entries.push([t('c.override'), `${r.override.list} · ${r.override.field}${r.override.reason ? ` — ${r.override.reason}` : ''}`]);
    if (doc.challenger) {
      entries.push([t('c.challenger'), `${doc.challenger.model_version}: ${fixed(doc.challenger.risk_score, 3)} (${doc.challenger.risk_level}, ${doc.challenger.recommended_action})`]);
    }
    return section('case-decision', t('c.decision'),
      h('div', { class: 'score-big', 'data-figure': 'score', 'aria-label': `${t('c.score')} ${fixed(r.risk_score, 3)}` }, fixed(r.risk_score, 3)),
      h('p', { class: 'muted small' }, t('c.score')),
      kv(entries));
  }

  function explanationPanel(doc) {
    const r = doc.response || {};
    const ex = r.explanation || {};
    const exLang = r.language || 'en';
    const content = h('div', { class: 'explanation', lang: exLang },
      ex.summary ? h('p', { class: 'summary' }, ex.summary) : null,
      ex.key_factors?.length ? h('ul', {}, ex.key_factors.map((f) => h('li', {}, f))) : null,
      ex.recommendation ? h('p', {}, h('strong', {}, `${t('c.recommendation')}: `), ex.recommendation) : null);
    const parts = [content];
    if (exLang !== lang()) parts.push(h('p', { class: 'notice small', id: 'case-expl-lang' }, t('c.explLang', { lang: LANG_NAMES[exLang] || exLang })));
    if (doc.narration?.text) {
      parts.push(h('h3', {}, `${t('c.narration')} (${doc.narration.source || ''})`), h('p', {}, doc.narration.text));
    }
    return section('case-explanation', t('c.explanation'), ...parts);
  }

  function waterfallPanel(doc) {
    const factors = (doc.all_factors || doc.response?.factors || []).slice();
    factors.sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution));
    const features = doc.features || {};
    const shown = factors.slice(0, WATERFALL_ROWS);
    const rest = factors.slice(WATERFALL_ROWS);
    const rows = shown.map((f) => {
      const value = f.value !== undefined ? f.value : features[f.feature];
      return { contribution: f.contribution, text: `${f.feature} = ${featureValue(value)}`, title: `${f.feature} = ${featureValue(value)}` };
    });
    if (rest.length) {
      rows.push({ contribution: rest.reduce((a, f) => a + f.contribution, 0), text: t('c.others', { n: rest.length }) });
    }
    const sum = factors.reduce((a, f) => a + f.contribution, 0);
    const bias = doc.bias ?? 0;
    const margin = doc.margin ?? bias + sum;
    const score = doc.response?.risk_score;
    const box = h('div', { class: 'chart', id: 'case-waterfall' });
    const sec = section('case-shap', t('c.waterfall'),
      h('p', { class: 'muted small', id: 'case-shap-cap' }, t('c.waterfallCap', { bias: fixed(bias, 3), margin: fixed(margin, 3) })),
      box,
      h('ul', { class: 'legend' },
        h('li', {}, h('span', { class: 'swatch sw-up', 'aria-hidden': 'true' }), '+ risk'),
        h('li', {}, h('span', { class: 'swatch sw-down', 'aria-hidden': 'true' }), '− risk')),
      h('details', {}, h('summary', {}, t('ov.tableAlt')), tableWrap(h('table', {},
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'feature'), h('th', { scope: 'col', class: 'num' }, 'value'), h('th', { scope: 'col', class: 'num' }, 'contribution'))),
        h('tbody', {}, factors.map((f) => h('tr', {},
          h('td', { class: 'mono' }, f.feature),
          h('td', { class: 'num' }, featureValue(f.value !== undefined ? f.value : features[f.feature])),
          h('td', { class: 'num' }, fixed(f.contribution, 4)))))), t('c.waterfall'))));
    sec.classList.add('span-2');
    queueMicrotask(() => {
      if (!box.isConnected) return;
      disposers.push(waterfall(box, {
        bias, margin, rows,
        labels: { base: t('c.base'), margin: t('c.margin', { score: fixed(score, 3) }), titleId: 'case-shap-cap' },
      }));
    });
    return sec;
  }

  function inputPanel(doc) {
    const req = doc.request || {};
    const features = doc.features || {};
    return section('case-input', t('c.input'),
      kv(Object.entries(req).map(([k, v]) => [h('span', { class: 'mono' }, k), typeof v === 'object' ? JSON.stringify(v) : String(v)])),
      Object.keys(features).length ? h('details', {}, h('summary', {}, t('c.features')),
        kv(Object.keys(features).sort().map((k) => [h('span', { class: 'mono' }, k), featureValue(features[k])]))) : null);
  }

  function customerPanel(customerId, doc) {
    const box = h('div', {}, h('p', { class: 'muted' }, customerId ? t('loading') : t('c.noCustomer')));
    const sec = section('case-customer', customerId ? t('c.customer', { id: customerId }) : t('q.customer'), box);
    sec.classList.add('span-2');
    if (customerId && doc.kind !== 'transaction') {
      get(`/v1/customers/${enc(customerId)}`).then((c) => {
        if (!ctx.isCurrent()) return;
        const f = c.features || {};
        clear(box).append(
          h('p', { class: 'muted small' }, `as of `, timeEl(c.as_of)),
          h('dl', { class: 'kv kv-cols' }, Object.keys(f).sort().flatMap((k) => [
            h('dt', {}, h('span', { class: 'mono' }, k.replace(/^customer_/, ''))), h('dd', {}, featureValue(f[k]))])));
      }).catch((err) => { if (ctx.isCurrent()) clear(box).append(errorBox(err)); });
    } else if (customerId) {
      get(`/v1/accounts/${enc(customerId)}`).then((a) => {
        if (!ctx.isCurrent()) return;
        clear(box).append(kv(Object.entries(a).map(([k, v]) => [k, String(v)])));
      }).catch((err) => { if (ctx.isCurrent()) clear(box).append(errorBox(err)); });
    }
    return sec;
  }

  // The customer's orders, outcomes, returns, QC results, labels, payments and SMS replies
  // (GET /v1/customers/{id}/timeline), newest first; an entry with a decision links to its case.
  function timelinePanel(customerId, doc) {
    const box = h('div', {}, h('p', { class: 'muted' }, customerId ? t('loading') : t('c.noCustomer')));
    const sec = section('case-timeline', t('c.timeline'), box);
    if (customerId) {
      get(`/v1/customers/${enc(customerId)}/timeline${qs({ limit: 50 })}`).then((data) => {
        if (!ctx.isCurrent()) return;
        const rows = data.entries || [];
        if (!rows.length) {
          clear(box).append(h('p', { class: 'muted' }, t('none')));
          return;
        }
        clear(box).append(h('ol', { class: 'timeline', id: 'case-timeline-list', tabindex: 0, 'aria-label': t('c.timeline') }, rows.map((e) => timelineEntry(e, customerId, doc))));
      }).catch((err) => { if (ctx.isCurrent()) clear(box).append(errorBox(err)); });
    }
    return sec;
  }

  function timelineEntry(e, customerId, doc) {
    const current = e.decision_id && e.decision_id === doc.decision_id;
    const subject = e.decision_id && !current && e.type !== 'label'
      ? h('a', { class: 'mono', href: `#/case/${enc(e.decision_id)}?customer=${enc(customerId)}` }, e.subject_id)
      : h('span', { class: 'mono' }, e.subject_id);
    const parts = [];
    if (e.risk_score !== undefined && e.risk_score !== null) {
      parts.push(' · ', fixed(e.risk_score, 3), ' ', levelBadge(e.risk_level), ' ', actionText(e.action));
    }
    if (e.type === 'return.qc_completed') parts.push(' · ', e.qc_result || t('tl.qcFailed'));
    if (e.type === 'label') {
      parts.push(' · ', labelBadge(e.label), ' ', e.by ? h('span', { class: 'small' }, t('c.by', { who: who(e.by), when: when(e.at) })) : h('span', { class: 'small muted' }, t('tl.byEvent')));
      if (e.note) parts.push(h('div', { class: 'note' }, e.note));
    }
    if (e.type === 'payment') {
      parts.push(' · ', num(e.amount, 2), ' ', e.currency || '', ' · ', actionText(e.status));
      if (e.label) parts.push(' ', labelBadge(e.label));
    }
    if (e.type === 'sms.reply') {
      parts.push(' · ', h('strong', {}, e.text || ''), e.outcome ? ` (${actionText(e.outcome)})` : '');
      if (e.transaction_id) parts.push(' → ', h('span', { class: 'mono' }, e.transaction_id), e.settled_status ? ` ${actionText(e.settled_status)}` : '');
    }
    return h('li', { class: current ? 'current' : null, 'aria-current': current ? 'true' : null, 'data-type': e.type },
      h('span', { class: 'tl-icon', 'aria-hidden': 'true' }, TIMELINE_ICONS[e.type] || '•'), ' ',
      e.at ? timeEl(e.at) : h('span', { class: 'muted small', title: t('tl.fromState') }, t('tl.timeUnknown')),
      ' · ', h('span', { class: 'tl-type' }, t(`tl.${e.type}`)), ' ', subject, ...parts);
  }

  function similarPanel(doc) {
    const box = h('div', {}, h('p', { class: 'muted' }, t('loading')));
    const sec = section('case-similar', t('c.similar'), box);
    get(`/v1/decisions/${enc(doc.decision_id)}/similar${qs({ k: 8 })}`).then((data) => {
      if (!ctx.isCurrent()) return;
      const rows = data.similar || [];
      if (!rows.length) {
        clear(box).append(h('p', { class: 'muted' }, t('none')));
        return;
      }
      clear(box).append(tableWrap(h('table', {},
        h('thead', {}, h('tr', {},
          h('th', { scope: 'col' }, t('q.subject')),
          h('th', { scope: 'col' }, t('q.at')),
          h('th', { scope: 'col', class: 'num' }, t('q.score')),
          h('th', { scope: 'col' }, t('q.action')),
          h('th', { scope: 'col', class: 'num' }, t('c.distance')),
          h('th', { scope: 'col' }, t('c.outcome')))),
        h('tbody', {}, rows.map((sm) => h('tr', {},
          h('td', {}, h('a', { class: 'mono', href: `#/case/${enc(sm.decision_id)}` }, sm.order_id || sm.return_id || sm.decision_id)),
          h('td', {}, timeEl(sm.at)),
          h('td', { class: 'num' }, fixed(sm.risk_score, 3)),
          h('td', {}, actionText(sm.recommended_action)),
          h('td', { class: 'num' }, fixed(sm.distance, 3)),
          h('td', {}, sm.outcome ? `${sm.outcome.status}${sm.outcome.label !== null && sm.outcome.label !== undefined ? ` (${sm.outcome.label})` : ''}` : '—'))))), t('c.similar')));
    }).catch((err) => {
      if (ctx.isCurrent()) clear(box).append(err.status === 503 ? h('p', { class: 'muted' }, err.message) : errorBox(err));
    });
    return sec;
  }

  function renderAudit(box, labels) {
    clear(box);
    if (!labels.length) {
      box.append(h('p', { class: 'muted', id: 'case-audit-empty' }, t('c.auditEmpty')));
      return;
    }
    box.append(h('ol', { class: 'audit', id: 'case-audit' }, labels.map((l) => h('li', { 'data-label-id': l.label_id || '' },
      h('div', {}, labelBadge(l.label), ' ', h('span', { class: 'small' }, t('c.by', { who: who(l.by), when: when(l.at) }))),
      l.note ? h('div', { class: 'note' }, l.note) : null))));
  }

  function labelPanel(doc, auditBox) {
    const noteId = 'case-note';
    const note = h('textarea', { id: noteId, name: 'note', maxlength: 2000, rows: 3 });
    const msg = h('p', { 'aria-live': 'polite', id: 'case-label-msg' });
    const buttons = [
      ['abuse', 'c.abuse', 'btn-danger'],
      ['fraud', 'c.fraud', 'btn-warn'],
      ['genuine', 'c.genuine', 'btn-ok'],
    ].map(([value, key, cls]) => h('button', { type: 'submit', class: ['btn', cls], name: 'label', value, 'data-label': value }, t(key)));
    const form = h('form', { id: 'case-label-form' },
      h('div', { class: 'field' }, h('label', { for: noteId }, t('c.note')), note),
      h('div', { class: 'btn-row' }, buttons), msg);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const label = e.submitter?.value;
      if (!label) return;
      for (const b of buttons) b.disabled = true;
      msg.className = '';
      msg.textContent = '';
      try {
        await post(`/v1/decisions/${enc(doc.decision_id)}/label`, { label, note: note.value.trim() });
        note.value = '';
        const fresh = await get(`/v1/decisions/${enc(doc.decision_id)}${qs({ language: lang() })}`);
        if (!ctx.isCurrent()) return;
        renderAudit(auditBox, fresh.labels || []);
        msg.className = 'ok-msg';
        msg.textContent = t('c.labelled', { label });
        announce(msg.textContent);
      } catch (err) {
        if (!ctx.isCurrent()) return;
        msg.className = 'error';
        msg.textContent = err.message;
      } finally {
        for (const b of buttons) b.disabled = false;
      }
    });
    return section('case-label', t('c.labelTitle'), form, h('h3', { id: 'case-audit-h' }, t('c.audit')), auditBox);
  }

  load();
  return () => { for (const d of disposers) d(); };
}
