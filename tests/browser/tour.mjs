// The README's tour: screenshots of the main pages of the demo at phone and desktop width,
// written to docs/screenshots/. Not a test; run by hand against a demo server:
//   cargo run -- serve --demo   (note the sign-ins it prints)
//   node tests/browser/tour.mjs '{"base": "http://127.0.0.1:8080", "logins": {"coordinator": {"email", "password"}, "volunteer": {…}, "admin": {…}}}'
import { mkdirSync } from 'node:fs';
import { launch } from './checks.mjs';

const { base, logins } = JSON.parse(process.argv[2]);
const out = new URL('../../docs/screenshots/', import.meta.url).pathname;
mkdirSync(out, { recursive: true });
const browser = await launch();

// [who, path, file name, what to wait for]
const shots = [
  ['coordinator', '/', 'coordinator-home'],
  ['coordinator', '/cases?sort=deadline', 'cases'],
  ['coordinator', (await firstCase('ready')), 'case'],
  ['coordinator', `${await firstCase('ready')}/candidates`, 'candidates'],
  ['coordinator', '/plan', 'plan'],
  ['volunteer', '/', 'volunteer-dashboard'],
  ['admin', '/admin/accounts', 'accounts'],
  [null, '/password/forgot', 'forgot-password'],
];

// The demo's first case at `status`, read from the coordinator's case list.
async function firstCase(status) {
  const page = await signedIn('coordinator', 1280);
  await page.goto(`${base}/cases?status=${status}&sort=deadline`);
  const href = await page.locator('tbody a').first().getAttribute('href');
  await page.context().close();
  return href;
}

async function signedIn(who, width) {
  const context = await browser.newContext({ viewport: { width, height: width < 500 ? 844 : 900 } });
  const page = await context.newPage();
  if (!who) return page;
  await page.goto(`${base}/login`);
  await page.getByLabel('Email address').fill(logins[who].email);
  await page.getByLabel('Password', { exact: true }).fill(logins[who].password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  return page;
}

try {
  for (const [who, path, name] of shots) {
    for (const [width, tag] of [[390, 'phone'], [1280, 'desktop']]) {
      const page = await signedIn(who, width);
      await page.goto(`${base}${path}`);
      await page.screenshot({ path: `${out}${name}-${tag}.png` });
      await page.context().close();
    }
  }
} finally {
  await browser.close();
}
