// "Forgot your password" in headless Chromium at 390×844, without JavaScript, in two phases
// around the email (the test delivers the outbox to its SMTP sink and reads the link):
//   ask:   from the sign-in page, "Forgot your password?", give the address, see "Check your email";
//   reset: open the emailed link, choose a new password, sign in with it; the link then no
//          longer works. The forms pass the shared page checks (axe, no sideways scroll).
// Usage: node reset.mjs '{"phase": "ask"|"reset", "base": …, "email": …, "link": …, "password": …}'
// Prints one JSON line: {"problems": [text…], "heading": the signed-in page's heading}.
import { launch, pageProblems } from './checks.mjs';

const { phase, base, email, link, password } = JSON.parse(process.argv[2]);
const browser = await launch();
const problems = [];
const report = { problems };

// A second, script-enabled look at the same address for axe (the walk itself runs without JS).
async function check(context, url) {
  const page = await context.newPage();
  await page.goto(url);
  problems.push(...(await pageProblems(page)).map((problem) => `${new URL(url).pathname}: ${problem}`));
  await page.close();
}

try {
  const walk = await browser.newContext({ viewport: { width: 390, height: 844 }, javaScriptEnabled: false });
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
  } else {
    await check(checks, link);
    await page.goto(link);
    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    await page.getByLabel('New password').fill(password);
    await page.getByLabel('Type it again').fill(password);
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.locator('.flash', { hasText: 'Your password is set' }).waitFor();
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Change password' }).waitFor();
    report.heading = await page.getByRole('heading', { level: 1 }).textContent();
    await page.goto(link);
    await page.getByRole('heading', { name: 'This link has expired or has already been used' }).waitFor();
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify(report));
