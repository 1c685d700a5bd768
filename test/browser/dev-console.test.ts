import fs from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { systemClock } from '../../bot/clock';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { USERS } from '../helpers/activities';
import { launchChromium, openConsole } from './browser';

/**
 * The end-to-end scenario, clicked through the dev console in a real browser. Each step is its
 * own test so a run shows exactly which steps pass; they share one page and run in order.
 */
const WAIT = 30_000;
let t: TestApp;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;
const pageErrors: string[] = [];

const personal = () => page.locator('#personal-messages');
const channel = () => page.locator('#channel-messages');
const botCard = (pane: Locator, text: string | RegExp) => pane.locator('.msg[data-role="bot"] .card').filter({ hasText: text });

async function as(user: { aadObjectId: string }) {
  await page.selectOption('#user', user.aadObjectId);
}

async function say(pane: 'personal' | 'channel', text: string) {
  const input = page.locator(`form.composer[data-pane="${pane}"] input`);
  await input.fill(text);
  await input.press('Enter');
}

let shot: (name: string) => Promise<string>;

beforeAll(async () => {
  // The system clock: the scenario, scoring and delivery all run on real time here.
  t = await startTestApp({ env: { INGEST_TOKEN: 'browser-e2e-token' }, overrides: { clock: systemClock } });
  browser = await launchChromium();
  ({ page, shot } = await openConsole(browser.context, t.url, pageErrors, WAIT));
});

afterAll(async () => {
  if (page) await shot('dev-console-final.png').catch(() => undefined);
  await browser?.close();
  await t?.close();
});

test('as a Security Reader, `status` shows the integration card', async () => {
  await as(USERS.securityReader);
  await say('personal', 'status');
  await botCard(personal(), 'Azure ATP integration').first().waitFor({ timeout: WAIT });
  // Rendered by the official adaptivecards renderer, not as raw JSON.
  expect(await personal().locator('.ac-adaptiveCard').count()).toBeGreaterThan(0);
});

test('as the Global Administrator, `enable` → click Enable → the card says pending', async () => {
  await as(USERS.globalAdmin);
  await say('personal', 'enable');
  const confirm = botCard(personal(), /Enable/).last();
  await confirm.getByRole('button', { name: 'Enable', exact: true }).click({ timeout: WAIT });
  await personal().locator('.msg[data-view="user"] .card').filter({ hasText: /pending/i }).first().waitFor({ timeout: WAIT });
  expect((await t.app.services.integration.get()).state).toBe('pending');
});

test('the SOC channel pane subscribes', async () => {
  await say('channel', 'subscribe low');
  await channel().locator('.msg[data-role="bot"]').filter({ hasText: /now receives hybrid alert cards/ }).first().waitFor({ timeout: WAIT });
});

test('replaying the scenario posts alert cards, announces the integration active, and a risky-user card', async () => {
  await page.getByRole('button', { name: 'Replay demo scenario' }).click();
  await page.locator('#log li', { hasText: /^.*7\/7 Cloud App Security/ }).waitFor({ timeout: WAIT });
  await botCard(channel(), /identity theft \(pass-the-hash\)/i).first().waitFor({ timeout: WAIT });
  await botCard(channel(), /Mass download by a single user/).first().waitFor({ timeout: WAIT });
  await botCard(channel(), 'Azure ATP integration active').first().waitFor({ timeout: WAIT });
  expect((await t.app.services.integration.get()).state).toBe('active');
  await botCard(channel(), /Risky user/).first().waitFor({ timeout: WAIT });
  await shot('dev-console-scenario.png');
});

test('Close on an alert card updates the card', async () => {
  // Operators get the interactive view through the card's automatic refresh (refresh.userIds).
  // The pass-the-hash alert's own card: it links to Azure ATP (cloud cards and the risky-user card only mention it).
  const pth = () =>
    channel()
      .locator('.msg[data-role="bot"]')
      .filter({ hasText: 'Suspected identity theft (pass-the-hash)' })
      .filter({ hasText: 'Open in Azure ATP' })
      .first();
  await pth().getByRole('button', { name: /^Close/ }).click({ timeout: WAIT });
  await pth().getByRole('button', { name: 'True positive', exact: true }).click({ timeout: WAIT });
  await pth().filter({ hasText: /Closed/ }).waitFor({ timeout: WAIT });
  await pth().scrollIntoViewIfNeeded();
  const file = await shot('dev-console.png');
  // The README's screenshot, from a good run: written when missing or with HW_UPDATE_SCREENSHOT=1, so CI
  // runs do not rewrite a tracked file (the run's own copy is test-artifacts/dev-console.png).
  const readme = path.join(__dirname, '../../docs/dev-console.png');
  if (!fs.existsSync(readme) || process.env.HW_UPDATE_SCREENSHOT === '1') {
    fs.mkdirSync(path.dirname(readme), { recursive: true });
    fs.copyFileSync(file, readme);
  }
});

test('as Megan Bowen (Security Administrator): confirm John Doe compromised and revoke his sessions from the risky-user card', async () => {
  await as(USERS.securityAdmin);
  const risky = () => channel().locator('.msg[data-role="bot"]').filter({ hasText: 'Risky user' }).first();
  // Her own view arrives through the card's automatic refresh: each response button opens its confirmation.
  await risky().getByRole('button', { name: /^Confirm compromised/ }).click({ timeout: WAIT });
  await risky().getByText(/Confirm John Doe \(jdoe@contoso\.com\) as compromised in Entra ID Protection/).waitFor({ timeout: WAIT });
  await risky().getByRole('button', { name: 'Confirm: confirm compromised' }).click({ timeout: WAIT });
  await risky().filter({ hasText: 'Confirmed compromised in Entra ID Protection by Megan Bowen' }).waitFor({ timeout: WAIT });
  await risky().getByRole('button', { name: /^Revoke sessions/ }).click({ timeout: WAIT });
  await risky().getByRole('button', { name: 'Confirm: revoke sessions' }).click({ timeout: WAIT });
  await risky().filter({ hasText: 'Sessions revoked by Megan Bowen' }).waitFor({ timeout: WAIT });
  await risky().scrollIntoViewIfNeeded();
  await shot('dev-console-response.png');
  // The channel copy (what everyone sees, updated in place) shows both: look as Lee Gu, who gets no interactive view.
  await as(USERS.securityReader);
  const copy = risky().filter({ hasText: 'Confirmed compromised in Entra ID Protection by Megan Bowen' }).filter({ hasText: 'Sessions revoked by Megan Bowen' });
  await copy.waitFor({ timeout: WAIT });
  expect(await copy.locator('.edited').count()).toBe(1);
  expect(await risky().getByRole('button', { name: /^Revoke sessions/ }).count()).toBe(0);
  const audit = await t.app.store.db.selectFrom('audit_log').select(['action', 'actor_name', 'outcome']).where('action', 'in', ['user.confirmCompromised', 'user.revokeSessions']).orderBy('at').execute();
  expect(audit).toEqual([
    { action: 'user.confirmCompromised', actor_name: 'Megan Bowen', outcome: 'ok' },
    { action: 'user.revokeSessions', actor_name: 'Megan Bowen', outcome: 'ok' },
  ]);
});

test('as Isaiah Langer (Security Operator): the same button is refused, naming the role', async () => {
  await as(USERS.securityOperator);
  const risky = () => channel().locator('.msg[data-role="bot"]').filter({ hasText: 'Risky user' }).first();
  await risky().getByRole('button', { name: /^Revoke sessions/ }).click({ timeout: WAIT });
  await risky().getByRole('button', { name: /^Confirm: revoke sessions/ }).click({ timeout: WAIT });
  await risky().locator('.note', { hasText: 'You have: Security Operator' }).waitFor({ timeout: WAIT });
  expect(await risky().locator('.note').innerText()).toMatch(/needs one of these roles: Global Administrator, Security Administrator/);
  const denied = await t.app.store.db.selectFrom('audit_log').select(['actor_name']).where('outcome', '=', 'denied').where('action', '=', "Revoking a user's sign-in sessions").execute();
  expect(denied).toEqual([{ actor_name: 'Isaiah Langer' }]);
});

test('`alerts` as a Security Operator: Open on a row shows that alert with the operate buttons', async () => {
  await as(USERS.securityOperator);
  await say('personal', 'alerts');
  const list = botCard(personal(), 'Open alerts').last();
  const row = list.locator('.ac-columnSet').filter({ hasText: 'Suspicious inbox forwarding' }).first();
  await row.getByRole('button', { name: 'Open' }).click({ timeout: WAIT });
  // The answer replaces the list for the clicker (Universal Actions), with Close / Assign / Mute.
  const opened = personal().locator('.msg[data-view="user"] .card').filter({ hasText: 'Suspicious inbox forwarding' }).last();
  await opened.getByRole('button', { name: /^Close/ }).waitFor({ timeout: WAIT });
  expect(await opened.getByRole('button', { name: 'Assign to me' }).count()).toBe(1);
  await opened.scrollIntoViewIfNeeded();
  await shot('dev-console-open-from-list.png');
});

test('the page raised no script errors', () => {
  expect(pageErrors).toEqual([]);
});
