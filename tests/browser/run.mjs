// Browser tests of the built ICC site in Debian's headless Chromium, driven by playwright-core
// (no browser download). Run by the Rust test tests/integration/browser.rs, which builds the site
// first:  node tests/browser/run.mjs <built site folder> <screenshot folder> [<based site folder>]
//
// The script serves the folder on 127.0.0.1 (a free port), runs each check, saves screenshots
// for a person to review, prints "N passed, M failed" and exits non-zero on any failure. The
// optional third folder is the same site built for the base path /interculturalcities (the
// ICC site's), served under that path.

import { createServer } from 'node:http';
import { readFile, stat, mkdir } from 'node:fs/promises';
import { join, extname, resolve, sep } from 'node:path';
import { chromium } from 'playwright-core';

const [siteDir, shotDir, basedDir] = process.argv.slice(2).map((p) => resolve(p));
const BASE_PATH = '/interculturalcities';
if (!siteDir || !shotDir) {
  console.error('usage: node tests/browser/run.mjs <site folder> <screenshot folder>');
  process.exit(2);
}

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.xml': 'application/xml',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.pdf': 'application/pdf',
  '.txt': 'text/plain; charset=utf-8',
};

/** A static file server for the built site, confined to its folder; with `based`, the same
    for the site built for BASE_PATH, under that path. */
function serve(root, based) {
  const server = createServer(async (req, res) => {
    try {
      let path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
      let dir = root;
      if (based && (path === BASE_PATH || path.startsWith(BASE_PATH + '/'))) {
        dir = based;
        path = path.slice(BASE_PATH.length) || '/';
      }
      let file = resolve(join(dir, path));
      if (file !== dir && !file.startsWith(dir + sep)) throw new Error('outside');
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/html; charset=utf-8' });
      res.end(await readFile(join(root, '404.html')).catch(() => 'not found'));
    }
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server)));
}

const server = await serve(siteDir, basedDir);
const base = `http://127.0.0.1:${server.address().port}`;
await mkdir(shotDir, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
});

const results = [];
async function check(name, body) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  try {
    await body(page);
    results.push([name, null]);
    console.log(`ok   ${name}`);
  } catch (error) {
    results.push([name, error]);
    console.log(`FAIL ${name}\n     ${String(error.message ?? error).split('\n').join('\n     ')}`);
  } finally {
    await context.close();
  }
}

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

/** The language switcher: the first navigation landmark of the page. */
const switcherLink = (page, lang) => page.locator('nav').first().locator(`a[hreflang="${lang}"]`);

await check('the switcher takes the French 2016 report to its English version', async (page) => {
  await page.goto(`${base}/fr/reunions/2016-reykjavik/`);
  await Promise.all([page.waitForURL(`${base}/en/meetings/2016-reykjavik/`), switcherLink(page, 'en').click()]);
  expect((await page.getAttribute('html', 'lang')) === 'en', 'the page is not in English');
  expect((await page.locator('h1').first().innerText()).length > 0, 'no title');
});

await check('a document missing in English leads to an English "not available" page linking back', async (page) => {
  await page.goto(`${base}/fr/reunions/2023-bilbao/`);
  await Promise.all([page.waitForURL(`${base}/en/meetings/2023-bilbao/`), switcherLink(page, 'en').click()]);
  expect((await page.getAttribute('html', 'lang')) === 'en', 'the page is not in English');
  const robots = await page.getAttribute('meta[name="robots"]', 'content');
  expect(robots === 'noindex', `the page is indexable (robots: ${robots})`);
  const back = page.locator('main a[href="/fr/reunions/2023-bilbao/"]');
  expect((await back.count()) >= 1, 'no link back to the French report in the page body');
  await Promise.all([page.waitForURL(`${base}/fr/reunions/2023-bilbao/`), back.first().click()]);
});

await check('with the keyboard only, Tab reaches the switcher and Enter follows it', async (page) => {
  await page.goto(`${base}/fr/reunions/2016-reykjavik/`);
  let reached = false;
  for (let i = 0; i < 60 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => {
      const a = document.activeElement;
      const nav = document.querySelector('nav');
      return !!a && !!nav && nav.contains(a) && a.getAttribute('hreflang') === 'en';
    });
  }
  expect(reached, 'Tab never reached the English link of the switcher');
  const outline = await page.evaluate(() => {
    const style = getComputedStyle(document.activeElement);
    return style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  });
  expect(outline, 'the focused switcher link has no visible outline');
  await Promise.all([page.waitForURL(`${base}/en/meetings/2016-reykjavik/`), page.keyboard.press('Enter')]);
});

await check('the Arabic home page is laid out right to left', async (page) => {
  await page.goto(`${base}/ar/`);
  const direction = await page.evaluate(() => getComputedStyle(document.documentElement).direction);
  expect(direction === 'rtl', `computed direction is ${direction}`);
  const bodyDirection = await page.evaluate(() => getComputedStyle(document.body).direction);
  expect(bodyDirection === 'rtl', `body direction is ${bodyDirection}`);
  await page.screenshot({ path: join(shotDir, 'home-ar.png'), fullPage: true });
});

await check('the root page remembers the chosen language', async (page) => {
  await page.goto(`${base}/`);
  const links = page.locator('main a[hreflang]');
  expect((await links.count()) === 8, `the root page lists ${await links.count()} languages`);
  await Promise.all([page.waitForURL(`${base}/uk/`), page.locator('main a[hreflang="uk"]').click()]);
  await page.goto(`${base}/`);
  await page.waitForURL(`${base}/uk/`);
});

/** Types `term` in the page's search box, presses Enter and waits for the announced count;
    returns the result links' addresses and the announcement. */
async function search(page, term, { allLanguages = false } = {}) {
  const box = page.locator('form[role="search"]');
  await box.waitFor({ state: 'visible' });
  if (allLanguages) await box.getByRole('checkbox').check();
  const status = page.locator('[data-icc-search-status]');
  await box.getByRole('searchbox').fill(term);
  // Enter searches at once and says "Searching…" until the count replaces it.
  await box.getByRole('searchbox').press('Enter');
  await page.waitForFunction(() => {
    const text = document.querySelector('[data-icc-search-status]').textContent;
    return text !== '' && !text.endsWith('…');
  }, null, { timeout: 15000 });
  const hrefs = await page.locator('[data-icc-search-list] li a').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
  return { hrefs, status: await status.innerText() };
}

await check('a French word finds the French 2023 Bilbao report, announced in French', async (page) => {
  const outside = [];
  page.on('request', (request) => {
    if (!request.url().startsWith(base)) outside.push(request.url());
  });
  await page.goto(`${base}/fr/`);
  const label = await page.locator('label[for="icc-search-input"]').innerText();
  expect(label.length > 0, 'the search box has no label');
  const { hrefs, status } = await search(page, 'Diversitours');
  expect(hrefs.includes('/fr/reunions/2023-bilbao/'), `results: ${hrefs.join(', ')} (${status})`);
  expect(hrefs.every((h) => h.startsWith('/fr/')), `results outside French: ${hrefs.join(', ')}`);
  expect(new RegExp(`^${hrefs.length} résultats?$`).test(status), `announced: "${status}"`);
  const role = await page.locator('[data-icc-search-status]').getAttribute('role');
  expect(role === 'status', 'the count is not in a live region');
  const excerpt = await page.locator('[data-icc-search-list] li mark').first().innerText();
  expect(/diversitours/i.test(excerpt), `no highlighted match in the excerpt: ${excerpt}`);
  await page.screenshot({ path: join(shotDir, 'search-fr.png') });
  expect(outside.length === 0, `requests outside the site: ${outside.join(', ')}`);
  await Promise.all([
    page.waitForURL(`${base}/fr/reunions/2023-bilbao/`),
    page.locator('[data-icc-search-list] a[href="/fr/reunions/2023-bilbao/"]').click(),
  ]);
});

await check('a Japanese query finds a Japanese page', async (page) => {
  await page.goto(`${base}/ja/`);
  for (const term of ['インターカルチュラル', '欧州評議会']) {
    const { hrefs, status } = await search(page, term);
    expect(hrefs.length > 0 && hrefs.every((h) => h.startsWith('/ja/')), `${term}: ${hrefs.join(', ')} (${status})`);
    expect(status === `${hrefs.length}件の結果`, `announced: "${status}"`);
  }
});

await check('with "All languages", a French word searched from the English home finds the French report', async (page) => {
  await page.goto(`${base}/en/`);
  // Pagefind also finds near words ("diversity"), but only in the reader's language.
  const english = await search(page, 'Diversitours');
  expect(english.hrefs.every((h) => h.startsWith('/en/')), `results outside English: ${english.hrefs.join(', ')}`);
  expect(/^\d+ results?$/.test(english.status), `announced: "${english.status}"`);
  const { hrefs, status } = await search(page, 'Diversitours', { allLanguages: true });
  expect(hrefs[0] === '/fr/reunions/2023-bilbao/', `results: ${hrefs.join(', ')} (${status})`);
  const link = page.locator('[data-icc-search-list] a[href="/fr/reunions/2023-bilbao/"]');
  expect((await link.getAttribute('hreflang')) === 'fr' && (await link.getAttribute('lang')) === 'fr', 'the French result is not marked as French');
  await page.screenshot({ path: join(shotDir, 'search-all-languages-en.png') });
});

await check('search works under the base path /interculturalcities', async (page) => {
  if (!basedDir) throw new Error('no site built for the base path was given');
  await page.goto(`${base}${BASE_PATH}/fr/`);
  const { hrefs, status } = await search(page, 'Diversitours');
  const target = `${BASE_PATH}/fr/reunions/2023-bilbao/`;
  expect(hrefs.includes(target), `results: ${hrefs.join(', ')} (${status})`);
  await Promise.all([page.waitForURL(`${base}${target}`), page.locator(`[data-icc-search-list] a[href="${target}"]`).click()]);
});

await check('screenshots of the home page and a report', async (page) => {
  await page.goto(`${base}/fr/`);
  await page.screenshot({ path: join(shotDir, 'home-fr.png'), fullPage: true });
  await page.goto(`${base}/fr/reunions/2023-bilbao/`);
  await page.screenshot({ path: join(shotDir, 'report-fr.png') });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${base}/en/meetings/2016-reykjavik/`);
  await page.screenshot({ path: join(shotDir, 'report-en-mobile.png'), fullPage: true });
});

await browser.close();
server.close();

const failed = results.filter(([, error]) => error).length;
console.log(`${results.length - failed} passed, ${failed} failed`);
console.log(`screenshots: ${shotDir}`);
process.exit(failed ? 1 : 0);
