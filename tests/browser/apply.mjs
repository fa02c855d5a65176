// Fills in and submits the public application form by its labels in headless Chromium,
// as a phone without JavaScript would, and checks the confirmation. Usage:
//   node apply.mjs BASE_URL [SCREENSHOT.png]
import { chromium } from 'playwright-core';

const [base, screenshot] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync'],
});
try {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${base}/volunteer`);
  await page.getByRole('link', { name: /Apply for Spring 2027/ }).click();

  await page.getByLabel('Full name').fill('Rhys ap Gwilym');
  await page.getByLabel('Email address').fill('rhys@example.org');
  await page.getByLabel('Phone number').fill('029 2018 0000');
  await page.getByLabel('Postcode').fill('cf10 1ep');
  await page.getByLabel('Date of birth').fill('1985-04-02');
  await page.getByLabel('Why do you want to volunteer as a facilitator?')
    .fill('I have seen how talking can help people move on after harm.');
  await page.getByLabel('Weekdays').check();
  for (const question of [
    'Can you attend every core training date of this intake?',
    'Can you commit to volunteering for one year after training?',
    'Do you agree to an enhanced DBS check and prison security vetting?',
    'Are you willing to use IT (email and an online calendar)?',
  ]) {
    await page.getByRole('group', { name: question }).getByLabel('Yes').check();
  }
  await page.getByLabel(/I have read the privacy notice/).check();
  await page.getByRole('button', { name: 'Send application' }).click();

  await page.getByRole('heading', { name: 'Application sent' }).waitFor({ timeout: 10000 });
  if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
  console.log(JSON.stringify({ confirmation: true }));
} finally {
  await browser.close();
}
