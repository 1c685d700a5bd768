import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** Debian's chromium through playwright-core, headless, with a fresh throwaway profile. */
export async function launchChromium(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does this)`);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'hw-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    viewport: { width: 1500, height: 1000 },
  });
  return {
    context,
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

export const ARTIFACTS = path.join(__dirname, '../../test-artifacts');

/** A page on the dev console, live (SSE connected), collecting script errors; `shot` saves a screenshot to ARTIFACTS. */
export async function openConsole(context: BrowserContext, baseUrl: string, errors: string[], timeout = 30_000): Promise<{ page: Page; shot(name: string): Promise<string> }> {
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(`${baseUrl}/dev/`);
  await page.locator('#conn', { hasText: 'live' }).waitFor({ timeout });
  return {
    page,
    async shot(name) {
      fs.mkdirSync(ARTIFACTS, { recursive: true });
      const file = path.join(ARTIFACTS, name);
      await page.screenshot({ path: file });
      return file;
    },
  };
}
