// The dashboard against a large store, in Debian's Chromium through playwright-core (as
// tests/e2e/dashboard.test.mjs launches it). bench/dashboard_scale.sh starts the server and calls
//   node bench/dashboard_scale.mjs setup DATA_DIR       (VIGIL_URL, VIGIL_ADMIN_KEY, VIGIL_SCORER_KEY)
//   node bench/dashboard_scale.mjs measure OUT.json     (VIGIL_URL, VIGIL_ANALYST_KEY)
//   node bench/dashboard_scale.mjs summarize RUN.json...
// `measure` times each step in the page: performance.now() just before the action (a click made
// in the page) until a MutationObserver sees the result in the DOM; a page load is timed from the
// navigation's start. It also records the page's long tasks (> 50 ms on the main thread) in each
// step, and times the API routes directly from Node with the session cookie (median of 5).
// `summarize` prints the median and range of each figure over the runs.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const CHROMIUM = process.env.VIGIL_CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const NEXT_PAGES = 5;
const DEEP_PAGE = 20;
const API_REPEATS = 5;

// Runs in the page before its scripts: long tasks, the first time the overview's figures and the
// queue's rows appear (for page loads), and timeUntil(action, done) for steps.
function pageProbe() {
  window.__longTasks = [];
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push([e.startTime, e.duration]);
    }).observe({ type: 'longtask', buffered: true });
  } catch { /* no long-task timing in this browser */ }
  window.__marks = {};
  const watch = { figures: '#ov-body [data-figure=total]', queueRows: '#queue-results[data-loaded] #queue-table tbody tr' };
  new MutationObserver(() => {
    for (const [k, sel] of Object.entries(watch)) if (!window.__marks[k] && document.querySelector(sel)) window.__marks[k] = performance.now();
  }).observe(document, { childList: true, subtree: true, attributes: true });
  window.__timeUntil = (action, done, timeoutMs = 60000) => new Promise((resolve, reject) => {
    let finished = false;
    const t0 = performance.now();
    const check = () => {
      if (finished) return;
      let ok = false;
      try { ok = done(); } catch { ok = false; }
      if (!ok) return;
      finished = true;
      const t1 = performance.now();
      obs.disconnect();
      clearTimeout(timer);
      resolve({ ms: t1 - t0, t0, t1 });
    };
    const obs = new MutationObserver(check);
    obs.observe(document, { childList: true, subtree: true, attributes: true, characterData: true });
    const timer = setTimeout(() => { finished = true; obs.disconnect(); reject(new Error('timed out')); }, timeoutMs);
    action();
    check();
  });
}

// Before the orders: every BLOCK_EVERY-th customer on the block list (their orders are blocked,
// so about 1 in BLOCK_EVERY of the scored orders lands in the review queue, as in the store's
// benchmark), and RETURNS returns of delivered orders by customers with 3 or more abusive
// returns (the return model sends many to manual review or denies them, some critical).
async function setup(dataDir) {
  const base = process.env.VIGIL_URL;
  const admin = process.env.VIGIL_ADMIN_KEY;
  const scorer = process.env.VIGIL_SCORER_KEY;
  const every = Number(process.env.BLOCK_EVERY || 10);
  const returnsWanted = Number(process.env.RETURNS || 2000);
  const readCsv = (file) => {
    const [head, ...lines] = fs.readFileSync(path.join(dataDir, file), 'utf8').trim().split('\n');
    const cols = head.split(',');
    return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], v])));
  };
  const post = async (p, key, body) => {
    const res = await fetch(base + p, { method: 'POST', headers: { 'X-API-Key': key, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const json = await res.json().catch(() => null);
    if (res.status !== 200 && res.status !== 201) throw new Error(`POST ${p}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  const pool = async (n, width, fn) => {
    let next = 0;
    await Promise.all(Array.from({ length: width }, async () => { while (next < n) await fn(next++); }));
  };
  const customers = readCsv('customers.csv').map((c) => c.customer_id);
  const blocked = customers.filter((c) => Number(c.replace(/\D/g, '')) % every === 0);
  await pool(blocked.length, 16, (i) => post('/v1/lists', admin, { list: 'block', field: 'customer', value: blocked[i], reason: 'bench/dashboard_scale' }));
  const orders = readCsv('orders.csv');
  const byOrder = new Map(orders.map((o) => [o.order_id, o]));
  const abuse = new Map();
  for (const r of readCsv('returns.csv')) {
    const c = r.is_abuse === '1' && byOrder.get(r.order_id)?.customer_id;
    if (c) abuse.set(c, (abuse.get(c) || 0) + 1);
  }
  const risky = orders.filter((o) => (abuse.get(o.customer_id) || 0) >= 3 && o.delivery_status === 'delivered').slice(0, returnsWanted);
  const actions = {};
  await pool(risky.length, 16, async (i) => {
    const o = risky[i];
    const r = await post('/v1/returns/score', scorer, { return_id: `SCALE-R-${i}`, order_id: o.order_id, reason: i % 2 ? 'Size does not fit' : 'Product not working', refund_amount: Number(o.amount) });
    const k = `${r.risk_level}/${r.recommended_action}`;
    actions[k] = (actions[k] || 0) + 1;
  });
  console.log(`   ${blocked.length} customers on the block list; ${risky.length} returns scored: ${JSON.stringify(actions)}`);
}

async function measure(out) {
  const base = process.env.VIGIL_URL;
  const key = process.env.VIGIL_ANALYST_KEY;
  if (!base || !key) throw new Error('VIGIL_URL and VIGIL_ANALYST_KEY are required');
  const result = {
    started: new Date().toISOString(), loadavg: os.loadavg().map((x) => Math.round(x * 100) / 100),
    server_ready_s: Number(process.env.VIGIL_SERVER_READY_S) || null,
    browser: {}, api: {}, longest_task: {}, info: {}, problems: [],
  };
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-scale-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1280, height: 900 }, locale: 'en-IN', timezoneId: 'Asia/Kolkata',
  });
  try {
    const page = context.pages()[0] || await context.newPage();
    page.setDefaultTimeout(60000);
    page.on('pageerror', (e) => result.problems.push(`page error: ${e.message}`));
    // The sign-in page asks GET /v1/session first, and a signed-out answer is 401: not a problem.
    page.on('console', (m) => {
      if (m.type() === 'error' && !/Failed to load resource: the server responded with a status of 401/.test(m.text())) result.problems.push(m.text());
    });
    await page.addInitScript(pageProbe);

    const browser = (name, ms) => {
      result.browser[name] = Math.round(ms);
      console.log(`   browser ${name}: ${Math.round(ms)} ms`);
    };
    // Times a step in the page; the page's long tasks from its start to 100 ms after its end.
    const step = async (name, fn, arg) => {
      const r = await page.evaluate(fn, arg);
      await page.waitForTimeout(100);
      const longest = await page.evaluate(([t0, t1]) => Math.max(0, ...window.__longTasks
        .filter(([s, d]) => s + d >= t0 && s <= t1 + 100).map(([, d]) => d)), [r.t0, r.t1]);
      result.longest_task[name] = Math.round(longest);
      browser(name, r.ms);
      return r;
    };
    // A page load: from the navigation's start until `mark` appears; and the API's fetch as the
    // page saw it (Resource Timing).
    const load = async (name, url, mark, api) => {
      await page.goto('about:blank');
      await page.goto(url);
      await page.waitForFunction((m) => window.__marks[m], mark);
      const r = await page.evaluate(([m, a]) => {
        const res = performance.getEntriesByType('resource').filter((e) => e.name.includes(a)).at(-1);
        return { ms: window.__marks[m], fetch: res ? res.responseEnd - res.startTime : null, longest: Math.max(0, ...window.__longTasks.map(([, d]) => d)) };
      }, [mark, api]);
      browser(name, r.ms);
      if (r.fetch !== null) browser(`${name} (its API fetch)`, r.fetch);
      result.longest_task[name] = Math.round(r.longest);
    };

    // Sign in: the key for a session cookie, then the overview (24h).
    await page.goto(`${base}/`);
    await page.waitForSelector('body[data-ready] #api-key');
    await page.fill('#api-key', key);
    await step('sign in → overview figures (24h)', () => window.__timeUntil(
      () => document.querySelector('form button[type=submit]').click(),
      () => document.querySelector('#ov-body [data-figure=total]')));
    result.info.overview_total_24h = await page.evaluate(() => document.querySelector('[data-figure=total]').firstChild.textContent);

    // The overview loaded afresh for each range, then switched between ranges in the page.
    for (const range of ['1h', '24h', '7d']) {
      await load(`overview page load, ${range}`, `${base}/#/overview?range=${range}`, 'figures', `/v1/overview?range=${range}`);
    }
    for (const range of ['1h', '24h']) {
      await step(`overview switch to ${range}`, (r) => window.__timeUntil(
        () => document.querySelector(`input[name=range][value="${r}"]`).click(),
        () => { const b = document.querySelector('#ov-body'); return b.dataset.range === r && b.querySelector('[data-figure=total]'); }), range);
    }

    // The review queue: from the overview's navigation, and as a page load.
    await step('queue open (first 50 rows)', () => {
      const old = document.querySelector('#queue-results');
      return window.__timeUntil(() => document.querySelector('#nav a[data-page=queue]').click(),
        () => { const r = document.querySelector('#queue-results'); return r && r !== old && r.dataset.loaded; });
    });
    browser('queue open: its fetch (#queue-meta)', Number(await page.getAttribute('#queue-meta', 'data-ms')));
    result.info.queue_rows = await page.locator('#queue-table tbody tr').count();

    const nexts = [];
    for (let i = 0; i < NEXT_PAGES; i++) {
      if (!(await page.locator('#queue-next').count())) break;
      const r = await page.evaluate((want) => {
        const old = document.querySelector('#queue-results');
        return window.__timeUntil(() => document.querySelector('#queue-next').click(), () => {
          const r2 = document.querySelector('#queue-results');
          return r2 && r2 !== old && r2.dataset.loaded && document.querySelector('#queue-table caption')?.textContent.endsWith(` ${want}`);
        });
      }, i + 2);
      nexts.push(r.ms);
    }
    if (nexts.length) {
      const sorted = [...nexts].sort((a, b) => a - b);
      browser(`queue next page (median of ${nexts.length})`, sorted[Math.floor(sorted.length / 2)]);
      browser(`queue next page (slowest of ${nexts.length})`, sorted.at(-1));
      result.info.next_pages = nexts.map(Math.round);
    }

    await step('queue filter kind=order, level=critical', () => {
      const old = document.querySelector('#queue-results');
      return window.__timeUntil(() => {
        document.querySelector('#f-kind').value = 'order';
        document.querySelector('#f-level').value = 'critical';
        document.querySelector('form.filters button[type=submit]').click();
      }, () => { const r = document.querySelector('#queue-results'); return r && r !== old && r.dataset.loaded && location.hash.includes('level=critical'); });
    });
    result.info.filtered_rows = await page.locator('#queue-table tbody tr').count();
    await step('queue filter kind=return, level=critical', () => {
      const old = document.querySelector('#queue-results');
      return window.__timeUntil(() => {
        document.querySelector('#f-kind').value = 'return';
        document.querySelector('form.filters button[type=submit]').click();
      }, () => { const r = document.querySelector('#queue-results'); return r && r !== old && r.dataset.loaded && location.hash.includes('kind=return'); });
    });
    result.info.filtered_return_rows = await page.locator('#queue-table tbody tr').count();
    await step('queue sort by score (kind=return, level=critical)', () => {
      const old = document.querySelector('#queue-results');
      return window.__timeUntil(() => {
        document.querySelector('#f-sort').value = 'score';
        document.querySelector('form.filters button[type=submit]').click();
      }, () => { const r = document.querySelector('#queue-results'); return r && r !== old && r.dataset.loaded && location.hash.includes('sort=score'); });
    });
    await step('queue sort by score (no filter)', () => {
      const old = document.querySelector('#queue-results');
      return window.__timeUntil(() => {
        document.querySelector('#f-kind').value = '';
        document.querySelector('#f-level').value = '';
        document.querySelector('form.filters button[type=submit]').click();
      }, () => { const r = document.querySelector('#queue-results'); return r && r !== old && r.dataset.loaded && !location.hash.includes('level='); });
    });

    // A case: the decision (body loaded), then the customer, timeline and similar cases.
    if (!(await page.locator('#queue-table a.row-link').count())) {
      await page.goto(`${base}/#/queue`);
      await page.waitForSelector('#queue-table a.row-link');
    }
    const caseId = await page.getAttribute('#queue-table tbody tr:first-child', 'data-decision');
    const caseHref = await page.getAttribute('#queue-table tbody tr:first-child a.row-link', 'href');
    const customer = decodeURIComponent((caseHref.split('customer=')[1] || '').split('&')[0]);
    const c = await page.evaluate(async () => {
      let opened = null;
      const r = await window.__timeUntil(() => document.querySelector('#queue-table a.row-link').click(), () => {
        const b = document.querySelector('#case-body[data-loaded]');
        if (!b) return false;
        if (opened === null) opened = performance.now();
        return !/Loading…|लोड हो रहा है/.test(b.textContent);
      });
      return { ...r, opened: opened - r.t0 };
    });
    browser('case open (decision shown)', c.opened);
    browser('case complete (customer, timeline, similar)', c.ms);
    await page.waitForTimeout(100);
    result.longest_task['case complete (customer, timeline, similar)'] = Math.round(await page.evaluate(([t0, t1]) => Math.max(0, ...window.__longTasks
      .filter(([s, d]) => s + d >= t0 && s <= t1 + 100).map(([, d]) => d)), [c.t0, c.t1]));

    // Page loads of the queue and of a case, from the navigation's start.
    await load('queue page load', `${base}/#/queue`, 'queueRows', '/v1/decisions?');
    result.info.longest_task_overall = Math.round(Math.max(0, ...Object.values(result.longest_task)));

    // The API directly, with the session cookie.
    const cookie = (await context.cookies()).find((k) => k.name === 'vigil_session');
    const headers = { Cookie: `vigil_session=${cookie.value}`, Accept: 'application/json' };
    const get = async (p) => {
      const t0 = performance.now();
      const res = await fetch(base + p, { headers });
      const text = await res.text();
      const ms = performance.now() - t0;
      if (res.status !== 200) throw new Error(`GET ${p}: ${res.status} ${text.slice(0, 200)}`);
      return { ms, json: JSON.parse(text), bytes: text.length };
    };
    const api = async (name, p) => {
      const times = [];
      let last;
      for (let i = 0; i < API_REPEATS; i++) {
        last = await get(p);
        times.push(last.ms);
      }
      times.sort((a, b) => a - b);
      result.api[name] = Math.round(times[Math.floor(times.length / 2)] * 10) / 10;
      console.log(`   api ${name}: ${result.api[name]} ms (median of ${API_REPEATS}, ${last.bytes} bytes)`);
      return last.json;
    };
    const deep = async (query) => {
      let p = `/v1/decisions?${query}&limit=50`;
      let depth = 1;
      for (; depth < DEEP_PAGE; depth++) {
        const r = await get(p);
        if (!r.json.next_cursor) break;
        p = `/v1/decisions?${query}&limit=50&cursor=${encodeURIComponent(r.json.next_cursor)}`;
      }
      return { p, depth };
    };
    for (const range of ['1h', '24h', '7d']) await api(`GET /v1/overview?range=${range}`, `/v1/overview?range=${range}`);
    await api('queue, first page by time', '/v1/decisions?queue=true&sort=at&order=desc&limit=50');
    await api('queue, first page by score', '/v1/decisions?queue=true&sort=score&order=desc&limit=50');
    const deepAt = await deep('queue=true&sort=at&order=desc');
    await api(`queue, page ${deepAt.depth} by time (cursor)`, deepAt.p);
    const deepScore = await deep('queue=true&sort=score&order=desc');
    await api(`queue, page ${deepScore.depth} by score (cursor)`, deepScore.p);
    await api('queue, kind=order level=critical', '/v1/decisions?queue=true&kind=order&level=critical&sort=at&order=desc&limit=50');
    await api('queue, kind=order level=critical by score', '/v1/decisions?queue=true&kind=order&level=critical&sort=score&order=desc&limit=50');
    await api('queue, kind=return level=critical', '/v1/decisions?queue=true&kind=return&level=critical&sort=at&order=desc&limit=50');
    await api('all decisions, first page by score', '/v1/decisions?sort=score&order=desc&limit=50');
    await api('GET /v1/decisions/{id}', `/v1/decisions/${encodeURIComponent(caseId)}`);
    if (customer) {
      await api('GET /v1/customers/{id}', `/v1/customers/${encodeURIComponent(customer)}`);
      await api('GET /v1/customers/{id}/decisions', `/v1/customers/${encodeURIComponent(customer)}/decisions?limit=50`);
    }
    await api('GET /v1/decisions/{id}/similar', `/v1/decisions/${encodeURIComponent(caseId)}/similar?k=8`);
  } finally {
    await context.close().catch(() => {});
    fs.rmSync(profile, { recursive: true, force: true });
  }
  if (result.problems.length) console.log(`   page problems: ${JSON.stringify(result.problems)}`);
  fs.writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
}

function summarize(files) {
  const runs = files.map((f) => JSON.parse(fs.readFileSync(f, 'utf8')));
  const fmt = (ms) => (ms >= 100 ? String(Math.round(ms)) : ms.toFixed(1));
  const row = (name, values) => {
    const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x));
    if (!v.length) return `| ${name} | — | — |`;
    const s = [...v].sort((a, b) => a - b);
    const mid = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    return `| ${name} | ${fmt(mid)} | ${fmt(s[0])}–${fmt(s.at(-1))} |`;
  };
  const names = (k) => [...new Set(runs.flatMap((r) => Object.keys(r[k])))];
  console.log(`\nIn the page (ms; median and range over ${runs.length} runs; the longest main-thread task of the step in the last columns)\n`);
  console.log('| step | median | range | longest task, median | range |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const n of names('browser')) {
    const lt = runs.map((r) => r.longest_task[n]);
    console.log(`${row(n, runs.map((r) => r.browser[n]))}${lt.some((x) => typeof x === 'number') ? row('', lt).slice(4) : ' | |'}`);
  }
  console.log(`\nThe API from Node with the session cookie (ms; each run's median of ${API_REPEATS}; median and range over the runs)\n`);
  console.log('| request | median | range |');
  console.log('| --- | --- | --- |');
  for (const n of names('api')) console.log(row(n, runs.map((r) => r.api[n])));
  console.log('');
  console.log(`${row('server start, ready in (s)', runs.map((r) => r.server_ready_s))}\n`);
  for (const r of runs) {
    console.log(`run at ${r.started}: load average ${r.loadavg.join(' ')}; queue rows ${r.info.queue_rows}, rows for kind=order level=critical ${r.info.filtered_rows}, for kind=return level=critical ${r.info.filtered_return_rows}, next pages ${JSON.stringify(r.info.next_pages)} ms; overview 24h total ${r.info.overview_total_24h}; page problems ${r.problems.length}`);
  }
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'measure') await measure(args[0]);
else if (mode === 'setup') await setup(args[0]);
else if (mode === 'summarize') summarize(args);
else {
  console.error('usage: node bench/dashboard_scale.mjs setup DATA_DIR | measure OUT.json | summarize RUN.json...');
  process.exit(2);
}
