/** The route contract (DESIGN §7) as the tests and the screenshot script walk it. */
import type { Page } from 'playwright-core';
import type { Platform } from './api.js';
import { WAIT_MS } from './browser.js';

export interface PageSpec {
  /** Path under /{platform}/. */
  path: string;
  /** File-name part: `<platform>-<slug>-desktop.png`. */
  slug: string;
  /** The page's h1 (followed by the platform's name). */
  title: string;
}

export const PAGES: readonly PageSpec[] = [
  { path: 'requests', slug: 'requests', title: 'All Requests' },
  { path: 'requests/new', slug: 'create-request', title: 'Create Request' },
  { path: 'pending-expiry', slug: 'pending-expiry', title: 'Pending Expiry' },
  { path: 'notifications', slug: 'notifications', title: 'Expiry Notifications' },
  { path: 'revoke', slug: 'revoke', title: 'Revoke Expired' },
  { path: 'jobs', slug: 'jobs', title: 'Job History' },
];

export const PLATFORM_LABELS: Record<Platform, string> = { databricks: 'Databricks', palantir: 'Palantir' };

/**
 * Resolves once the page shows its own h1 and has finished loading: no "Loading…" line left and,
 * on a job page, the trigger button no longer waiting for the first status answer ("Checking…").
 */
export async function waitForPage(page: Page, platform: Platform, spec: PageSpec, timeout = WAIT_MS): Promise<void> {
  const heading = page.getByRole('heading', { level: 1, name: `${spec.title} ${PLATFORM_LABELS[platform]}`, exact: true });
  await heading.waitFor({ state: 'visible', timeout });
  await page.locator('.loading').first().waitFor({ state: 'detached', timeout });
  await page.getByText('Checking…', { exact: true }).first().waitFor({ state: 'detached', timeout });
}

/** Says yes to the question a job page asks before its mass action ("Revoke 2 expired requests?"). */
export async function confirmRun(page: Page): Promise<void> {
  await page.getByRole('dialog').getByRole('button', { name: /^(Revoke|Send)$/ }).click();
}
