/**
 * Test 3 (SPEC-4 Flow 1, Test Mode): a notification run with one email picked to fail reports that
 * email as failed and the others as sent; the failed request still needs its reminder afterwards.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRequest, pendingNotifications } from './harness/api.js';
import { openPage, waitForButton, withContext } from './harness/browser.js';
import { confirmRun } from './harness/pages.js';
import { e2eSuite } from './harness/suite.js';

const suite = e2eSuite();

describe('Expiry Notifications with Pick emails to fail', () => {
  it('reports the picked email as failed and the others as sent, and keeps only the failed request pending', async (t) => {
    const base = suite.backend.baseURL;
    // 20 days left, no reminder yet: each is due its 30-Day Reminder, and once it has it, nothing more
    // until 7 days are left. (With 5 days left a sent 30-Day Reminder makes the 7-Day one due at once:
    // SPEC-4 Flow 1 step 3, "NotificationCount = 1 AND DaysLeft <= 7".)
    const [alpha, bravo, charlie] = await Promise.all(
      ['prj-alpha', 'prj-bravo', 'prj-charlie'].map((name) => createRequest(base, 'palantir', name, { expiresInDays: 20 })),
    );
    assert.ok(alpha && bravo && charlie);
    // Not a candidate: never expires.
    await createRequest(base, 'palantir', 'prj-forever', { neverExpires: true });

    await withContext(suite.browser, t.name, async (context) => {
      const { page, errors } = await openPage(context, suite.url('/palantir/notifications'));
      const button = await waitForButton(page, 'Trigger Notification to All (3)', { disabled: false });
      const candidates = page.getByRole('table', { name: 'Requests due an expiry reminder', exact: true });
      for (const request of [alpha, bravo, charlie]) {
        await candidates.getByRole('row').filter({ hasText: request.requestedByEmail }).waitFor();
      }

      await page.getByRole('radio', { name: 'Pick emails to fail', exact: true }).check();
      const pick = page.getByRole('group', { name: 'Emails to fail', exact: true });
      assert.equal(await pick.getByRole('checkbox').count(), 3, 'one checkbox per candidate email');
      await pick.getByRole('checkbox', { name: bravo.requestedByEmail, exact: true }).check();
      await button.click();
      await confirmRun(page);

      const result = page.getByRole('region', { name: 'Last run', exact: true });
      await result.waitFor({ state: 'visible', timeout: 15_000 });
      const failed = result.getByRole('table', { name: 'Notifications that failed', exact: true });
      const sent = result.getByRole('table', { name: 'Notifications sent', exact: true });
      await failed.waitFor();
      assert.equal(await failed.getByRole('row').filter({ hasText: bravo.requestedByEmail }).count(), 1);
      assert.equal(await failed.locator('tbody tr').count(), 1);
      assert.equal(await sent.locator('tbody tr').count(), 2);
      for (const request of [alpha, charlie]) {
        assert.equal(await sent.getByRole('row').filter({ hasText: request.requestedByEmail }).count(), 1);
      }
      assert.equal(await sent.getByRole('row').filter({ hasText: bravo.requestedByEmail }).count(), 0);

      // The list refreshes: only the failed one still needs its reminder.
      await waitForButton(page, 'Trigger Notification to All (1)', { disabled: false });
      await candidates.getByRole('row').filter({ hasText: bravo.requestedByEmail }).waitFor();
      assert.equal(await candidates.locator('tbody tr').count(), 1);
      const pending = await pendingNotifications(base, 'palantir');
      assert.deepEqual(
        pending.map((item) => [item.requestedByEmail, item.reminderType]),
        [[bravo.requestedByEmail, '30-Day Reminder']],
      );

      // The same after a reload (the server's list, not the page's memory).
      await page.reload();
      await waitForButton(page, 'Trigger Notification to All (1)', { disabled: false });
      await candidates.getByRole('row').filter({ hasText: bravo.requestedByEmail }).waitFor();
      assert.deepEqual(errors, []);
    });
  });
});
