// bench/console.mjs BASE [LOADS]: how soon the console's first screen (the sign-in form) is
// ready, by the page's own clock (navigation start to the console's `siku-ready` mark), over
// LOADS fresh loads in headless Chromium; beside it the anchor: the same browser loading a
// one-line page from the same server (/healthz), i.e. what any page costs on this machine.
import { chromium } from '../tests/browser/node_modules/playwright-core/index.mjs';

const [base, loadsArg] = process.argv.slice(2);
const loads = Number(loadsArg || 10);
const browser = await chromium.launch({
  executablePath: process.env.SIKU_CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});
const page = await (await browser.newContext({ viewport: { width: 1366, height: 768 } })).newPage();

// Milliseconds from navigation start to ready (the console's mark, or the load event).
async function measure(path, ready) {
  const times = [];
  for (let i = 0; i < loads; i++) {
    await page.goto(`${base}${path}${path.includes('?') ? '&' : '?'}load=${i}`);
    await ready();
    times.push(await page.evaluate(() => {
      const mark = performance.getEntriesByName('siku-ready')[0];
      return mark ? mark.startTime : performance.getEntriesByType('navigation')[0].loadEventEnd;
    }));
  }
  times.sort((a, b) => a - b);
  const at = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))];
  return { p50: at(0.5), p90: at(0.9), max: times[times.length - 1] };
}

await page.goto(base + '/healthz'); // the browser's own start-up is not the console's
const anchor = await measure('/healthz', () => page.waitForLoadState('load'));
const first = await measure('/', () => page.getByLabel('用户名').waitFor());
await browser.close();

const row = (name, r) =>
  `${name.padEnd(44)} ${r.p50.toFixed(0).padStart(7)} ${r.p90.toFixed(0).padStart(7)} ${r.max.toFixed(0).padStart(7)}`;
console.log(`\n${loads} loads each, headless Chromium and sikud on this box`);
console.log(`${'page'.padEnd(44)} ${'p50 ms'.padStart(7)} ${'p90 ms'.padStart(7)} ${'max ms'.padStart(7)}`);
console.log(row('(anchor) /healthz, a one-line page', anchor));
console.log(row('console first screen (sign-in form ready)', first));
console.log(`\nfirst screen p50 ${first.p50.toFixed(0)} ms: goal < 1000 ms  ${first.p50 < 1000 ? 'PASS' : 'BELOW'}`);
