/**
 * `npm run screenshots`: PNGs of every page, at desktop width (1280) and at 375 px, into
 * docs/screenshots/, plus docs/screenshots/README.md listing them. Uses the e2e harness: a temporary
 * database with the demo requests and `python -m devhost` serving the built front end (run
 * `npm run build` first). Order matters: the job pages are taken while they still list work, then a
 * revoke job is started (the Revoke page is taken with its yellow banner), a notification job is run
 * from the page (its result is taken), and Job History is taken last, with rows.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { PLATFORMS, jobStatus, runJob, type Platform } from '../e2e/harness/api.js';
import { STATIC_WEB, startBackend, type Backend } from '../e2e/harness/backend.js';
import {
  DESKTOP,
  PHONE,
  eventually,
  launchBrowser,
  newContext,
  openPage,
  runningBanner,
  triggerButton,
  type Viewport,
} from '../e2e/harness/browser.js';
import { confirmRun, PAGES, PLATFORM_LABELS, waitForPage, type PageSpec } from '../e2e/harness/pages.js';

const OUT = path.join(STATIC_WEB, 'docs', 'screenshots');
const REVOKE_SECONDS = 8; // long enough to load two pages and see the banner

interface Width {
  name: 'desktop' | '375';
  viewport: Viewport;
}
const WIDTHS: readonly Width[] = [
  { name: 'desktop', viewport: DESKTOP },
  { name: '375', viewport: PHONE },
];

interface Shot {
  file: string;
  platform: Platform;
  title: string;
  width: Width['name'];
}

const shots: Shot[] = [];
const consoleErrors: string[] = [];

async function capture(
  context: BrowserContext,
  url: string,
  platform: Platform,
  spec: PageSpec,
  width: Width['name'],
  { suffix = '', title = spec.title, prepare }: { suffix?: string; title?: string; prepare?: (page: Page) => Promise<void> } = {},
): Promise<void> {
  const { page, errors } = await openPage(context, url);
  try {
    await waitForPage(page, platform, spec);
    if (prepare) await prepare(page);
    // Nothing should be animating or blinking in a committed picture except what is asked for.
    await page.evaluate(() => document.fonts.ready);
    const file = `${platform}-${spec.slug}${suffix}-${width}.png`;
    await page.screenshot({ path: path.join(OUT, file), fullPage: true, animations: 'disabled', caret: 'hide' });
    shots.push({ file, platform, title, width });
    console.log(`  ${file}`);
    consoleErrors.push(...errors.map((e) => `${file}: ${e}`));
  } finally {
    await page.close();
  }
}

function spec(slug: string): PageSpec {
  const found = PAGES.find((p) => p.slug === slug);
  if (!found) throw new Error(`no page ${slug}`);
  return found;
}

async function run(backend: Backend, browser: Browser): Promise<void> {
  const base = backend.baseURL;
  const contexts = new Map<Width['name'], BrowserContext>();
  for (const width of WIDTHS) contexts.set(width.name, await newContext(browser, width.viewport));
  const contextFor = (name: Width['name']) => {
    const context = contexts.get(name);
    if (!context) throw new Error(name);
    return context;
  };

  // 1. Every page but Job History, while the job pages still list work.
  for (const platform of PLATFORMS) {
    for (const page of PAGES.filter((p) => p.slug !== 'jobs')) {
      for (const width of WIDTHS) {
        await capture(contextFor(width.name), `${base}/${platform}/${page.path}`, platform, page, width.name);
      }
    }
  }

  // 2. The Revoke page while a revoke job runs: the yellow running-job banner.
  const revoking = runJob(base, 'databricks', 'revoke');
  await eventually('the Databricks revoke lock', () => jobStatus(base, 'databricks', 'revoke'), (s) => s.isLocked, 5_000);
  for (const width of WIDTHS) {
    await capture(contextFor(width.name), `${base}/databricks/revoke`, 'databricks', spec('revoke'), width.name, {
      suffix: '-running',
      title: 'Revoke Expired, while a job runs',
      prepare: async (page) => {
        await runningBanner(page).waitFor();
      },
    });
  }
  const revoked = await revoking;
  if (revoked.status !== 200) throw new Error(`revoke answered ${revoked.status}: ${JSON.stringify(revoked.data)}`);

  // 3. A notification run from the page, one email picked to fail: its result.
  for (const width of WIDTHS) {
    if (width.name !== 'desktop') continue;
    await capture(contextFor(width.name), `${base}/databricks/notifications`, 'databricks', spec('notifications'), width.name, {
      suffix: '-result',
      title: 'Expiry Notifications, after a run with one picked failure',
      prepare: async (page) => {
        await page.getByRole('radio', { name: 'Pick emails to fail', exact: true }).check();
        await page.getByRole('group', { name: 'Emails to fail', exact: true }).getByRole('checkbox').first().check();
        await triggerButton(page, 'notification').click();
        await confirmRun(page);
        await page.getByRole('region', { name: 'Last run', exact: true }).waitFor({ timeout: 30_000 });
        await page.locator('.loading').first().waitFor({ state: 'detached' });
        await page.getByRole('heading', { level: 1 }).scrollIntoViewIfNeeded();
      },
    });
  }
  // Palantir's history gets a run of each job too.
  for (const kind of ['notification', 'revoke'] as const) {
    const answer = await runJob(base, 'palantir', kind);
    if (answer.status !== 200) throw new Error(`palantir ${kind} answered ${answer.status}: ${JSON.stringify(answer.data)}`);
  }

  // 4. Job History, with those runs.
  for (const platform of PLATFORMS) {
    for (const width of WIDTHS) {
      await capture(contextFor(width.name), `${base}/${platform}/jobs`, platform, spec('jobs'), width.name, {
        prepare: async (page) => {
          await page.getByRole('table').first().waitFor();
        },
      });
    }
  }

  for (const context of contexts.values()) await context.close();
}

function readme(): string {
  const lines = [
    '# Screenshots',
    '',
    'Every page of the admin app at desktop width (1280 px) and at 375 px, taken from the built app served',
    'by `python -m devhost` on a fresh database with the demo requests (`shared.migrate --demo-data`).',
    'Regenerate them with `npm run build && npm run screenshots` in `static-web/` (the script is',
    '`scripts/screenshots.ts`; it also writes this file).',
    '',
    '| Page | Desktop | 375 px |',
    '| --- | --- | --- |',
  ];
  const rows = new Map<string, { title: string; platform: Platform; desktop?: string; phone?: string }>();
  for (const shot of shots) {
    const key = shot.file.replace(/-(desktop|375)\.png$/, '');
    const row = rows.get(key) ?? { title: shot.title, platform: shot.platform };
    if (shot.width === 'desktop') row.desktop = shot.file;
    else row.phone = shot.file;
    rows.set(key, row);
  }
  const sorted = [...rows.entries()].sort(([a], [b]) => order(a) - order(b) || a.localeCompare(b));
  for (const [, row] of sorted) {
    const link = (file?: string) => (file ? `[${file}](${file})` : '—');
    lines.push(`| ${PLATFORM_LABELS[row.platform]}: ${row.title} | ${link(row.desktop)} | ${link(row.phone)} |`);
  }
  lines.push(
    '',
    'The running-job banner (`role="status"`, "Job is currently running — Started by … at …"), shown while',
    'the revoke job holds its lock:',
    '',
    '![Revoke Expired while a job runs](databricks-revoke-running-desktop.png)',
    '',
  );
  return lines.join('\n');
}

/** Platform first, then the pages in navigation order. */
function order(key: string): number {
  const platformIndex = PLATFORMS.findIndex((p) => key.startsWith(`${p}-`));
  const rest = key.slice(key.indexOf('-') + 1);
  const pageIndex = PAGES.findIndex((p) => rest === p.slug || rest.startsWith(`${p.slug}-`));
  return platformIndex * 100 + pageIndex * 10 + (rest.includes('-running') || rest.includes('-result') ? 1 : 0);
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  for (const file of readdirSync(OUT)) if (file.endsWith('.png')) rmSync(path.join(OUT, file));
  console.log(`Screenshots into ${path.relative(process.cwd(), OUT) || OUT}:`);

  const backend = await startBackend({ demoData: true, env: { REVOKE_DEMO_DELAY_SECONDS: String(REVOKE_SECONDS) } });
  let browser: Browser | undefined;
  try {
    browser = await launchBrowser();
    await run(backend, browser);
  } catch (error) {
    console.error(`devhost's log (last 8000 characters):\n${backend.log().slice(-8000)}`);
    throw error;
  } finally {
    await browser?.close();
    await backend.stop();
  }
  writeFileSync(path.join(OUT, 'README.md'), readme());
  console.log(`${shots.length} screenshots and README.md written.`);
  if (consoleErrors.length > 0) {
    throw new Error(`The pages logged errors:\n${consoleErrors.join('\n')}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
