// A coordinator's day in headless Chromium at 390×844, without JavaScript: open the home
// page, follow "checks overdue", open the first volunteer listed, record their renewed
// enhanced DBS check (issued `issued`), and come back home to a lower count. The home page
// passes the shared page checks.
// Usage: node day.mjs '{"base": …, "email": …, "password": …, "issued": "YYYY-MM-DD"}'
// Prints one JSON line: {"before": n, "after": n, "volunteer": name, "problems": [text…]}.
import { launch, pageProblems } from './checks.mjs';

const { base, email, password, issued } = JSON.parse(process.argv[2]);
const browser = await launch();
const report = { problems: [] };

// The number on the home page's "checks overdue" line.
async function overdue(page) {
  const line = page.locator('ul.queue a', { hasText: /checks? overdue/ });
  return Number(await line.locator('.n').textContent());
}

try {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  report.before = await overdue(page);

  const checks = await browser.newContext({ viewport: { width: 390, height: 844 }, bypassCSP: true });
  await checks.addCookies(await context.cookies());
  const home = await checks.newPage();
  await home.goto(`${base}/`);
  report.problems.push(...(await pageProblems(home)).map((p) => `/: ${p}`));

  await page.locator('ul.queue a', { hasText: /checks? overdue/ }).click();
  await page.getByRole('heading', { name: 'Background checks' }).waitFor();
  const first = page.locator('#overdue tbody a').first();
  report.volunteer = await first.textContent();
  await first.click();
  await page.getByRole('heading', { name: 'Record a DBS check' }).waitFor();
  const form = page.locator('form[action$="/checks/dbs"]');
  await form.getByLabel('Level').selectOption('enhanced');
  await form.getByLabel('Status').selectOption('clear');
  await form.getByLabel('Certificate number').fill('0012 3456 7890');
  await form.getByLabel('Issue date').fill(issued);
  await form.getByRole('button', { name: 'Record DBS check' }).click();
  const flash = page.locator('.flash');
  await flash.waitFor();
  report.flash = await flash.textContent();

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }).click();
  report.after = await overdue(page);
} finally {
  await browser.close();
}
console.log(JSON.stringify(report));
