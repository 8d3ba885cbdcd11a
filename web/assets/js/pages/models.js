// Models: versions per kind with metrics and reports (GET /v1/models); promote and roll back
// (admin only, after a confirmation; the server refuses analysts too).
import { get, post, enc } from '../api.js';
import { h, clear, errorBox, announce, tableWrap } from '../dom.js';
import { t, kindName } from '../i18n.js';
import { fixed, num, timeEl } from '../format.js';
import { confirmDialog } from './confirm.js';

function metricText(k, v) {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return `${k} ${Number.isInteger(v) ? num(v) : fixed(v, 4)}`;
  if (v && typeof v === 'object') return null;
  return `${k} ${v}`;
}

export function render(main, ctx) {
  const msg = h('p', { 'aria-live': 'polite', id: 'models-msg' });
  const body = h('div', { id: 'models-body' }, h('p', { class: 'muted' }, t('loading')));
  main.append(h('div', { class: 'page-head' }, h('h1', { tabindex: -1 }, t('m.title'))), msg, body);
  if (!ctx.isAdmin) msg.append(h('span', { class: 'notice small', id: 'models-analyst-note' }, t('m.analystNote')));

  async function act(what, path, payload, question) {
    const ok = await confirmDialog(question);
    if (!ok) return;
    try {
      await post(path, payload);
      msg.className = 'ok-msg';
      msg.textContent = t('m.done', { what });
      announce(msg.textContent);
      load();
    } catch (err) {
      msg.className = 'error';
      msg.textContent = err.message;
    }
  }

  async function load() {
    try {
      const data = await get('/v1/models');
      if (!ctx.isCurrent()) return;
      const byKind = new Map();
      for (const m of data.models || []) {
        if (!byKind.has(m.kind)) byKind.set(m.kind, []);
        byKind.get(m.kind).push(m);
      }
      clear(body);
      const grid = h('div', { class: 'grid' });
      for (const [kind, versions] of byKind) {
        const head = h('div', { class: 'page-head' }, h('h2', { id: `models-${kind}` }, kindName(kind)));
        // Only a kind with an earlier production version can roll back (the server says which).
        const target = data.rollback_to && data.rollback_to[kind];
        if (ctx.isAdmin && target) {
          const names = { kind: kindName(kind), version: target };
          const rb = h('button', { type: 'button', class: 'btn btn-warn push', 'data-action': 'rollback', 'data-kind': kind }, t('m.rollback', names));
          rb.addEventListener('click', () => act(`rollback ${kind}`, `/v1/models/${enc(kind)}/rollback`, {}, t('m.confirmRollback', names)));
          head.append(rb);
        }
        const table = h('table', {},
          h('thead', {}, h('tr', {},
            h('th', { scope: 'col' }, t('m.version')),
            h('th', { scope: 'col' }, t('m.status')),
            h('th', { scope: 'col', class: 'hide-narrow' }, t('m.created')),
            h('th', { scope: 'col' }, t('m.metrics')),
            h('th', { scope: 'col' }, t('m.report')),
            ctx.isAdmin ? h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, t('m.promote'))) : null)),
          h('tbody', {}, versions.map((m) => {
            const metrics = Object.entries(m.metrics || {}).map(([k, v]) => metricText(k, v)).filter(Boolean);
            let promote = null;
            if (ctx.isAdmin) {
              promote = h('td', {});
              if (!m.production) {
                const b = h('button', { type: 'button', class: 'btn', 'data-action': 'promote', 'data-version': m.version }, t('m.promote'));
                b.addEventListener('click', () => act(`promote ${m.version}`, `/v1/models/${enc(kind)}/promote`, { version: m.version },
                  t('m.confirmPromote', { version: m.version, kind: kindName(kind) })));
                promote.append(b);
              }
            }
            return h('tr', { 'data-version': m.version },
              h('td', { class: 'mono' }, m.version),
              h('td', {}, m.production ? h('span', { class: 'badge badge-prod' }, t('m.production')) : '—',
                m.in_service && !m.production ? [' ', h('span', { class: 'badge badge-chal' }, t('m.serving'))] : null,
                m.challenger ? [' ', h('span', { class: 'badge badge-chal' }, t('ov.challenger'))] : null),
              h('td', { class: 'hide-narrow' }, timeEl(m.created_at)),
              h('td', { class: 'small' }, metrics.length ? h('ul', { class: 'legend' }, metrics.map((x) => h('li', {}, x))) : '—'),
              h('td', {}, m.report ? h('a', { href: m.report, target: '_blank', rel: 'noopener', 'aria-label': `${t('m.openReport')} ${m.version}` }, t('m.openReport')) : '—'),
              promote);
          })));
        // Champion vs challenger: how often the shadow model chose the same action.
        const sh = data.shadow && data.shadow[kind];
        const shadowLine = sh && sh.challenger
          ? h('p', { class: 'small', id: `models-shadow-${kind}` },
            sh.decisions
              ? t('m.shadow', { version: sh.challenger, pct: Math.round(sh.agreement * 1000) / 10, n: sh.decisions })
              : t('m.shadowNone', { version: sh.challenger }))
          : null;
        grid.append(h('section', { class: 'panel', 'aria-labelledby': `models-${kind}` }, head, shadowLine, tableWrap(table, kindName(kind))));
      }
      body.append(byKind.size ? grid : h('p', { class: 'muted' }, t('none')));
    } catch (err) {
      if (ctx.isCurrent() && err.status !== 401) clear(body).append(errorBox(err));
    }
  }
  load();
  return undefined;
}
