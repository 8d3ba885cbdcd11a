// Charts: uPlot (vendored from npm into /assets/vendor by the build) for time series; small SVG
// drawings for bars, histograms and the SHAP waterfall. Colours come from CSS classes.
import uPlot from '../vendor/uPlot.esm.js';
import { h, s, clear } from './dom.js';
import { num, fixed, pct } from './format.js';

export const KIND_COLOURS = { order: '#1d4f91', return: '#7b3fa0', transaction: '#0f7c74' };

/** Calls draw(width) now and whenever the container's width changes; returns a disposer. */
export function responsive(container, draw) {
  let last = -1;
  const run = () => {
    const w = Math.floor(container.clientWidth);
    if (w > 0 && w !== last) {
      last = w;
      draw(w);
    }
  };
  const ro = new ResizeObserver(run);
  ro.observe(container);
  run();
  return () => ro.disconnect();
}

/**
 * A line chart of counts over time.
 * data: {times: [unix seconds], series: [{name, label, values: []}]}
 */
export function timeSeries(container, data, { height = 240, yLabel = '' } = {}) {
  let plot = null;
  let current = data;
  const make = (width) => {
    if (plot) plot.destroy();
    clear(container);
    const opts = {
      width,
      height,
      scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(1, max * 1.1)] } },
      axes: [{}, { label: yLabel, size: 50 }],
      series: [{}, ...current.series.map((sr) => ({
        label: sr.label,
        stroke: KIND_COLOURS[sr.name] || '#455a64',
        width: 2,
        points: { show: current.times.length < 40 },
      }))],
      cursor: { drag: { x: false, y: false } },
    };
    plot = new uPlot(opts, [current.times, ...current.series.map((sr) => sr.values)], container);
  };
  const dispose = responsive(container, make);
  return {
    update(next) {
      const sameShape = next.series.map((x) => x.name).join() === current.series.map((x) => x.name).join();
      current = next;
      if (plot && sameShape) plot.setData([next.times, ...next.series.map((sr) => sr.values)]);
      else if (container.clientWidth > 0) make(Math.floor(container.clientWidth));
    },
    destroy() {
      dispose();
      if (plot) plot.destroy();
      plot = null;
    },
  };
}

/** One horizontal 100 % bar split into parts: [{name, value, cls}] plus a legend with counts. */
export function shareBar(parts, { label }) {
  const total = parts.reduce((a, p) => a + p.value, 0);
  const svg = s('svg', { class: 'chart-svg', viewBox: '0 0 1000 28', preserveAspectRatio: 'none', role: 'img', 'aria-label': `${label}: ${parts.map((p) => `${p.name} ${pct(p.value, total)}`).join(', ')}` });
  let x = 0;
  for (const p of parts) {
    if (!p.value) continue;
    const w = (1000 * p.value) / total;
    svg.append(s('rect', { x, y: 0, width: Math.max(w, 0.5), height: 28, class: `fill-${p.cls}` }, s('title', {}, `${p.name}: ${num(p.value)} (${pct(p.value, total)})`)));
    x += w;
  }
  if (!total) svg.append(s('rect', { x: 0, y: 0, width: 1000, height: 28, class: 'fill-empty' }));
  const legend = h('ul', { class: 'legend' }, parts.map((p) => h('li', {},
    h('span', { class: ['swatch', `sw-${p.cls}`], 'aria-hidden': 'true' }),
    `${p.name} ${num(p.value)} (${pct(p.value, total)})`)));
  return h('div', {}, svg, legend);
}

/** Bars of 20 score bands [0, 0.05) … [0.95, 1]. */
export function histogram(container, counts, { kind, label }) {
  return responsive(container, (width) => {
    clear(container);
    const H = 170;
    const padL = 40;
    const padB = 22;
    const padT = 8;
    const W = Math.max(width, 200);
    const max = Math.max(1, ...counts);
    const bw = (W - padL - 6) / counts.length;
    const svg = s('svg', { class: 'chart-svg', width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': label });
    const y = (v) => padT + (H - padT - padB) * (1 - v / max);
    for (const g of max >= 4 ? [0, 0.5, 1] : [0, 1]) {
      const yy = y(max * g);
      svg.append(s('line', { x1: padL, x2: W, y1: yy, y2: yy, class: 'grid-line' }));
      svg.append(s('text', { x: padL - 4, y: yy + 4, 'text-anchor': 'end', class: 'tick' }, num(Math.round(max * g))));
    }
    counts.forEach((c, i) => {
      const top = y(c);
      svg.append(s('rect', { x: padL + i * bw + 1, y: top, width: Math.max(bw - 2, 1), height: H - padB - top, class: `bar-${kind}` },
        s('title', {}, `${fixed(i * 0.05, 2)}–${fixed((i + 1) * 0.05, 2)}: ${num(c)}`)));
    });
    svg.append(s('line', { x1: padL, x2: W, y1: H - padB, y2: H - padB, class: 'axis' }));
    for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
      svg.append(s('text', { x: padL + tick * (W - padL - 6), y: H - 6, 'text-anchor': 'middle', class: 'tick' }, String(tick)));
    }
    container.append(svg);
  });
}

/**
 * The SHAP waterfall: from the base value, each factor moves the log-odds up (red) or down
 * (green) to the model's margin. rows: [{feature, value, contribution}], already ordered.
 */
export function waterfall(container, { bias, margin, rows, labels }) {
  return responsive(container, (width) => {
    clear(container);
    const W = Math.max(width, 280);
    const rowH = 24;
    const labelW = Math.min(300, Math.max(120, W * 0.4));
    const padR = 58;
    const padT = 6;
    const all = [{ kind: 'base', text: labels.base, start: 0, end: bias }];
    let cum = bias;
    for (const r of rows) {
      all.push({ kind: r.contribution >= 0 ? 'up' : 'down', text: r.text, title: r.title, start: cum, end: cum + r.contribution, delta: r.contribution });
      cum += r.contribution;
    }
    all.push({ kind: 'total', text: labels.margin, start: 0, end: margin });
    const values = all.flatMap((r) => [r.start, r.end]);
    const lo = Math.min(0, ...values);
    const hi = Math.max(0, ...values);
    const span = hi - lo || 1;
    const x = (v) => labelW + ((W - labelW - padR) * (v - lo)) / span;
    const H = padT + all.length * rowH + 20;
    const svg = s('svg', { class: 'chart-svg', width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': labels.titleId });
    svg.append(s('line', { x1: x(0), x2: x(0), y1: padT, y2: H - 18, class: 'axis' }));
    const maxChars = Math.floor(labelW / 6.4);
    all.forEach((r, i) => {
      const top = padT + i * rowH;
      const a = x(Math.min(r.start, r.end));
      const b = x(Math.max(r.start, r.end));
      const cls = r.kind === 'up' ? 'fill-up' : r.kind === 'down' ? 'fill-down' : 'fill-total';
      const text = r.text.length > maxChars ? `${r.text.slice(0, maxChars - 1)}…` : r.text;
      svg.append(s('text', { x: labelW - 6, y: top + 16, 'text-anchor': 'end' }, text, s('title', {}, r.title || r.text)));
      svg.append(s('rect', { x: a, y: top + 4, width: Math.max(b - a, 1.5), height: rowH - 8, class: cls },
        s('title', {}, `${r.title || r.text}: ${r.delta !== undefined ? (r.delta >= 0 ? '+' : '') + fixed(r.delta, 3) : fixed(r.end, 3)}`)));
      const shown = r.delta !== undefined ? `${r.delta >= 0 ? '+' : ''}${fixed(r.delta, 3)}` : fixed(r.end, 3);
      svg.append(s('text', { x: b + 4, y: top + 16, class: 'tick' }, shown));
      if (i < all.length - 1) {
        const nx = x(r.kind === 'total' ? r.end : r.end);
        svg.append(s('line', { x1: nx, x2: nx, y1: top + rowH - 4, y2: top + rowH + 4, class: 'connector' }));
      }
    });
    for (const tick of [lo, 0, hi]) {
      svg.append(s('text', { x: x(tick), y: H - 4, 'text-anchor': 'middle', class: 'tick' }, fixed(tick, 2)));
    }
    container.append(svg);
  });
}
