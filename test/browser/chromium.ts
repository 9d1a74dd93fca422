/**
 * Headless Chromium for browser tests: Debian's `chromium` driven by `playwright-core` (no
 * downloaded browser). A missing binary fails the test with the install command; it never
 * skips. Every request the page makes to anything but 127.0.0.1 is aborted and recorded, so a
 * test can fail on it (ADR 0037 covers Node processes only; Chromium is not one). Playwright
 * gives every launch a fresh temporary profile.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

/** Where Debian installs Chromium. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** How to install it (also what `.ci/install-chromium.sh` runs). */
export const CHROMIUM_INSTALL = 'apt-get update -qq && apt-get install -y -qq chromium';

/** A running headless Chromium with one loopback-only context. */
export type HeadlessChromium = {
  readonly browser: Browser;
  readonly context: BrowserContext;
  /** URLs the page tried to reach off loopback (each was aborted). */
  readonly refused: string[];
  close(): Promise<void>;
};

/** Launches Chromium headless, or throws naming the install command when it is missing. */
export async function launchChromium(): Promise<HeadlessChromium> {
  if (!existsSync(CHROMIUM_PATH))
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: install it with \`${CHROMIUM_INSTALL}\` (or run .ci/install-chromium.sh)`,
    );
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    timeout: 30_000,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  const refused: string[] = [];
  await context.route('**/*', async (route) => {
    const url = new URL(route.request().url());
    if ((url.protocol === 'http:' || url.protocol === 'ws:') && url.hostname === '127.0.0.1')
      await route.continue();
    else if (url.protocol === 'data:') await route.continue();
    else {
      refused.push(url.href);
      await route.abort();
    }
  });
  return {
    browser,
    context,
    refused,
    async close() {
      await context.close();
      await browser.close();
    },
  };
}
