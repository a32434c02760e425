/**
 * Test 2 (SPEC-4 Flow 3): two tabs on one platform's Revoke page. The job started in tab A shows up in
 * tab B (banner, disabled button) within 4 s, and both tabs recover when it finishes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRequest, jobStatus } from './harness/api.js';
import { openPage, runningBanner, waitForButton, withContext } from './harness/browser.js';
import { confirmRun } from './harness/pages.js';
import { e2eSuite } from './harness/suite.js';

/**
 * Tab B learns about a job from its 3-second status check. With a 3-second job a check could fall just
 * after the job ended; 6 s leaves room for one check (+ 1 s of slack) whatever the phase.
 */
const JOB_SECONDS = 6;
const suite = e2eSuite({ env: { REVOKE_DEMO_DELAY_SECONDS: String(JOB_SECONDS) } });

describe('Revoke Expired in two tabs', () => {
  it('tab B shows the running job (banner, disabled button) within 4 s of tab A starting it, and both recover when it ends', async (t) => {
    const base = suite.backend.baseURL;
    await createRequest(base, 'databricks', 'expired-one', { expiresInDays: -1 });
    await createRequest(base, 'databricks', 'expired-two', { expiresInDays: -1 });
    await createRequest(base, 'databricks', 'still-valid', { expiresInDays: 5 });

    await withContext(suite.browser, t.name, async (context) => {
      const a = await openPage(context, suite.url('/databricks/revoke'));
      const b = await openPage(context, suite.url('/databricks/revoke'));
      const buttonA = await waitForButton(a.page, 'Run Revoke Job (2)', { disabled: false });
      await waitForButton(b.page, 'Run Revoke Job (2)', { disabled: false });
      assert.equal(await runningBanner(b.page).count(), 0, 'no banner before the job starts');

      await a.page.bringToFront();
      await buttonA.click();
      await confirmRun(a.page);
      const clickedAt = Date.now();

      // Tab B: the banner and the disabled button, both within 4 s of the click.
      await b.page.bringToFront();
      const banner = runningBanner(b.page);
      await banner.waitFor({ state: 'visible', timeout: 4_000 });
      await waitForButton(b.page, 'Run Revoke Job (2)', { disabled: true, timeout: Math.max(1, 4_000 - (Date.now() - clickedAt)) });
      const seenAfter = Date.now() - clickedAt;
      assert.ok(seenAfter <= 4_000, `tab B showed the lock after ${seenAfter} ms`);
      assert.match(await banner.innerText(), /Job is currently running — Started by .+ at .+/);
      assert.match(await banner.innerText(), /The button is disabled\. This page will auto-refresh when the job completes\./);
      // The lock really is held (this is not tab B guessing).
      assert.equal((await jobStatus(base, 'databricks', 'revoke')).isLocked, true);

      // Tab A: its own run is in progress, its button disabled meanwhile.
      await waitForButton(a.page, 'Run Revoke Job (2)', { disabled: true, timeout: 1_000 });

      // The job ends: tab A shows the result, tab B drops the banner and refreshes its list.
      const recoverMs = (JOB_SECONDS + 3 + 5) * 1_000; // the job, one 3-second poll, slack
      const result = a.page.getByRole('region', { name: 'Last run', exact: true });
      await result.waitFor({ state: 'visible', timeout: recoverMs });
      assert.match(await result.innerText(), /Revoked 2 expired requests\./);
      await waitForButton(a.page, 'Run Revoke Job (0)', { disabled: true });

      await banner.waitFor({ state: 'detached', timeout: recoverMs });
      await waitForButton(b.page, 'Run Revoke Job (0)', { disabled: true });
      await b.page.getByText('No expired requests are waiting to be revoked.', { exact: true }).waitFor();
      assert.equal(await runningBanner(a.page).count(), 0);

      assert.deepEqual(a.errors, []);
      assert.deepEqual(b.errors, []);
    });
  });
});
