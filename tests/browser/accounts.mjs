// Accounts in headless Chromium at 390×844, without JavaScript, in phases around the emails
// (the test reads each emailed link between phases):
//   ask:    from the sign-in page, "Forgot your password?", give `email`, see "Check your email";
//   invite: `admin` signs in, opens Accounts, "Invite someone", invites `name`, `email` as `role`;
//   set:    open the emailed `link` (its page headed `heading`), choose `password`, sign in with
//           it as `email`; the link then no longer works.
// The forms pass the shared page checks (axe, no sideways scroll).
// Usage: node accounts.mjs '{"phase": …, "base": …, "email": …, …}'
// Prints one JSON line: {"problems": [text…], "heading": …, "nav": [the signed-in menu]}.
import { launch, pageProblems } from './checks.mjs';

const { phase, base, email, link, password, heading, admin, name, role } = JSON.parse(process.argv[2]);
const browser = await launch();
const problems = [];
const report = { problems };

// A second, script-enabled look at the same address for axe (the walk itself runs without JS),
// signed in as the walk is.
async function check(context, url) {
  await context.addCookies(await walk.cookies());
  const page = await context.newPage();
  await page.goto(url);
  problems.push(...(await pageProblems(page)).map((problem) => `${new URL(url).pathname}: ${problem}`));
  await page.close();
}

let walk;
try {
  walk = await browser.newContext({ viewport: { width: 390, height: 844 }, javaScriptEnabled: false });
  const checks = await browser.newContext({ viewport: { width: 390, height: 844 }, bypassCSP: true });
  const page = await walk.newPage();
  if (phase === 'ask') {
    await page.goto(`${base}/login`);
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByRole('heading', { name: 'Forgot your password' }).waitFor();
    await check(checks, page.url());
    await page.getByLabel('Email address').fill(email);
    await page.getByRole('button', { name: 'Email me a link' }).click();
    await page.getByRole('heading', { name: 'Check your email' }).waitFor();
  } else if (phase === 'invite') {
    await page.goto(`${base}/login`);
    await page.getByLabel('Email address').fill(admin.email);
    await page.getByLabel('Password', { exact: true }).fill(admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Accounts' }).click();
    await page.getByRole('link', { name: 'Invite someone' }).click();
    await page.getByRole('heading', { name: 'Invite someone' }).waitFor();
    await check(checks, page.url());
    await page.getByLabel('Full name').fill(name);
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Role').selectOption({ label: role });
    await page.getByRole('button', { name: 'Send invitation' }).click();
    await page.locator('.flash', { hasText: `Invitation sent to ${email}` }).waitFor();
    await check(checks, page.url());
  } else {
    await check(checks, link);
    await page.goto(link);
    await page.getByRole('heading', { name: heading }).waitFor();
    await page.getByLabel('New password').fill(password);
    await page.getByLabel('Type it again').fill(password);
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.locator('.flash', { hasText: 'Your password is set' }).waitFor();
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Change password' }).waitFor();
    report.heading = await page.getByRole('heading', { level: 1 }).textContent();
    report.nav = await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents();
    await page.goto(link);
    await page.getByRole('heading', { name: 'This link has expired or has already been used' }).waitFor();
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify(report));
