/** Test 1: a request created in the form (each platform) is listed on All Requests. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PLATFORMS } from './harness/api.js';
import { openPage, withContext } from './harness/browser.js';
import { PLATFORM_LABELS } from './harness/pages.js';
import { e2eSuite } from './harness/suite.js';

const suite = e2eSuite();

const FORMS = {
  databricks: {
    fields: { 'Request number (optional)': 'DBX-E2E-1', 'Request type': 'Read', 'Requested by (name)': 'Ada Lovelace', 'Requester email': 'ada.lovelace@example.com' },
    label: 'DBX-E2E-1',
    email: 'ada.lovelace@example.com',
  },
  palantir: {
    fields: { 'Project ID': 'PRJ-E2E-1', 'Request type': 'Viewer', 'Requester email': 'grace.hopper@example.com', 'Justification (optional)': 'Quarterly review' },
    label: 'PRJ-E2E-1',
    email: 'grace.hopper@example.com',
  },
} as const;

describe('Create Request', () => {
  for (const platform of PLATFORMS) {
    it(`creates a ${PLATFORM_LABELS[platform]} request in the form and lists it on All Requests`, async (t) => {
      await withContext(suite.browser, t.name, async (context) => {
        const { page, errors } = await openPage(context, suite.url(`/${platform}/requests/new`));
        const form = FORMS[platform];
        for (const [label, value] of Object.entries(form.fields)) {
          // The type is a list of the server's types (once they have loaded).
          if (label === 'Request type') await page.getByRole('combobox', { name: label, exact: true }).selectOption(value);
          else await page.getByLabel(label, { exact: true }).fill(value);
        }
        await page.getByRole('radio', { name: '5 days', exact: true }).check();
        await page.getByRole('button', { name: 'Create request', exact: true }).click();

        await page.waitForURL(`**/${platform}/requests`);
        const table = page.getByRole('table', { name: `All ${PLATFORM_LABELS[platform]} requests`, exact: true });
        const row = table.getByRole('row').filter({ hasText: form.label });
        await row.waitFor({ state: 'visible' });
        assert.equal(await row.count(), 1);
        const text = await row.innerText();
        assert.match(text, new RegExp(form.email.replace(/\./g, '\\.')));
        assert.match(text, /Active/);

        // Still there after a reload, i.e. stored by the API, not only handed over by the form.
        await page.reload();
        await table.getByRole('row').filter({ hasText: form.label }).waitFor({ state: 'visible' });
        assert.deepEqual(errors, []);
      });
    });
  }
});
