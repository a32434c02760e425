/**
 * Test 4 (SPEC-4: one lock per job type): a Palantir revoke job is not blocked by a running Databricks
 * revoke job. Two hosts share the database, as scaled-out Function instances share Azure SQL: the
 * Databricks job runs on a host with a long demo delay, so the Palantir job, on a host with the usual
 * 3-second delay, starts *and finishes* while the Databricks one still holds its lock.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRequest, jobRuns, jobStatus } from './harness/api.js';
import { eventually, openPage, runningBanner, waitForButton, withContext } from './harness/browser.js';
import { confirmRun } from './harness/pages.js';
import { e2eSuite } from './harness/suite.js';

const SLOW_JOB_SECONDS = 10;
const suite = e2eSuite();

describe('Jobs of the two platforms', () => {
  it('runs the Palantir revoke job to completion while the Databricks revoke job is still running', async (t) => {
    const fast = suite.backend.baseURL;
    // A run executes on whichever host takes its queue message, with that host's settings: the slow
    // host has a run queue of its own, so the runs it starts are the ones it executes.
    const slowQueue = `e2e-slow-${String(process.pid)}-${String(Date.now())}`;
    const slow = (await suite.anotherHost({ REVOKE_DEMO_DELAY_SECONDS: String(SLOW_JOB_SECONDS), JOB_QUEUE_NAME: slowQueue }))
      .baseURL;
    await createRequest(fast, 'databricks', 'dbx-expired', { expiresInDays: -1 });
    await createRequest(fast, 'palantir', 'prj-expired', { expiresInDays: -1 });

    await withContext(suite.browser, t.name, async (context) => {
      // Start the Databricks job (on the slow host).
      const databricks = await openPage(context, `${slow}/databricks/revoke`);
      await (await waitForButton(databricks.page, 'Run Revoke Job (1)', { disabled: false })).click();
      await confirmRun(databricks.page);
      await eventually('the Databricks revoke lock', () => jobStatus(fast, 'databricks', 'revoke'), (s) => s.isLocked, 5_000);

      // The lock is shared: a Databricks Revoke page on the other host shows the banner...
      const watcher = await openPage(context, `${fast}/databricks/revoke`);
      await runningBanner(watcher.page).waitFor({ timeout: 4_000 });
      await waitForButton(watcher.page, 'Run Revoke Job (1)', { disabled: true });

      // ...but the Palantir Revoke page on that host has no banner and an enabled button.
      const palantir = await openPage(context, `${fast}/palantir/revoke`);
      const button = await waitForButton(palantir.page, 'Run Revoke Job (1)', { disabled: false });
      assert.equal(await runningBanner(palantir.page).count(), 0);
      await button.click();
      await confirmRun(palantir.page);

      const result = palantir.page.getByRole('region', { name: 'Last run', exact: true });
      await result.waitFor({ timeout: 10_000 });
      assert.match(await result.innerText(), /Revoked 1 expired request\./);
      assert.equal(await palantir.page.getByRole('alert').count(), 0, 'no 409 or other error on the Palantir page');
      await waitForButton(palantir.page, 'Run Revoke Job (0)', { disabled: true });

      // The Databricks job is still running.
      assert.equal((await jobStatus(fast, 'databricks', 'revoke')).isLocked, true, 'Databricks job still holds its lock');
      assert.equal(await databricks.page.getByRole('region', { name: 'Last run', exact: true }).count(), 0);
      assert.equal(await runningBanner(watcher.page).count(), 1);

      // Then it finishes too, and the watching page recovers.
      const databricksResult = databricks.page.getByRole('region', { name: 'Last run', exact: true });
      await databricksResult.waitFor({ timeout: (SLOW_JOB_SECONDS + 5) * 1_000 });
      assert.match(await databricksResult.innerText(), /Revoked 1 expired request\./);
      await runningBanner(watcher.page).waitFor({ state: 'detached', timeout: 8_000 });
      await waitForButton(watcher.page, 'Run Revoke Job (0)', { disabled: true });

      // History agrees: the Palantir run started and completed inside the Databricks run.
      const [dbxRun] = (await jobRuns(fast, 'databricks')).filter((run) => run.jobType === 'RevokeExpiredDatabricks');
      const [prjRun] = (await jobRuns(fast, 'palantir')).filter((run) => run.jobType === 'RevokeExpiredPalantir');
      assert.ok(dbxRun?.completedAt && prjRun?.completedAt, 'both runs completed');
      assert.equal(dbxRun.status, 'Completed');
      assert.equal(prjRun.status, 'Completed');
      assert.ok(Date.parse(prjRun.startedAt) > Date.parse(dbxRun.startedAt));
      assert.ok(Date.parse(prjRun.completedAt) < Date.parse(dbxRun.completedAt));

      for (const page of [databricks, watcher, palantir]) assert.deepEqual(page.errors, []);
    });
  });
});
