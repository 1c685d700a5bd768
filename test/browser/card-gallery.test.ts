import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { BUILT_IN_TEMPLATES, TEMPLATE_NAMES } from '../../cards/templates';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { ARTIFACTS, launchChromium } from './browser';

/** /dev/cards in a real browser: every template drawn by the console's renderer and host config. */
const WAIT = 30_000;
let t: TestApp;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;
let dir: string;
const pageErrors: string[] = [];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hw-gallery-browser-'));
  t = await startTestApp({ env: { CARDS_DIR: dir } });
  browser = await launchChromium();
  page = await browser.context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(m.text());
  });
});

afterAll(async () => {
  await browser?.close();
  await t?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('every template is drawn with its sample data, none with problems; screenshot kept', async () => {
  await page.goto(`${t.url}/dev/cards`);
  await page.locator('body[data-loaded="true"]').waitFor({ timeout: WAIT });
  for (const name of TEMPLATE_NAMES) {
    const section = page.locator(`section.tpl[data-name="${name}"]`);
    expect(await section.locator('.ac-adaptiveCard').count()).toBe(1);
    expect(await section.locator('.problems').count()).toBe(0);
  }
  expect(await page.locator('#source').textContent()).toMatch(new RegExp(`${TEMPLATE_NAMES.length} templates .* all valid`));
  await page.locator('section.tpl[data-name="alert"] .ac-adaptiveCard').getByText('Suspected identity theft (pass-the-hash)').first().waitFor({ timeout: WAIT });
  // Buttons are drawn but send nothing: the gallery says what they would send.
  await page.locator('section.tpl[data-name="alerts"]').getByRole('button', { name: 'Open' }).first().click();
  await page.locator('section.tpl[data-name="alerts"] .note', { hasText: 'alert.show' }).waitFor({ timeout: WAIT });
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, 'dev-cards.png'), fullPage: true });
});

test('a template saved into CARDS_DIR shows on reload', async () => {
  const status = JSON.parse(JSON.stringify(BUILT_IN_TEMPLATES.status));
  status.body[0].text = 'Azure ATP integration — edited in the Designer';
  fs.writeFileSync(path.join(dir, 'status.json'), JSON.stringify(status));
  await page.getByRole('button', { name: 'Reload' }).click();
  const section = page.locator('section.tpl[data-name="status"]');
  await section.locator('.ac-adaptiveCard').getByText('Azure ATP integration — edited in the Designer').waitFor({ timeout: WAIT });
  expect(await section.locator('h2').textContent()).toContain('CARDS_DIR override');
  await section.screenshot({ path: path.join(ARTIFACTS, 'dev-cards-override.png') });
});

test('the page raised no script errors', () => {
  expect(pageErrors).toEqual([]);
});
