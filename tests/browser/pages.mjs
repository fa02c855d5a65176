// Every page of the demo, for each role, in headless Chromium at 390×844: axe-core finds no
// serious or critical violation and nothing scrolls sideways. The pages are found by following
// the links each role can see, from its home page (and the public pages for a visitor); one
// page is kept per shape of address (/cases/12 and /cases/13 are the same page), so a role's
// crawl is its set of distinct pages.
// Usage: node pages.mjs '{"base": …, "logins": [{"role", "email", "password"}]}'
// Set PAGES_SHOTS to a directory to keep a phone-width and a desktop screenshot of each page.
// Prints one JSON line: {"visited": {role: [path…]}, "problems": [text…]}.
import { launch, pageProblems } from './checks.mjs';

const { base, logins } = JSON.parse(process.argv[2]);
const shots = process.env.PAGES_SHOTS;
const origin = new URL(base).origin;
const MAX_PAGES = 150;
const PUBLIC = ['/', '/login', '/apply', '/password/forgot'];

const browser = await launch();

// The shape of an address: numbers and long tokens stand for any, query values are dropped.
function shape(url) {
  const path = url.pathname
    .replace(/\/\d+(?=\/|$)/g, '/{id}')
    .replace(/\/[A-Za-z0-9_-]{20,}(?=\/|$)/g, '/{token}');
  const keys = [...new Set(url.searchParams.keys())].sort();
  return keys.length ? `${path}?${keys.join('&')}` : path;
}

// Links worth following: this service's own HTML pages, never signing out or downloads.
function followable(url) {
  if (url.origin !== origin) return false;
  const path = url.pathname;
  return !/^\/(api|feeds?|metrics|healthz|static|assets)(\/|$)/.test(path)
    && !/(logout|sign-out|signout)/.test(path)
    && !/\.(csv|ics|pdf|json|png|svg|txt)$/.test(path);
}

async function signIn(context, login) {
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.getByLabel('Email address').fill(login.email);
  await page.getByLabel('Password', { exact: true }).fill(login.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1 }).waitFor();
  if (new URL(page.url()).pathname === '/login') throw new Error(`${login.role} could not sign in`);
  return page;
}

async function crawl(role, page, starts) {
  const problems = [];
  const seen = new Set();
  const queue = starts.map((path) => new URL(path, base));
  const visited = [];
  while (queue.length && visited.length < MAX_PAGES) {
    const url = queue.shift();
    const key = shape(url);
    if (seen.has(key)) continue;
    seen.add(key);
    const response = await page.goto(url.href);
    const type = response?.headers()['content-type'] ?? '';
    if (!type.startsWith('text/html')) continue;
    const where = `${role} ${url.pathname}${url.search}`;
    visited.push(`${url.pathname}${url.search}`);
    if (!response.ok()) problems.push(`${where}: answered ${response.status()}`);
    problems.push(...(await pageProblems(page)).map((problem) => `${where}: ${problem}`));
    if (shots) {
      const name = `${role}${key.replace(/[^A-Za-z0-9]+/g, '-')}`.replace(/-+$/, '');
      await page.screenshot({ path: `${shots}/${name}-phone.png`, fullPage: true });
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.screenshot({ path: `${shots}/${name}-desktop.png`, fullPage: true });
      await page.setViewportSize({ width: 390, height: 844 });
    }
    const links = await page.locator('a[href]:not([download])').evaluateAll((anchors) => anchors.map((a) => a.href));
    for (const href of links) {
      const next = new URL(href);
      next.hash = '';
      if (followable(next) && !seen.has(shape(next))) queue.push(next);
    }
  }
  return { visited, problems };
}

const report = { visited: {}, problems: [] };
async function run(role, login) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, bypassCSP: true });
  const page = login ? await signIn(context, login) : await context.newPage();
  const { visited, problems } = await crawl(role, page, login ? ['/'] : PUBLIC);
  report.visited[role] = visited;
  report.problems.push(...problems);
  await context.close();
}

try {
  await run('visitor', null);
  for (const login of logins) await run(login.role, login);
} finally {
  await browser.close();
}
console.log(JSON.stringify(report));
