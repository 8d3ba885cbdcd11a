// Overview: live figures and charts from GET /v1/overview?range=1h|24h|7d, polled every 10 s.
import { get, qs } from '../api.js';
import { h, clear, errorBox, tableWrap } from '../dom.js';
import { t, kindName } from '../i18n.js';
import { num, fixed, clock, when } from '../format.js';
import { timeSeries, shareBar, histogram } from '../charts.js';

const RANGES = ['1h', '24h', '7d'];
const KINDS = ['order', 'return', 'transaction'];
const LEVELS = ['low', 'medium', 'high', 'critical'];
const ACTION_CLASS = {
  allow: 'a0', instant_refund: 'a0', approve: 'a0',
  prepaid_only: 'a1',
  otp_verification: 'a2', pickup_qc: 'a2', step_up_authentication: 'a2',
  manual_review: 'a3',
  block: 'a4', deny: 'a4', decline: 'a4',
};
export const POLL_MS = 10000;

function kindsOf(data) {
  const present = new Set(Object.keys(data.decisions?.by_kind || {}));
  for (const k of Object.keys(data.score_histogram || {})) present.add(k);
  return KINDS.filter((k) => present.has(k)).concat([...present].filter((k) => !KINDS.includes(k)));
}

/**
 * Decisions per minute of a kind, live: over the latest buckets that cover about the last
 * 15 minutes (at least one bucket), up to the time the figures were made.
 */
function perMinute(data, kind) {
  const series = data.decisions?.series || [];
  if (!series.length) return { rate: 0, minutes: 0 };
  const gen = Date.parse(data.generated_at) || Date.now();
  const bucketMs = (data.bucket_seconds || 60) * 1000;
  let count = 0;
  let since = gen;
  for (let i = series.length - 1; i >= 0; i--) {
    const at = Date.parse(series[i].at);
    if (Number.isNaN(at) || at > gen) continue;
    count += series[i][kind] || 0;
    since = at;
    if (gen - at >= 15 * 60 * 1000 || gen - at >= bucketMs * 4) break;
  }
  const minutes = Math.max(1, (gen - since) / 60000);
  return { rate: count / minutes, minutes: Math.round(minutes) };
}

function bucketName(seconds) {
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

export function render(main, ctx) {
  let range = RANGES.includes(ctx.query.get('range')) ? ctx.query.get('range') : '24h';
  let timer = null;
  let chart = null;
  let disposers = [];
  let inFlight = false;

  const status = h('span', { class: 'meta', id: 'ov-updated', 'aria-live': 'off' }, t('loading'));
  const radios = RANGES.map((r) => {
    const input = h('input', { type: 'radio', name: 'range', value: r, checked: r === range });
    input.addEventListener('change', () => {
      range = r;
      history.replaceState(null, '', `#/overview?range=${r}`);
      load();
    });
    return h('label', {}, input, h('span', {}, r));
  });
  const body = h('div', { id: 'ov-body' });
  main.append(
    h('div', { class: 'page-head' },
      h('h1', { tabindex: -1 }, t('ov.title')),
      h('fieldset', { class: 'segmented' }, h('legend', {}, t('ov.range')), radios),
      status),
    body);

  function disposeCharts() {
    for (const d of disposers) d();
    disposers = [];
    if (chart) chart.destroy();
    chart = null;
  }

  function figures(data) {
    const kinds = kindsOf(data);
    const cards = [
      h('div', { class: 'card' }, h('dt', {}, t('ov.total')),
        h('dd', { 'data-figure': 'total' }, num(data.decisions?.total ?? 0), h('span', { class: 'sub' }, data.range))),
    ];
    for (const k of kinds) {
      const { rate, minutes } = perMinute(data, k);
      cards.push(h('div', { class: 'card' }, h('dt', {}, t('ov.perMin', { kind: kindName(k) })),
        h('dd', { 'data-figure': `per-minute-${k}` }, num(rate, 1),
          h('span', { class: 'sub' }, `${num(data.decisions?.by_kind?.[k] ?? 0)} · ${t('ov.perMinSub', { minutes })}`))));
    }
    cards.push(
      h('div', { class: 'card' }, h('dt', {}, t('ov.p50')),
        h('dd', { 'data-figure': 'p50' }, `${fixed(data.latency_ms?.p50, 2)} ms`, h('span', { class: 'sub' }, t('ov.latSub')))),
      h('div', { class: 'card' }, h('dt', {}, t('ov.p99')),
        h('dd', { 'data-figure': 'p99' }, `${fixed(data.latency_ms?.p99, 2)} ms`, h('span', { class: 'sub' }, t('ov.latSub')))),
      h('div', { class: 'card' }, h('dt', {}, t('ov.events')),
        h('dd', { 'data-figure': 'events' }, num(data.events_ingested ?? 0))));
    return h('dl', { class: 'cards' }, cards);
  }

  function seriesTable(data) {
    const kinds = kindsOf(data);
    const rows = data.decisions?.series || [];
    const wrap = tableWrap(h('table', {},
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('q.at')), kinds.map((k) => h('th', { scope: 'col', class: 'num' }, kindName(k))))),
      h('tbody', {}, rows.slice(-24).reverse().map((r) => h('tr', {}, h('td', {}, when(r.at)), kinds.map((k) => h('td', { class: 'num' }, num(r[k] || 0))))))), t('ov.series'));
    wrap.id = 'ov-series-table';
    return wrap;
  }

  function seriesPanel(data) {
    const kinds = kindsOf(data);
    const rows = data.decisions?.series || [];
    const box = h('div', { class: 'chart', id: 'ov-series' });
    const panel = h('section', { class: 'panel span-2', 'aria-labelledby': 'ov-series-h' },
      h('h2', { id: 'ov-series-h' }, t('ov.series')),
      h('p', { class: 'muted small' }, t('ov.seriesCap', { bucket: bucketName(data.bucket_seconds || 60) })),
      box,
      h('details', {}, h('summary', {}, t('ov.tableAlt')), seriesTable(data)));
    const chartData = {
      times: rows.map((r) => Date.parse(r.at) / 1000),
      series: kinds.map((k) => ({ name: k, label: kindName(k), values: rows.map((r) => r[k] || 0) })),
    };
    // Drawn once the panel is in the document (it needs a width).
    queueMicrotask(() => {
      if (!box.isConnected) return;
      chart = timeSeries(box, chartData, { height: 230 });
    });
    return panel;
  }

  function sharesPanel(data, which) {
    const key = which === 'level' ? 'by_level' : 'by_action';
    const byKind = data.decisions?.[key] || {};
    const title = t(which === 'level' ? 'ov.byLevel' : 'ov.byAction');
    const total = (counts) => Object.values(counts || {}).reduce((a, v) => a + v, 0);
    const rows = Object.keys(byKind).filter((k) => total(byKind[k]) > 0).sort((a, b) => KINDS.indexOf(a) - KINDS.indexOf(b)).map((kind) => {
      const counts = byKind[kind] || {};
      let parts;
      if (which === 'level') {
        parts = LEVELS.map((l) => ({ name: l, value: counts[l] || 0, cls: l }));
      } else {
        let spare = 5;
        parts = Object.entries(counts).sort((a, b) => b[1] - a[1])
          .map(([a, v]) => ({ name: a, value: v, cls: ACTION_CLASS[a] || `a${Math.min(6, spare++)}` }));
      }
      return h('div', { class: 'share-row' }, h('h3', {}, kindName(kind)), shareBar(parts, { label: `${title}, ${kindName(kind)}` }));
    });
    return h('section', { class: 'panel', 'aria-labelledby': `ov-${which}-h` },
      h('h2', { id: `ov-${which}-h` }, title),
      rows.length ? rows : h('p', { class: 'muted' }, t('ov.noData')));
  }

  function histogramPanel(data) {
    const hist = data.score_histogram || {};
    const kinds = Object.keys(hist).filter((k) => (hist[k] || []).some((c) => c > 0)).sort((a, b) => KINDS.indexOf(a) - KINDS.indexOf(b));
    const section = h('section', { class: 'panel span-2', 'aria-labelledby': 'ov-hist-h' }, h('h2', { id: 'ov-hist-h' }, t('ov.hist')));
    const grid = h('div', { class: 'grid grid-3' });
    for (const k of kinds) {
      const box = h('div', { class: 'hist' });
      const caption = t('ov.histCap', { kind: kindName(k) });
      grid.append(h('figure', { class: 'hist-fig' }, h('figcaption', { class: 'small muted' }, caption), box));
      queueMicrotask(() => {
        if (box.isConnected) disposers.push(histogram(box, hist[k] || [], { kind: k, label: `${caption}: ${(hist[k] || []).join(', ')}` }));
      });
    }
    section.append(kinds.length ? grid : h('p', { class: 'muted' }, t('ov.noData')));
    return section;
  }

  function smsPanel(data) {
    const sms = data.sms || {};
    const max = Math.max(1, sms.sent || 0, ...['confirmed', 'denied', 'expired', 'pending'].map((k) => sms[k] || 0));
    const items = ['sent', 'confirmed', 'denied', 'expired', 'pending'].map((k) => h('li', {},
      h('span', {}, t(`sms.${k}`)),
      h('meter', { min: 0, max, value: sms[k] || 0, 'aria-label': t(`sms.${k}`) }),
      h('span', { class: 'num', 'data-figure': `sms-${k}` }, num(sms[k] || 0))));
    return h('section', { class: 'panel', 'aria-labelledby': 'ov-sms-h' }, h('h2', { id: 'ov-sms-h' }, t('ov.sms')), h('ul', { class: 'funnel' }, items));
  }

  function modelsPanel(data) {
    const models = data.models || [];
    return h('section', { class: 'panel', 'aria-labelledby': 'ov-models-h' },
      h('h2', { id: 'ov-models-h' }, t('ov.models')),
      models.length ? tableWrap(h('table', {},
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('q.kind')), h('th', { scope: 'col' }, t('m.version')), h('th', { scope: 'col' }, t('ov.challenger')))),
        h('tbody', {}, models.map((m) => h('tr', {}, h('td', {}, kindName(m.kind)), h('td', { class: 'mono' }, m.version || '—'), h('td', { class: 'mono' }, m.challenger || '—'))))), t('ov.models'))
        : h('p', { class: 'muted' }, t('none')));
  }

  async function load() {
    if (inFlight) return;
    inFlight = true;
    try {
      const data = await get(`/v1/overview${qs({ range })}`);
      if (!ctx.isCurrent()) return;
      const firstTime = !body.firstChild || body.querySelector('.error');
      const canUpdateInPlace = chart && !firstTime && body.dataset.range === range;
      if (canUpdateInPlace) {
        // Replace the figures and panels; keep the uPlot chart and update its data.
        const rows = data.decisions?.series || [];
        const kinds = kindsOf(data);
        chart.update({
          times: rows.map((r) => Date.parse(r.at) / 1000),
          series: kinds.map((k) => ({ name: k, label: kindName(k), values: rows.map((r) => r[k] || 0) })),
        });
        for (const d of disposers) d();
        disposers = [];
        body.querySelector('.cards').replaceWith(figures(data));
        body.querySelector('#ov-series-table').replaceWith(seriesTable(data));
        // Keep the panels a keyboard user is in; the next poll updates them.
        const rest = body.querySelector('#ov-rest');
        if (!rest.contains(document.activeElement)) rest.replaceWith(restOf(data));
      } else {
        disposeCharts();
        clear(body);
        body.dataset.range = range;
        body.append(figures(data), h('div', { class: 'grid grid-2' }, seriesPanel(data)), restOf(data));
      }
      status.textContent = t('ov.updated', { time: clock(new Date()) });
      body.dataset.loaded = String(Date.now());
    } catch (err) {
      if (!ctx.isCurrent() || err.status === 401) return;
      disposeCharts();
      clear(body).append(errorBox(err));
    } finally {
      inFlight = false;
    }
  }

  function restOf(data) {
    return h('div', { class: 'grid grid-2', id: 'ov-rest' },
      sharesPanel(data, 'level'), sharesPanel(data, 'action'),
      histogramPanel(data),
      smsPanel(data), modelsPanel(data));
  }

  const tick = () => {
    if (document.hidden) {
      status.textContent = t('ov.paused');
      return;
    }
    load();
  };
  const onVisible = () => { if (!document.hidden) load(); };
  document.addEventListener('visibilitychange', onVisible);
  timer = setInterval(tick, POLL_MS);
  load();

  return () => {
    clearInterval(timer);
    document.removeEventListener('visibilitychange', onVisible);
    disposeCharts();
  };
}
