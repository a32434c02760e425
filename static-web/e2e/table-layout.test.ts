/**
 * Tables at 1280 and 375 px, measured in the browser: no column is cut off without the table saying it
 * scrolls (its hint, over a focusable region), a long justification does not make its row tall, and on
 * a phone the key columns (request, status, expiry) are in view, the request column even when scrolled.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { createRequest, PLATFORMS, runJob } from './harness/api.js';
import { DESKTOP, openPage, PHONE, withContext } from './harness/browser.js';
import { PAGES, PLATFORM_LABELS, waitForPage } from './harness/pages.js';
import { e2eSuite } from './harness/suite.js';

const suite = e2eSuite({ demoData: true });
const LONG_JUSTIFICATION = `Access for the quarterly regulatory audit of the trading book. ${'Detail of the scope. '.repeat(45)}`;
/** Taller than two lines of text and a sub-line or two, far shorter than an unclamped justification. */
const MAX_ROW_HEIGHT = 140;

interface RegionLayout {
  label: string;
  scrollWidth: number;
  clientWidth: number;
  hint: boolean;
  focusable: boolean;
  tallestRow: number;
}

function tableLayouts(page: Page): Promise<RegionLayout[]> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll('[role="region"]'), (node) => node as HTMLElement)
      .filter((region) => region.querySelector('table') !== null)
      .map((region) => {
        const hint = region.parentElement?.querySelector<HTMLElement>('.scroll-hint');
        const rows = Array.from(region.querySelectorAll('tbody tr'), (row) => row.getBoundingClientRect().height);
        return {
          label: region.getAttribute('aria-label') ?? '',
          scrollWidth: region.scrollWidth,
          clientWidth: region.clientWidth,
          hint: !!hint && hint.offsetHeight > 0 && /scroll/i.test(hint.textContent),
          focusable: region.tabIndex === 0,
          tallestRow: Math.max(0, ...rows),
        };
      }),
  );
}

describe('Table layout', () => {
  before(async () => {
    // A justification of 1,000 characters and a long email, and revoked requests on both platforms.
    const response = await fetch(suite.url('/api/palantir/access-requests'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        projectId: 'PRJ-LONG-JUSTIFICATION',
        projectRid: 'ri.compass.main.folder.0f2b7c55-6d2a-4c47-9a51-3f0b0d6f9e21',
        requestType: 'Viewer',
        justification: LONG_JUSTIFICATION.slice(0, 1000),
        requestedByEmail: 'maximilian.alexander.longname-example@subsidiary.example.com',
        expiresInDays: 20,
      }),
    });
    assert.equal(response.status, 201, await response.text());
    for (const platform of PLATFORMS) {
      await createRequest(suite.backend.baseURL, platform, `layout-revoked-${platform}`, { expiresInDays: -1 });
      const revoke = await runJob(suite.backend.baseURL, platform, 'revoke');
      assert.ok(revoke.status === 200 || revoke.status === 202, JSON.stringify(revoke.data));
    }
  });

  for (const platform of PLATFORMS) {
    it(`at 1280 px every ${PLATFORM_LABELS[platform]} table fits or says it scrolls, with short rows`, async (t) => {
      await withContext(suite.browser, t.name, async (context) => {
        for (const spec of PAGES.filter((p) => p.path !== 'requests/new')) {
          const { page, errors } = await openPage(context, suite.url(`/${platform}/${spec.path}`));
          await waitForPage(page, platform, spec);
          const layouts = await tableLayouts(page);
          if (spec.path === 'requests') assert.ok(layouts.length > 0, 'All Requests shows its table');
          for (const layout of layouts) {
            const where = `${spec.path}: ${layout.label} (${String(layout.scrollWidth)} px in ${String(layout.clientWidth)} px)`;
            assert.ok(layout.focusable, `${where} is a focusable region`);
            assert.ok(layout.scrollWidth <= layout.clientWidth + 1 || layout.hint, `${where} is cut off without a scroll hint`);
            assert.ok(layout.tallestRow <= MAX_ROW_HEIGHT, `${where} has a row ${String(layout.tallestRow)} px tall`);
          }
          assert.deepEqual(errors, []);
          await page.close();
        }
      }, DESKTOP);
    });

    it(`at 375 px ${PLATFORM_LABELS[platform]} All Requests shows request, status and expiry, and keeps the request in view`, async (t) => {
      await withContext(suite.browser, t.name, async (context) => {
        const { page, errors } = await openPage(context, suite.url(`/${platform}/requests`));
        await waitForPage(page, platform, PAGES[0] ?? { path: 'requests', slug: 'requests', title: 'All Requests' });
        const table = page.getByRole('table', { name: `All ${PLATFORM_LABELS[platform]} requests`, exact: true });
        const keyHeaders = [platform === 'databricks' ? 'Request' : 'Project', 'Status', 'Expires'];
        const inView = async (name: string) => {
          const box = await table.getByRole('columnheader', { name, exact: true }).boundingBox();
          return box !== null && box.x >= 0 && box.x + box.width <= PHONE.width;
        };
        for (const name of keyHeaders) assert.ok(await inView(name), `${name} is in view at 375 px`);

        // The table scrolls sideways (its hint says so), and the request column stays put.
        const layout = (await tableLayouts(page)).find((l) => l.label.startsWith('All '));
        assert.ok(layout && layout.scrollWidth > layout.clientWidth && layout.hint, 'the table scrolls and says so');
        await page.getByRole('region', { name: `All ${PLATFORM_LABELS[platform]} requests` }).evaluate((region) => {
          region.scrollLeft = region.scrollWidth;
        });
        assert.ok(await inView(keyHeaders[0] ?? ''), 'the request column stays in view when scrolled');
        assert.equal(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth), 0);
        assert.deepEqual(errors, []);
      }, PHONE);
    });
  }
});

