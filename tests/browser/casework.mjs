// One case walked from referral to closure in headless Chromium, through the pages only,
// by a coordinator and its two facilitators. Two phases, because the outcome can only be
// recorded once the conference has started: the test moves the conference into the past
// between them.
// Usage: node casework.mjs '{"phase": 1|2, "base": …, "coordinator": {"email", "password"},
//   "lead": {"email", "password", "name"}, "co": {…}, "place": …, "reference": … (phase 2)}'
// Prints one JSON line: phase 1 {"reference"}, phase 2 {"report"}.
import { chromium } from 'playwright-core';

const args = JSON.parse(process.argv[2]);
const { base, coordinator, lead, co, place } = args;
const shots = process.env.CASEWORK_SHOTS;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync'],
});

async function signIn(who) {
  const context = await browser.newContext({ viewport: { width: 390, height: 900 }, javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.getByLabel('Email address').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1 }).waitFor();
  return page;
}

async function shot(page, name) {
  if (shots) await page.screenshot({ path: `${shots}/${name}.png`, fullPage: true });
}

// The flash after a change; fails with the page's error if there is none.
async function expectFlash(page, text) {
  const flash = page.locator('.flash', { hasText: text });
  if (await flash.count() === 0) {
    const problem = await page.locator('.error-summary, .flash').allTextContents();
    throw new Error(`expected "${text}" on ${page.url()}, found: ${problem.join(' | ')}`);
  }
}

// The case page folds its forms into <details> (no script needed): opens the one holding
// `selector` unless it is open already, and returns the form.
async function unfold(page, selector) {
  const details = page.locator(`details:has(${selector})`);
  if (await details.count() && (await details.getAttribute('open')) === null) await details.locator('summary').click();
  return page.locator(selector);
}

async function openCase(page, reference) {
  await page.getByRole('link', { name: /^(My cases|Cases)$/ }).first().click();
  await page.getByRole('link', { name: reference }).click();
  await page.getByRole('heading', { name: `Case ${reference}` }).waitFor();
}

async function assess(page, kind) {
  const form = await unfold(page, 'form[action$="/assessments"]');
  await form.getByLabel('Assessment', { exact: true }).selectOption(kind);
  if (kind === 'risk') {
    for (const label of ['Risk to the harmed person', 'Risk to the harmer', 'Risk to the facilitators']) {
      await form.getByLabel(label).selectOption('low');
    }
  } else {
    for (const label of ['Does the harmer accept responsibility?', 'Does the harmed person have capacity to take part?',
      'Is the harmed person taking part voluntarily?', 'Does the harmer have capacity to take part?',
      'Is the harmer taking part voluntarily?']) {
      await form.getByLabel(label).selectOption('yes');
    }
  }
  await form.getByLabel('Outcome').selectOption('suitable');
  await form.getByRole('button', { name: 'Record assessment' }).click();
  await expectFlash(page, 'Assessment recorded');
}

async function logContact(page, kind, minutes) {
  const form = await unfold(page, 'form[action$="/contacts"]');
  await form.getByLabel('What').selectOption(kind);
  await form.getByLabel('Minutes').fill(String(minutes));
  await form.getByRole('button', { name: 'Log contact' }).click();
  await expectFlash(page, 'logged');
}

async function moveCase(page, status) {
  const form = await unfold(page, 'form[action$="/status"]');
  await form.getByLabel('Move the case to').selectOption(status);
  await form.getByRole('button', { name: 'Move case' }).click();
  await expectFlash(page, 'is now');
}

try {
  if (args.phase === 1) {
    // The coordinator takes the referral, adds the parties and allocates the pair.
    const c = await signIn(coordinator);
    await c.goto(`${base}/cases/new`);
    await c.getByLabel('Referred by').selectOption('probation');
    await c.getByLabel('Offence category').fill('burglary');
    await c.getByLabel('Establishment (where the harmer is)').selectOption({ label: place });
    await c.getByRole('button', { name: 'Create case' }).click();
    const heading = await c.getByRole('heading', { level: 1, name: /^Case RJ-/ }).textContent();
    const reference = heading.replace('Case ', '').trim();
    for (const [role, name] of [['harmed', 'Hannah Harmed'], ['harmer', 'Harry Harmer']]) {
      const form = await unfold(c, 'form[action$="/parties"]');
      await form.getByLabel('Role').selectOption(role);
      await form.getByLabel('Name').fill(name);
      await form.getByLabel('Consent').selectOption('pending');
      await form.getByRole('button', { name: 'Add party' }).click();
      await expectFlash(c, 'Party added');
    }
    await moveCase(c, 'assessing');
    await c.getByRole('link', { name: 'Allocate facilitators' }).click();
    await shot(c, 'allocate');
    await c.getByRole('button', { name: `Allocate this pair: ${lead.name} and ${co.name}` }).click();
    await expectFlash(c, 'Facilitators allocated');

    // The lead: "My cases", the risk assessment, a preparation meeting, the harmed person's availability.
    const l = await signIn(lead);
    await openCase(l, reference);
    await assess(l, 'risk');
    await logContact(l, 'meeting', 60);
    await l.getByRole('link', { name: 'Details and availability of Hannah Harmed' }).click();
    for (const day of ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday']) {
      await l.getByLabel(`${day} window 1 from`).fill('09:00');
      await l.getByLabel(`${day} window 1 until`).fill('17:00');
    }
    await l.getByRole('button', { name: 'Save availability' }).click();
    await expectFlash(l, 'Availability saved');
    await shot(l, 'party');

    // The co-facilitator: the appropriateness assessment, a call, both consents.
    const f = await signIn(co);
    await openCase(f, reference);
    await assess(f, 'appropriateness');
    await logContact(f, 'call', 20);
    for (const name of ['Hannah Harmed', 'Harry Harmer']) {
      await f.getByRole('button', { name: `Record consent given by ${name}` }).click();
      await expectFlash(f, 'Consent recorded');
    }
    await shot(f, 'case-prepared');

    // The coordinator confirms it is ready and books the allocated pair.
    await openCase(c, reference);
    await moveCase(c, 'ready');
    await c.getByRole('link', { name: 'Find conference candidates', exact: true }).click();
    await c.getByRole('button', { name: new RegExp(`^Book .* with ${lead.name} and ${co.name}$`) }).first().click();
    await c.getByText(/booked/i).first().waitFor();

    // Both accept from their dashboards.
    for (const page of [l, f]) {
      await page.goto(`${base}/`);
      await page.getByRole('button', { name: new RegExp(`^Accept the conference for ${reference}`) }).click();
      await expectFlash(page, 'Accepted');
    }
    console.log(JSON.stringify({ reference }));
  } else {
    const { reference } = args;
    // The lead records the outcome with two actions.
    const l = await signIn(lead);
    await openCase(l, reference);
    await l.getByRole('link', { name: 'Conference page' }).first().click();
    const form = l.locator('form[action$="/outcome"]');
    await form.getByLabel('Was the conference held?').selectOption('yes');
    await form.getByLabel('Notes (not shared with the referrer)').fill('Both spoke; an apology was given.');
    const due = args.due;
    for (const [n, what] of [[1, 'Letter of apology'], [2, 'Pay for the broken window']]) {
      await form.getByLabel(`Action ${n}: what`).fill(what);
      await form.getByLabel(`Action ${n}: who owes it`).fill('The harmer');
      await form.getByLabel(`Action ${n}: due by`).fill(due);
    }
    await form.getByRole('button', { name: 'Record outcome' }).click();
    await expectFlash(l, 'Outcome recorded');

    // The co-facilitator settles both actions.
    const f = await signIn(co);
    await openCase(f, reference);
    for (const what of ['Letter of apology', 'Pay for the broken window']) {
      await f.getByRole('button', { name: `Completed: ${what}`, exact: true }).click();
      await expectFlash(f, 'Action recorded as completed');
    }

    // The coordinator closes the case and opens the report.
    const c = await signIn(coordinator);
    await openCase(c, reference);
    await moveCase(c, 'closed');
    await c.getByRole('link', { name: 'Completion report for the referrer' }).click();
    await c.getByRole('heading', { name: 'Completion report' }).waitFor();
    await shot(c, 'report');
    const report = await c.locator('main').innerText();
    console.log(JSON.stringify({ report }));
  }
} finally {
  await browser.close();
}
