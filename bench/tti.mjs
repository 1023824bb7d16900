// Budget 5: time from navigation start until the sign-in page is hydrated (the page's
// script sets data-hydrated on <body> once every island is, so a click works from then
// on), in headless Chromium, median of 20 loads: first visits (a new browser context
// each, so nothing cached), then return visits (one context: the hashed client files come
// from the browser's cache, as `immutable` allows). Also: the bytes a first visit
// transfers for the client (wasm + JS bodies as sent, brotli), issue #19's 100 KB budget.
// Usage: node bench/tti.mjs http://127.0.0.1:3400
import { chromium } from '@playwright/test';

const url = process.argv[2] ?? 'http://127.0.0.1:3400';
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});

async function hydratedAt(page) {
  await page.goto(`${url}/login`);
  await page.waitForFunction(() => window.__hydratedAt !== undefined);
  return page.evaluate(() => window.__hydratedAt);
}

async function newPage(context) {
  const page = await context.newPage();
  await page.addInitScript(() => {
    new MutationObserver((_, observer) => {
      if (document.body?.dataset.hydrated === 'true') {
        window.__hydratedAt = performance.now();
        observer.disconnect();
      }
    }).observe(document, { attributes: true, subtree: true, attributeFilter: ['data-hydrated'] });
  });
  return page;
}

// Issue #19's budget for the sign-in page's hydration.
const BUDGET_MS = 300;

function report(label, times) {
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  const verdict = median <= BUDGET_MS ? 'within' : 'OVER';
  console.log(`${label}: hydrated after ${median.toFixed(0)} ms (median of ${times.length}; min ${times[0].toFixed(0)}, max ${times[times.length - 1].toFixed(0)}); ${verdict} the ${BUDGET_MS} ms budget`);
}

// What a first visit transfers for the client: the bodies of /pkg's .wasm and .js as sent.
{
  const context = await browser.newContext();
  const page = await newPage(context);
  const sizes = [];
  page.on('requestfinished', (request) => {
    const path = new URL(request.url()).pathname;
    if (path.startsWith('/pkg/') && /\.(wasm|js)$/.test(path)) {
      sizes.push(request.sizes().then((s) => [path.split('/').pop(), s.responseBodySize]));
    }
  });
  await hydratedAt(page);
  await page.waitForLoadState('networkidle');
  const files = await Promise.all(sizes);
  const total = files.reduce((sum, [, n]) => sum + n, 0);
  for (const [name, n] of files) console.log(`  ${name}: ${n} B transferred`);
  const FIRST_VISIT_BUDGET = 102400;
  console.log(`first visit to /login: wasm + JS transferred ${total} B; ${total <= FIRST_VISIT_BUDGET ? 'within' : 'OVER'} the ${FIRST_VISIT_BUDGET} B budget`);
  await context.close();
}

const first = [];
for (let i = 0; i < 20; i++) {
  const context = await browser.newContext();
  first.push(await hydratedAt(await newPage(context)));
  await context.close();
}
report('first visit', first);

const context = await browser.newContext();
const page = await newPage(context);
await hydratedAt(page);
const again = [];
for (let i = 0; i < 20; i++) {
  again.push(await hydratedAt(page));
}
await context.close();
report('return visit', again);
await browser.close();
