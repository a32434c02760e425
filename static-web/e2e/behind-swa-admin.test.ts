/**
 * What the signed-in person may do, behind the Static Web Apps CLI emulator (harness/emulator.ts):
 * the reader sees the job buttons and the Create Request form disabled, with the reason, before any
 * click; the admin's run outlasts its request (JOB_SYNC_WAIT_SECONDS=0: the 202 flow, DESIGN §7 R2)
 * and stays reachable from Job History; All Requests searches and pages 1,200+ requests on the
 * server. One emulator for the whole file.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import type { Platform } from './harness/api.js';
import { seedDatabricksRequests } from './harness/backend.js';
import { escapeRegExp, eventually, openPage, runningBanner, triggerButton, waitForButton, withContext, type WatchedPage } from './harness/browser.js';
import { PEOPLE, signIn, type Person } from './harness/emulator.js';
import { confirmRun, PAGES, waitForPage, type PageSpec } from './harness/pages.js';
import { e2eSuite } from './harness/suite.js';

// The POST answers 202 at once; the revoke run itself takes REVOKE_DEMO_DELAY_SECONDS (3, BASE_ENV).
const suite = e2eSuite({ demoData: true, emulator: true, env: { JOB_SYNC_WAIT_SECONDS: '0' } });

/** What a reader is told beside every admin action (features/identity, useAdminRefusal). */
const REFUSAL = `This needs the ${PEOPLE.admin.role} role; you are signed in as a reader.`;

function spec(slug: string): PageSpec {
  const found = PAGES.find((p) => p.slug === slug);
  assert.ok(found, slug);
  return found;
}

/** A new page of `context`, signed in as `person`, showing /{platform}/{the page's path}, loaded. */
async function openSignedIn(context: BrowserContext, person: Person, platform: Platform, slug: string): Promise<WatchedPage> {
  await signIn(context, suite.baseURL, person);
  const pageSpec = spec(slug);
  const watched = await openPage(context, suite.url(`/${platform}/${pageSpec.path}`));
  await waitForPage(watched.page, platform, pageSpec);
  return watched;
}

/** The text of the element the button's aria-describedby names: the reason it gives, on screen. */
async function describedReason(page: Page, button: Locator): Promise<string> {
  const describedBy = await button.getAttribute('aria-describedby');
  assert.ok(describedBy, 'the button points at its reason');
  const reason = page.locator(`[id="${describedBy}"]`);
  assert.equal(await reason.isVisible(), true, 'the reason is on screen');
  return (await reason.innerText()).trim();
}

describe('Admin actions behind the Static Web Apps emulator', () => {
  describe('role-aware buttons', () => {
    for (const [slug, kind] of [['revoke', 'revoke'], ['notifications', 'notification']] as const) {
      it(`disables ${slug === 'revoke' ? 'Run Revoke Job' : 'Trigger Notification to All'} for the reader, saying the admin role is needed, before any click`, async (t) => {
        await withContext(suite.browser, t.name, async (context) => {
          const { page, errors } = await openSignedIn(context, 'reader', 'palantir', slug);
          // /api/me has answered once the refusal shows (the notifications page also says it beside the email preview).
          await page.getByText(REFUSAL, { exact: true }).first().waitFor({ state: 'visible' });

          const button = triggerButton(page, kind);
          const label = (await button.innerText()).trim();
          assert.ok(Number(/\((\d+)\)/.exec(label)?.[1]) > 0, `there is work to do, so only the role disables it (${label})`);
          assert.equal(await button.isDisabled(), true, `${label} is disabled for the reader`);
          assert.equal(await describedReason(page, button), REFUSAL);
          assert.equal(await page.getByRole('dialog').count(), 0, 'no click, no question');
          assert.deepEqual(errors, []);
        });
      });
    }

    it('disables the Create Request form for the reader, saying the admin role is needed', async (t) => {
      await withContext(suite.browser, t.name, async (context) => {
        const { page, errors } = await openSignedIn(context, 'reader', 'palantir', 'create-request');
        await page.getByText(REFUSAL, { exact: true }).waitFor({ state: 'visible' });
        await page.getByRole('button', { name: 'Create request', exact: true, disabled: true }).waitFor();
        const fields = page.locator('fieldset.form-body').locator('input, select, textarea');
        assert.ok((await fields.count()) > 0, 'the form has fields');
        for (const field of await fields.all()) assert.equal(await field.isDisabled(), true, 'every field is disabled');
        assert.deepEqual(errors, []);
      });
    });

    it('enables the job buttons and the Create Request form for the admin, without the refusal', async (t) => {
      await withContext(suite.browser, t.name, async (context) => {
        await signIn(context, suite.baseURL, 'admin');
        const { page, errors } = await openPage(context);
        for (const [slug, kind] of [['revoke', 'revoke'], ['notifications', 'notification']] as const) {
          await page.goto(suite.url(`/palantir/${slug}`));
          await waitForPage(page, 'palantir', spec(slug));
          const label = (await triggerButton(page, kind).innerText()).trim();
          await waitForButton(page, label, { disabled: false });
        }
        await page.goto(suite.url('/palantir/requests/new'));
        await waitForPage(page, 'palantir', spec('create-request'));
        await page.getByRole('button', { name: 'Create request', exact: true, disabled: false }).waitFor();
        assert.equal(await page.getByText(REFUSAL).count(), 0);
        assert.deepEqual(errors, []);
      });
    });
  });

  it('answers the admin\'s revoke run with 202: "started", the banner, the result from its run record, then its page from Job History', async (t) => {
    await withContext(suite.browser, t.name, async (context) => {
      const { page, errors } = await openSignedIn(context, 'admin', 'palantir', 'revoke');
      const label = (await triggerButton(page, 'revoke').innerText()).trim();
      assert.equal(label, 'Run Revoke Job (2)', 'the demo data has two expired Palantir requests');

      const accepted = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/api/palantir/access-requests/revoke-expired'));
      // Watched from before the click, so however soon the run ends its fetch is seen.
      const runRecordFetched = page.waitForResponse(
        (r) => r.request().method() === 'GET' && /^\/api\/palantir\/jobs\/[^/]+$/.test(new URL(r.url()).pathname) && r.status() === 200,
        { timeout: 30_000 },
      );
      await (await waitForButton(page, label, { disabled: false })).click();
      await confirmRun(page);
      const answer = await accepted;
      assert.equal(answer.status(), 202, 'the run goes on after its request');
      const { jobId } = (await answer.json()) as { jobId: string };
      assert.match(jobId, /^[0-9a-f-]{36}$/);

      await page.getByText('Job started.', { exact: true }).waitFor();
      await runningBanner(page).waitFor({ state: 'visible' });
      assert.equal(new URL((await runRecordFetched).url()).pathname, `/api/palantir/jobs/${jobId}`, 'the result comes from the run record');
      const result = page.getByRole('region', { name: 'Last run', exact: true });
      await result.waitFor({ state: 'visible', timeout: 30_000 });
      assert.match(await result.innerText(), /Revoked 2 expired requests\./);
      assert.equal(await runningBanner(page).count(), 0);
      assert.equal(await page.getByText('Job started.', { exact: true }).count(), 0);

      await page.goto(suite.url('/palantir/jobs'));
      await waitForPage(page, 'palantir', spec('jobs'));
      const row = page.getByRole('table', { name: 'Recent job runs' }).getByRole('row').filter({ has: page.getByRole('link', { name: `Run ${jobId}: Revoke expired`, exact: true }) });
      assert.match(await row.innerText(), escapeRegExp(PEOPLE.admin.email));
      await row.getByRole('link', { name: `Run ${jobId}: Revoke expired`, exact: true }).click();
      await page.waitForURL(`**/palantir/jobs/${jobId}`);
      const outcome = page.getByRole('region', { name: 'Outcome', exact: true });
      await outcome.waitFor();
      assert.match(await page.locator('.run-facts').innerText(), new RegExp(`Requested by\\s+${escapeRegExp(PEOPLE.admin.email).source}`, 'i'));
      assert.match(await outcome.innerText(), /Revoked 2 expired requests\./);
      const revoked = await outcome.getByRole('table', { name: 'Requests revoked' }).innerText();
      // The demo's two expired Palantir requests (shared/demo_data.py), named by their project IDs.
      for (const project of ['PRJ-200', 'PRJ-201']) assert.match(revoked, new RegExp(project));
      assert.deepEqual(errors, []);
    });
  });

  it('searches and pages 1,200 more Databricks requests on the server, with the pager at the top and the bottom', async (t) => {
    seedDatabricksRequests(suite.backend.db, 1_200);
    await withContext(suite.browser, t.name, async (context) => {
      const { page, errors } = await openSignedIn(context, 'reader', 'databricks', 'requests');
      const table = page.getByRole('table', { name: 'All Databricks requests', exact: true });
      const rows = table.locator('tbody tr');
      const top = page.getByRole('navigation', { name: 'Pages of requests, top', exact: true });
      const bottom = page.getByRole('navigation', { name: 'Pages of requests, bottom', exact: true });
      const summary = top.locator('.pager-summary');
      await top.waitFor();
      await bottom.waitFor();

      const firstPage = (await summary.innerText()).trim();
      const all = Number(/ of (\d+)$/.exec(firstPage)?.[1]);
      assert.ok(all >= 1_200, `every request is counted (${firstPage})`);
      assert.match(firstPage, /^Page 1 of \d+: 1–100 of \d+$/);
      assert.equal(await rows.count(), 100);
      const firstRow = await rows.first().innerText();

      await top.getByRole('button', { name: 'Next', exact: true }).click();
      await page.waitForURL(/[?&]cursor=/);
      await summary.filter({ hasText: /^Page 2 of \d+: 101–200 of \d+$/ }).waitFor();
      assert.notEqual(await rows.first().innerText(), firstRow, 'page 2 starts with other requests');

      await bottom.getByRole('button', { name: 'Previous', exact: true }).click();
      await summary.filter({ hasText: /^Page 1 of / }).waitFor();
      assert.equal(new URL(page.url()).searchParams.get('cursor'), null, 'back on the first page');
      assert.equal(await rows.first().innerText(), firstRow);

      const search = async (text: string): Promise<void> => {
        await page.getByRole('searchbox', { name: 'Search', exact: true }).fill(text);
        await page.getByRole('search').getByRole('button', { name: 'Search', exact: true }).click();
        await page.waitForURL((url) => url.searchParams.get('q') === text);
      };

      await search('SEED-10123');
      await eventually('one row, the request searched for', () => rows.allInnerTexts(), (texts) => texts.length === 1 && texts.every((text) => text.includes('SEED-10123')));
      assert.equal(await top.count(), 0, 'one page, no pager');

      // A quarter of the seeded requests (harness/backend.ts): the total shown is theirs, not all.
      await search('Seed Team East');
      await summary.filter({ hasText: /^Page 1 of 3: 1–100 of 300$/ }).waitFor();
      await bottom.waitFor();
      for (const text of await rows.allInnerTexts()) assert.match(text, /Seed Team East/);
      assert.deepEqual(errors, []);
    });
  });
});
