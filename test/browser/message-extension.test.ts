import type { Page } from 'playwright-core';
import { systemClock } from '../../bot/clock';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { USERS } from '../helpers/activities';
import { launchChromium, openConsole } from './browser';

/**
 * Issue 14's done-when, in a real browser: the console's compose box unfurls the Azure ATP link of a
 * replayed alert into its card, and typing part of a user's name offers that user's card. Steps share
 * one page and run in order.
 */
const WAIT = 30_000;
let t: TestApp;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;
const pageErrors: string[] = [];

const meInput = (pane: string) => page.locator(`form.me[data-pane="${pane}"] input`);
const meResults = (pane: string) => page.locator(`.me-results[data-pane="${pane}"]`);
const inserted = (pane: string, text: string | RegExp) => page.locator(`#${pane}-messages .msg[data-via="extension"] .card`).filter({ hasText: text });

let shot: (name: string) => Promise<string>;

beforeAll(async () => {
  t = await startTestApp({ env: { INGEST_TOKEN: 'browser-me-token' }, overrides: { clock: systemClock } });
  await t.app.services.integration.enable({ id: USERS.globalAdmin.aadObjectId, name: USERS.globalAdmin.name });
  browser = await launchChromium();
  ({ page, shot } = await openConsole(browser.context, t.url, pageErrors, WAIT));
});

afterAll(async () => {
  if (page) await shot('message-extension-final.png').catch(() => undefined);
  await browser?.close();
  await t?.close();
});

test('replay the demo scenario', async () => {
  await page.getByRole('button', { name: 'Replay demo scenario' }).click();
  await page.locator('#log li', { hasText: /7\/7 Cloud App Security/ }).waitFor({ timeout: WAIT });
});

test("as a Security Reader, pasting a replayed alert's Azure ATP link in the channel's compose box shows its card; Send puts it in the channel", async () => {
  await page.selectOption('#user', USERS.securityReader.aadObjectId);
  const { url } = await t.app.store.db.selectFrom('alerts').select('url').where('title', '=', 'Suspected identity theft (pass-the-hash)').executeTakeFirstOrThrow();
  expect(url).toMatch(/^https:\/\/contoso\.atp\.azure\.com\/securityAlert\//);
  await meInput('channel').fill(url!);
  const unfurled = meResults('channel').locator('.me-unfurl .card').filter({ hasText: 'Suspected identity theft (pass-the-hash)' });
  await unfurled.waitFor({ timeout: WAIT });
  expect(await unfurled.textContent()).toMatch(/Teams keeps link previews for up to 30 minutes/);
  await shot('message-extension-unfurl.png');
  await meResults('channel').getByRole('button', { name: 'Send' }).click();
  await inserted('channel', 'Suspected identity theft (pass-the-hash)').waitFor({ timeout: WAIT });
});

test('"Open in chat with Hybridwatch" on the inserted card puts the full alert card into the personal chat', async () => {
  await inserted('channel', 'Suspected identity theft (pass-the-hash)').getByRole('button', { name: 'Open in chat with Hybridwatch' }).click();
  await page.locator('#personal-messages .msg[data-role="bot"] .card').filter({ hasText: 'Suspected identity theft (pass-the-hash)' }).waitFor({ timeout: WAIT });
});

test("typing part of a user's name in searchUsers offers that user's card; picking it inserts it", async () => {
  await page.selectOption('form.me[data-pane="personal"] select', 'searchUsers');
  await meInput('personal').fill('joh');
  const item = meResults('personal').locator('.me-item').filter({ hasText: 'John Doe' });
  await item.waitFor({ timeout: WAIT });
  expect(await item.textContent()).toMatch(/Score [\d.]+ \(100th percentile\) · risky/);
  await shot('message-extension-search.png');
  await item.click();
  const card = inserted('personal', 'John Doe');
  await card.waitFor({ timeout: WAIT });
  expect(await card.textContent()).toMatch(/Investigation priority/);
  await card.scrollIntoViewIfNeeded();
  await shot('message-extension-user-card.png');
});

test('searchAlerts in the compose box lists alerts; a link on another host is left as a plain link', async () => {
  await page.selectOption('form.me[data-pane="channel"] select', 'searchAlerts');
  await meInput('channel').fill('brute');
  await meResults('channel').locator('.me-item').filter({ hasText: 'Suspected brute force attack' }).first().waitFor({ timeout: WAIT });
  await meInput('channel').fill('https://example.com/securityAlert/0');
  await meResults('channel').locator('.me-note', { hasText: /Teams would not ask Hybridwatch/ }).waitFor({ timeout: WAIT });
});

test('the page raised no script errors', () => {
  expect(pageErrors).toEqual([]);
});
