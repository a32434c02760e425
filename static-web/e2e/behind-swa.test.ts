/**
 * The app behind the Azure Static Web Apps CLI emulator (a real client of staticwebapp.config.json:
 * routes and roles, the 401 → sign-in redirect, the client principal), with devhost in AUTH_MODE=swa:
 * signed out, as a reader and as an admin (signed in by cookie, harness/emulator.ts), a session that
 * ends while the app is open, and axe-core on every page. One emulator for the whole file.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { PLATFORMS } from './harness/api.js';
import { axeViolations } from './harness/axe.js';
import { openPage, runningBanner, triggerButton, waitForButton, withContext } from './harness/browser.js';
import { emulatorFetch, endSession, signIn, type Person } from './harness/emulator.js';
import { confirmRun, PAGES, waitForPage, type PageSpec } from './harness/pages.js';
import { e2eSuite } from './harness/suite.js';

const suite = e2eSuite({ demoData: true, emulator: true });

/** What the app shows when an API call is answered with the redirect to sign-in (DESIGN §7, R2). */
const SESSION_ENDED = 'Your session has ended — sign in again';

function signInURL(location: string | null): URL {
  assert.ok(location, 'a Location header');
  const url = new URL(location, suite.baseURL);
  assert.equal(url.pathname, '/.auth/login/aad', `redirected to Entra sign-in, not ${location}`);
  return url;
}

function spec(slug: string): PageSpec {
  const found = PAGES.find((p) => p.slug === slug);
  assert.ok(found, slug);
  return found;
}

async function assertAccessible(page: Page, what: string): Promise<void> {
  const violations = await axeViolations(page);
  assert.deepEqual(violations, [], `axe-core violations on ${what}`);
}

describe('Behind the Static Web Apps emulator', () => {
  describe('signed out', () => {
    it('sends the app and the API to Entra sign-in, coming back to where it was asked', async () => {
      for (const urlPath of ['/', '/databricks/requests', '/api/databricks/access-requests']) {
        const response = await emulatorFetch(suite.baseURL, urlPath);
        assert.equal(response.status, 302, `${urlPath} answers ${response.status}`);
        const signIn = signInURL(response.headers.get('location'));
        assert.equal(signIn.searchParams.get('post_login_redirect_uri'), urlPath);
      }
    });

    it('still answers the anonymous health check and refuses the other sign-in providers', async () => {
      const health = await emulatorFetch(suite.baseURL, '/api/health');
      assert.equal(health.status, 200);
      assert.equal(((await health.json()) as { status: string }).status, 'ok');
      assert.equal((await emulatorFetch(suite.baseURL, '/.auth/login/github')).status, 404);
    });

    it('never shows the app in the browser', async (t) => {
      await withContext(suite.browser, t.name, async (context) => {
        const { page } = await openPage(context);
        await page.goto(suite.url('/databricks/requests'));
        assert.equal(new URL(page.url()).pathname, '/.auth/login/aad');
        assert.equal(await page.getByRole('heading', { level: 1 }).count(), 0, 'no page of the app');
      });
    });
  });

  for (const person of ['reader', 'admin'] as const satisfies readonly Person[]) {
    it(`shows every page to the ${person} with data and 0 axe-core violations`, async (t) => {
      await withContext(suite.browser, t.name, async (context) => {
        await signIn(context, suite.baseURL, person);
        const { page, errors } = await openPage(context);
        for (const platform of PLATFORMS) {
          for (const pageSpec of PAGES) {
            await page.goto(suite.url(`/${platform}/${pageSpec.path}`));
            await waitForPage(page, platform, pageSpec);
            await assertAccessible(page, `/${platform}/${pageSpec.path} as the ${person}`);
          }
          // The demo requests came through the emulator's proxy with the principal's roles.
          await page.goto(suite.url(`/${platform}/requests`));
          await waitForPage(page, platform, spec('requests'));
          assert.ok((await page.locator('table tbody tr').count()) > 0, `${platform}: the requests are listed`);
          assert.equal(await page.getByText('No requests yet.').count(), 0);
        }
        assert.deepEqual(errors, []);
      });
    });
  }

  it('refuses a job to the reader at the API (403), whatever the page offers', async () => {
    const response = await emulatorFetch(suite.baseURL, '/api/databricks/access-requests/revoke-expired', 'reader', { method: 'POST' });
    assert.equal(response.status, 403);
    assert.equal(response.headers.get('content-type'), 'application/problem+json');
  });

  it('lets the admin run the revoke job from the page and see its result', async (t) => {
    await withContext(suite.browser, t.name, async (context) => {
      await signIn(context, suite.baseURL, 'admin');
      const { page, errors } = await openPage(context, suite.url('/palantir/revoke'));
      await waitForPage(page, 'palantir', spec('revoke'));
      const button = triggerButton(page, 'revoke');
      const label = (await button.innerText()).trim();
      const due = Number(/\((\d+)\)/.exec(label)?.[1]);
      assert.ok(due > 0, `the demo data has expired Palantir requests (${label})`);

      await button.click();
      await confirmRun(page);
      // Its own run: the button waits, disabled, for the answer (the banner is for runs started elsewhere).
      await waitForButton(page, label, { disabled: true });
      const result = page.getByRole('region', { name: 'Last run', exact: true });
      await result.waitFor({ state: 'visible', timeout: 30_000 });
      assert.match(await result.innerText(), new RegExp(`Revoked ${String(due)} expired requests?\\.`));
      await waitForButton(page, 'Run Revoke Job (0)', { disabled: true });
      assert.deepEqual(errors, []);
    });
  });

  describe('a session that ends while the app is open', () => {
    async function sessionEndedNotice(page: Page): Promise<void> {
      const notice = page.getByText(SESSION_ENDED);
      await notice.waitFor({ state: 'visible' });
      const link = page.getByRole('link', { name: /sign in/i }).first();
      const back = new URL(page.url());
      // The link signs in again and comes back to this page.
      const href = signInURL(await link.getAttribute('href'));
      assert.equal(href.searchParams.get('post_login_redirect_uri'), `${back.pathname}${back.search}`);
    }

    it('says so on the next page instead of showing an empty list', async (t) => {
      await withContext(suite.browser, t.name, async (context) => {
        await signIn(context, suite.baseURL, 'reader');
        const { page } = await openPage(context, suite.url('/databricks/revoke'));
        await waitForPage(page, 'databricks', spec('revoke'));

        await endSession(context);
        // A client-side navigation: All Requests fetches its list and gets the redirect to sign-in.
        await page.getByRole('navigation', { name: 'Databricks pages' }).getByRole('link', { name: 'All Requests', exact: true }).click();
        await page.waitForURL('**/databricks/requests');
        await sessionEndedNotice(page);
        assert.equal(await page.getByText('No requests yet.').count(), 0, 'no made-up empty list');
        assert.equal(await page.locator('table tbody tr').count(), 0, 'no rows from anywhere');
      });
    });

    it('says so when the job page\'s status poll is redirected', async (t) => {
      await withContext(suite.browser, t.name, async (context) => {
        await signIn(context, suite.baseURL, 'admin');
        const { page } = await openPage(context, suite.url('/databricks/notifications'));
        await waitForPage(page, 'databricks', spec('notifications'));

        await endSession(context);
        // The 3-second status check is the next API call; no click needed.
        await sessionEndedNotice(page);
        assert.equal(await runningBanner(page).count(), 0);
      });
    });
  });
});
