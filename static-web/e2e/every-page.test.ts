/**
 * Test 5: every route of the contract (DESIGN §7) loads straight from its URL (SPA fallback), shows its
 * own page without console errors, does not scroll sideways at 375 px, and is saved as a screenshot
 * under test-results/e2e/ (git-ignored) at both widths.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { PLATFORMS } from './harness/api.js';
import { STATIC_WEB } from './harness/backend.js';
import { DESKTOP, openPage, PHONE, withContext, type Viewport } from './harness/browser.js';
import { PAGES, waitForPage } from './harness/pages.js';
import { e2eSuite } from './harness/suite.js';

const OUT = path.join(STATIC_WEB, 'test-results', 'e2e');
const suite = e2eSuite({ demoData: true });

/** How far the page is wider than the viewport (0 when nothing scrolls sideways). */
function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

describe('Every page', () => {
  mkdirSync(OUT, { recursive: true });

  it('redirects / to the Databricks requests', async (t) => {
    await withContext(suite.browser, t.name, async (context) => {
      const { page, errors } = await openPage(context, suite.url('/'));
      await page.waitForURL('**/databricks/requests');
      const spec = PAGES.find((p) => p.path === 'requests');
      assert.ok(spec);
      await waitForPage(page, 'databricks', spec);
      await page.screenshot({ path: path.join(OUT, 'root-redirect-desktop.png') });
      assert.deepEqual(errors, []);
    });
  });

  for (const [viewportName, viewport] of [['desktop', DESKTOP], ['375', PHONE]] as [string, Viewport][]) {
    for (const platform of PLATFORMS) {
      for (const spec of PAGES) {
        it(`renders /${platform}/${spec.path} at ${viewportName} width without console errors`, async (t) => {
          await withContext(suite.browser, t.name, async (context) => {
            const { page, errors } = await openPage(context, suite.url(`/${platform}/${spec.path}`));
            await waitForPage(page, platform, spec);
            // Real tables with header cells wherever there is a list (DESIGN §7).
            for (const table of await page.getByRole('table').all()) {
              assert.ok((await table.getByRole('columnheader').count()) > 0, 'every table has header cells');
            }
            assert.equal(await horizontalOverflow(page), 0, 'the page does not scroll sideways');
            await page.screenshot({ path: path.join(OUT, `${platform}-${spec.slug}-${viewportName}.png`), fullPage: true });
            assert.deepEqual(errors, []);
          }, viewport);
        });
      }
    }
  }
});
