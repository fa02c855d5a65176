// What every page must pass, shared by the browser scripts: axe-core finds no serious or
// critical violation, and nothing sticks out past the right edge at the page's width.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

// Debian's chromium, headless, quiet on the network. The contexts that run axe need
// `bypassCSP: true`, since the service allows no injected script.
export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync'],
  });
}

// What sticks out past the right edge at this width, named so the failure says where to look.
function overflowing() {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= width) return [];
  const names = [];
  for (const element of document.body.querySelectorAll('*')) {
    const box = element.getBoundingClientRect();
    if (box.right > width + 1 && box.width > 0) {
      const classes = element.className && typeof element.className === 'string' ? `.${element.className.trim().split(/\s+/).join('.')}` : '';
      names.push(`${element.tagName.toLowerCase()}${classes} (right edge ${Math.round(box.right)} px)`);
      if (names.length === 3) break;
    }
  }
  return names.length ? names : [`the page is ${document.documentElement.scrollWidth} px wide`];
}

// The page's problems, each in words: sideways scroll and serious or critical axe findings.
export async function pageProblems(page) {
  const problems = [];
  const wide = await page.evaluate(overflowing);
  if (wide.length) problems.push(`scrolls sideways at ${page.viewportSize().width} px: ${wide.join('; ')}`);
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  for (const violation of result.violations) {
    if (violation.impact !== 'serious' && violation.impact !== 'critical') continue;
    const targets = violation.nodes.slice(0, 3).map((node) => node.target.join(' ')).join(', ');
    problems.push(`axe ${violation.impact} ${violation.id} (${violation.help}) at ${targets}`);
  }
  return problems;
}
