/**
 * playwright-core driving Debian's Chromium (Playwright's own browser download cannot work here), and
 * the locator waits the tests use instead of sleeps.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { STATIC_WEB } from './backend.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-quic',
  '--no-first-run',
  '--disable-sync',
  // Every page of a context stays "foreground": a second tab's 3-second polling is not throttled.
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];

/** Default bound of every wait that has no reason for another one. */
export const WAIT_MS = 10_000;

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000 });
}

export interface Viewport {
  width: number;
  height: number;
}

export const DESKTOP: Viewport = { width: 1280, height: 800 };
export const PHONE: Viewport = { width: 375, height: 740 };

export async function newContext(browser: Browser, viewport: Viewport = DESKTOP): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport, locale: 'en-GB', timezoneId: 'Europe/London' });
  context.setDefaultTimeout(WAIT_MS);
  context.setDefaultNavigationTimeout(WAIT_MS * 2);
  return context;
}

/** Where a failing test leaves a screenshot and the HTML of each of its pages. */
export const FAILURES_DIR = path.join(STATIC_WEB, 'test-results', 'e2e-failures');

/**
 * Runs `body` with a fresh context and always closes it; when `body` throws, first saves every open
 * page (screenshot and HTML) under test-results/e2e-failures/<name>-<n>.*, then rethrows.
 */
export async function withContext(
  browser: Browser,
  name: string,
  body: (context: BrowserContext) => Promise<void>,
  viewport: Viewport = DESKTOP,
): Promise<void> {
  const context = await newContext(browser, viewport);
  try {
    await body(context);
  } catch (error) {
    const slug = name.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').slice(0, 80);
    mkdirSync(FAILURES_DIR, { recursive: true });
    for (const [index, page] of context.pages().entries()) {
      const file = path.join(FAILURES_DIR, `${slug}-${String(index + 1)}`);
      try {
        await page.screenshot({ path: `${file}.png`, fullPage: true, timeout: 5_000 });
        writeFileSync(`${file}.html`, `<!-- ${page.url()} -->\n${await page.content()}`);
      } catch {
        // The page may be gone; the test's own error is what matters.
      }
    }
    throw error;
  } finally {
    await context.close();
  }
}

/** A page that remembers every console error and uncaught exception it sees. */
export interface WatchedPage {
  page: Page;
  errors: string[];
}

export async function openPage(context: BrowserContext, url?: string): Promise<WatchedPage> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') {
      const where = message.location();
      errors.push(`console.error: ${message.text()}${where.url ? ` (${where.url}:${String(where.lineNumber)})` : ''}`);
    }
  });
  page.on('pageerror', (error) => {
    errors.push(`uncaught: ${error.stack ?? error.message}`);
  });
  page.on('requestfailed', (request) => {
    const reason = request.failure()?.errorText ?? '';
    // Aborted on purpose: a navigation or reload cancels what the page was loading (the favicon), and
    // the app aborts its own fetches when a page unmounts. Anything else (refused, reset) counts.
    if (reason === 'net::ERR_ABORTED') return;
    errors.push(`request failed: ${request.method()} ${request.url()} ${reason}`);
  });
  if (url) await page.goto(url);
  return { page, errors };
}

/** Escapes a string for use inside a RegExp. */
export function escapeRegExp(text: string): RegExp {
  return new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
}

/** The trigger button of a job page, whatever its count: `Run Revoke Job (N)`. */
export function triggerButton(page: Page, kind: 'revoke' | 'notification'): Locator {
  const name = kind === 'revoke' ? /^Run Revoke Job \(\d+\)$/ : /^Trigger Notification to All \(\d+\)$/;
  return page.getByRole('button', { name });
}

/** Resolves when the trigger button is named exactly `label` and is enabled (or disabled). */
export async function waitForButton(
  page: Page,
  label: string,
  { disabled, timeout = WAIT_MS }: { disabled: boolean; timeout?: number },
): Promise<Locator> {
  const button = page.getByRole('button', { name: label, exact: true, disabled });
  await button.waitFor({ state: 'visible', timeout });
  return button;
}

/** The running-job banner (DESIGN §7: role="status", "Job is currently running"). */
export function runningBanner(page: Page): Locator {
  return page.getByRole('status').filter({ hasText: 'Job is currently running' });
}

/**
 * Waits, bounded, for a condition that no single locator expresses (e.g. a value read from the API).
 * Checks every 100 ms; fails with `what` and the last value seen.
 */
export async function eventually<T>(what: string, read: () => Promise<T>, accept: (value: T) => boolean, timeout = WAIT_MS): Promise<T> {
  const deadline = Date.now() + timeout;
  let last: T | undefined;
  for (;;) {
    last = await read();
    if (accept(last)) return last;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeout} ms waiting for ${what}; last value: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
