// The demo, walked through in headless Chromium without JavaScript: the coordinator signs
// in, opens a ready case, sees its candidates and books one with the demo volunteer; the
// volunteer signs in, accepts it, sees it on the dashboard and in their calendar feed.
// Usage: node walkthrough.mjs BASE_URL COORDINATOR_EMAIL COORDINATOR_PASSWORD
//                             VOLUNTEER_EMAIL VOLUNTEER_PASSWORD VOLUNTEER_NAME [SCREENSHOT_DIR]
// Prints one JSON line: {"reference": …, "feed": …}.
import { chromium } from 'playwright-core';

const [base, coordinatorEmail, coordinatorPassword, volunteerEmail, volunteerPassword, volunteerName, shots] =
  process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync'],
});

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

async function signIn(email, password) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1 }).waitFor();
  return page;
}

async function shot(page, name) {
  if (shots) await page.screenshot({ path: `${shots}/${name}.png`, fullPage: true });
}

try {
  // The coordinator: a ready case, its candidates, a booking with the demo volunteer.
  const coordinator = await signIn(coordinatorEmail, coordinatorPassword);
  await coordinator.getByRole('link', { name: 'Cases', exact: true }).first().click();
  await coordinator.getByRole('heading', { name: 'Cases', level: 1 }).waitFor();
  const readyRows = coordinator.locator('tbody tr').filter({ has: coordinator.locator('td', { hasText: /^ready$/ }) });
  await shot(coordinator, 'cases');
  const count = await readyRows.count();
  if (count === 0) throw new Error('no ready case on the cases page');
  let reference = null;
  for (let i = 0; i < count && !reference; i += 1) {
    await coordinator.goto(`${base}/cases`);
    const link = coordinator.locator('tbody tr').filter({ has: coordinator.locator('td', { hasText: /^ready$/ }) })
      .nth(i).getByRole('link');
    const candidate = (await link.textContent()).trim();
    await link.click();
    await coordinator.getByRole('heading', { name: `Case ${candidate}` }).waitFor();
    await coordinator.getByRole('link', { name: 'Find conference candidates', exact: true }).click();
    await coordinator.getByRole('heading', { name: /Conference candidates for/ }).waitFor();
    const book = coordinator.getByRole('button', { name: new RegExp(`^Book .*${escape(volunteerName)}`) }).first();
    if (await book.count() === 0) continue;
    await shot(coordinator, 'candidates');
    await book.click();
    await coordinator.getByText(/booked/i).first().waitFor();
    reference = candidate;
  }
  if (!reference) throw new Error(`no candidate with ${volunteerName} for any ready case`);
  await shot(coordinator, 'booked');

  // The volunteer: the conference waits for an answer; accept it.
  const volunteer = await signIn(volunteerEmail, volunteerPassword);
  const waiting = volunteer.getByRole('region', { name: 'Conferences waiting for your answer' });
  await waiting.getByRole('listitem').filter({ hasText: reference }).waitFor();
  await waiting.getByRole('listitem').filter({ hasText: reference }).getByRole('button', { name: /^Accept/ }).click();
  await volunteer.waitForLoadState();
  await shot(volunteer, 'accepted');
  // Back on the dashboard: no longer waiting, listed under the next dates instead.
  await volunteer.getByRole('region', { name: 'Next dates' }).getByText(reference).waitFor({ timeout: 10000 });
  const stillWaiting = await volunteer.getByRole('region', { name: 'Conferences waiting for your answer' })
    .getByRole('listitem').filter({ hasText: reference }).count();
  if (stillWaiting !== 0) throw new Error('the accepted conference still waits for an answer');
  await shot(volunteer, 'dashboard');

  // The feed: make the private link on the profile page and read it.
  await volunteer.getByRole('button', { name: /private calendar link/ }).click();
  await volunteer.getByRole('button', { name: /Make .*link/ }).click();
  const address = await volunteer.getByLabel('Or copy this address:').inputValue();
  const path = new URL(address).pathname;
  const response = await volunteer.request.get(`${base}${path}`);
  if (response.status() !== 200) throw new Error(`feed answered ${response.status()}`);
  const feed = await response.text();
  console.log(JSON.stringify({ reference, feed }));
} finally {
  await browser.close();
}
