/**
 * The built UI works under the headers staticwebapp.config.json makes SWA send with every answer
 * (globalHeaders, the Content-Security-Policy above all): each page of the contract renders with no
 * policy violation and no console error. The headers are added to the local host's answers here, as
 * SWA adds them in Azure.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { PLATFORMS } from './harness/api.js';
import { STATIC_WEB } from './harness/backend.js';
import { openPage, withContext } from './harness/browser.js';
import { PAGES, waitForPage } from './harness/pages.js';
import { e2eSuite } from './harness/suite.js';

const config = JSON.parse(readFileSync(path.join(STATIC_WEB, 'staticwebapp.config.json'), 'utf8')) as {
  globalHeaders: Record<string, string>;
};
const suite = e2eSuite({ demoData: true });

describe('Under the Static Web App headers', () => {
  it('has a Content-Security-Policy to test', () => {
    assert.match(config.globalHeaders['Content-Security-Policy'] ?? '', /default-src 'self'/);
  });

  for (const platform of PLATFORMS) {
    it(`renders every ${platform} page with no policy violation`, async (t) => {
      await withContext(suite.browser, t.name, async (context) => {
        await context.route('**/*', async (route) => {
          const response = await route.fetch();
          await route.fulfill({ response, headers: { ...response.headers(), ...config.globalHeaders } });
        });
        // A violation is also a console error; the event names the directive.
        await context.addInitScript(() => {
          document.addEventListener('securitypolicyviolation', (event) => {
            console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`);
          });
        });
        for (const spec of PAGES) {
          const { page, errors } = await openPage(context, suite.url(`/${platform}/${spec.path}`));
          await waitForPage(page, platform, spec);
          await page.waitForLoadState('networkidle');
          assert.deepEqual(errors, [], `/${platform}/${spec.path}`);
          await page.close();
        }
      });
    });
  }
});
