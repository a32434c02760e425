/**
 * DESIGN §7 (R2): a run that outlives the HTTP request. With JOB_SYNC_WAIT_SECONDS=0 the POST answers
 * 202 at once: the page says the job started, shows the running-job banner, and when the run ends its
 * result, fetched from /api/{p}/jobs/{jobId}; Job History shows who asked and links to that result.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRequest } from './harness/api.js';
import { openPage, runningBanner, waitForButton, withContext } from './harness/browser.js';
import { confirmRun } from './harness/pages.js';
import { e2eSuite } from './harness/suite.js';

const suite = e2eSuite({ env: { JOB_SYNC_WAIT_SECONDS: '0', EMAIL_SIMULATED_DELAY_SECONDS: '3' } });

describe('A job run that goes on after its request', () => {
  it('shows "started", the banner, then the result from the run record; Job History links to it', async (t) => {
    const base = suite.backend.baseURL;
    await createRequest(base, 'palantir', 'soon-one', { expiresInDays: 5 });
    await createRequest(base, 'palantir', 'soon-two', { expiresInDays: 20 });

    await withContext(suite.browser, t.name, async (context) => {
      const { page } = await openPage(context, suite.url('/palantir/notifications'));
      const button = await waitForButton(page, 'Trigger Notification to All (2)', { disabled: false });
      await button.click();
      await confirmRun(page);

      await page.getByText('Job started.', { exact: true }).waitFor({ timeout: 10_000 });
      await runningBanner(page).waitFor({ state: 'visible', timeout: 10_000 });
      const result = page.getByRole('region', { name: 'Last run', exact: true });
      await result.waitFor({ state: 'visible', timeout: 30_000 });
      assert.match(await result.innerText(), /Sent 2 of 2 expiry reminders\./);
      assert.equal(await runningBanner(page).count(), 0);
      assert.equal(await page.getByText('Job started.', { exact: true }).count(), 0);

      await page.goto(suite.url('/palantir/jobs'));
      const table = page.getByRole('table', { name: 'Recent job runs' });
      await table.waitFor();
      const row = table.getByRole('row').nth(1);
      assert.match(await row.innerText(), /local developer/);
      await row.getByRole('link', { name: /^Run .+: Expiry notifications$/ }).click();
      await page.waitForURL(/\/palantir\/jobs\/[0-9a-f-]{36}$/);
      const outcome = page.getByRole('region', { name: 'Outcome', exact: true });
      await outcome.waitFor();
      assert.match(await page.locator('.run-facts').innerText(), /Requested by\s+local developer/i);
      assert.match(await outcome.innerText(), /Sent 2 of 2 expiry reminders\./);
    });
  });
});
