// Budget 5: time from navigation start until the sign-in page is hydrated (the app sets
// data-hydrated on <body> once its reactive code runs, so a click works from then on),
// in headless Chromium on localhost; the median of 20 cold loads (fresh context each).
// Usage: node bench/tti.mjs http://127.0.0.1:3400
import { chromium } from '@playwright/test';

const url = process.argv[2] ?? 'http://127.0.0.1:3400';
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});
const times = [];
for (let i = 0; i < 20; i++) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.addInitScript(() => {
    new MutationObserver((_, observer) => {
      if (document.body?.dataset.hydrated === 'true') {
        window.__hydratedAt = performance.now();
        observer.disconnect();
      }
    }).observe(document, { attributes: true, subtree: true, attributeFilter: ['data-hydrated'] });
  });
  await page.goto(`${url}/login`);
  await page.waitForFunction(() => window.__hydratedAt !== undefined);
  times.push(await page.evaluate(() => window.__hydratedAt));
  await context.close();
}
await browser.close();
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
console.log(`hydrated after ${median.toFixed(0)} ms (median of 20; min ${times[0].toFixed(0)}, max ${times[times.length - 1].toFixed(0)})`);
