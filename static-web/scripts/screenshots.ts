/**
 * `npm run screenshots`: PNGs of every page as a reader and as an admin, at desktop width (1280) and at
 * 375 px, into docs/screenshots/, plus docs/screenshots/README.md listing them. Taken behind the Static
 * Web Apps CLI emulator (e2e/harness/emulator.ts: devhost in AUTH_MODE=swa on a temporary database with
 * the demo requests, signed in by cookie), so the pictures show what a signed-in person sees (run
 * `npm run build` first). Order matters: the job pages are taken while they still list work, then a
 * revoke job is started (the Revoke page is taken with its yellow banner), a notification job is run
 * from the page (its result is taken), Job History and a run's detail are taken with those runs, and
 * last the notice a reader gets when the session ends mid-use.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { PLATFORMS, type JobRun, type JobStatus, type Platform } from '../e2e/harness/api.js';
import { STATIC_WEB, startBackend, type Backend, type Host } from '../e2e/harness/backend.js';
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
import { emulatorFetch, endSession, signIn, startEmulator, type Person } from '../e2e/harness/emulator.js';
import { confirmRun, PAGES, PLATFORM_LABELS, waitForPage, type PageSpec } from '../e2e/harness/pages.js';

const OUT = path.join(STATIC_WEB, 'docs', 'screenshots');
const REVOKE_SECONDS = 8; // long enough to load two pages and see the banner
const PEOPLE: readonly Person[] = ['reader', 'admin'];
/** The notice the app shows when an API call is redirected to sign-in (DESIGN §7, R2). */
const SESSION_ENDED = 'Your session has ended — sign in again';

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
  /** The README row: `<platform>-<slug><suffix>`. */
  row: string;
  platform: Platform;
  title: string;
  person: Person;
  width: Width['name'];
}

const shots: Shot[] = [];
/** Console errors, and pictures that do not show what they should: the script fails with these. */
const problems: string[] = [];

interface CaptureOptions {
  suffix?: string;
  title?: string;
  /** Instead of waiting for the page's own h1 (a page this script does not know the title of). */
  ready?: (page: Page) => Promise<void>;
  prepare?: (page: Page) => Promise<void>;
  /** The browser logs the failed API calls of a session that ended: expected there. */
  allowConsoleErrors?: boolean;
}

async function capture(
  context: BrowserContext,
  urlPath: string,
  platform: Platform,
  spec: PageSpec,
  person: Person,
  width: Width['name'],
  { suffix = '', title = spec.title, ready, prepare, allowConsoleErrors = false }: CaptureOptions = {},
): Promise<void> {
  const { page, errors } = await openPage(context, `${emulator().baseURL}${urlPath}`);
  try {
    await (ready ? ready(page) : waitForPage(page, platform, spec));
    if (prepare) await prepare(page);
    await page.evaluate(() => document.fonts.ready);
    const row = `${platform}-${spec.slug}${suffix}`;
    const file = `${row}-${person}-${width}.png`;
    // Nothing should be animating or blinking in a committed picture except what is asked for.
    await page.screenshot({ path: path.join(OUT, file), fullPage: true, animations: 'disabled', caret: 'hide' });
    shots.push({ file, row, platform, title, person, width });
    console.log(`  ${file}`);
    if (!allowConsoleErrors) problems.push(...errors.map((e) => `${file}: ${e}`));
  } finally {
    await page.close();
  }
}

function spec(slug: string): PageSpec {
  const found = PAGES.find((p) => p.slug === slug);
  if (!found) throw new Error(`no page ${slug}`);
  return found;
}

let running: { backend: Backend; emulator: Host } | undefined;
function emulator(): Host {
  if (!running) throw new Error('the emulator is not running');
  return running.emulator;
}

/** The API through the emulator as the admin; a non-2xx answer throws. */
async function adminApi<T>(method: 'GET' | 'POST', urlPath: string): Promise<T> {
  const response = await emulatorFetch(emulator().baseURL, `/api${urlPath}`, 'admin', { method });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} /api${urlPath} answered ${response.status}: ${text}`);
  return JSON.parse(text) as T;
}

/** Page h1 and no loading line: for pages whose title this script does not pin. */
async function anyPage(page: Page): Promise<void> {
  await page.getByRole('heading', { level: 1 }).first().waitFor();
  await page.locator('.loading').first().waitFor({ state: 'detached' });
}

async function run(browser: Browser): Promise<void> {
  const base = emulator().baseURL;
  const contexts = new Map<string, BrowserContext>();
  for (const person of PEOPLE) {
    for (const width of WIDTHS) {
      const context = await newContext(browser, width.viewport);
      await signIn(context, base, person);
      contexts.set(`${person}-${width.name}`, context);
    }
  }
  const contextFor = (person: Person, width: Width['name']) => {
    const context = contexts.get(`${person}-${width}`);
    if (!context) throw new Error(`${person}-${width}`);
    return context;
  };
  const everyone = (body: (person: Person, width: Width['name']) => Promise<void>) => async () => {
    for (const person of PEOPLE) for (const width of WIDTHS) await body(person, width.name);
  };

  // 1. Every page but Job History, while the job pages still list work.
  for (const platform of PLATFORMS) {
    for (const page of PAGES.filter((p) => p.slug !== 'jobs')) {
      await everyone((person, width) => capture(contextFor(person, width), `/${platform}/${page.path}`, platform, page, person, width))();
    }
  }

  // 2. The Revoke page while a revoke job runs: the yellow running-job banner.
  const revoking = adminApi('POST', '/databricks/access-requests/revoke-expired');
  await eventually(
    'the Databricks revoke lock',
    () => adminApi<JobStatus>('GET', '/databricks/access-requests/revoke-job-status'),
    (s) => s.isLocked,
    5_000,
  );
  await everyone((person, width) =>
    capture(contextFor(person, width), '/databricks/revoke', 'databricks', spec('revoke'), person, width, {
      suffix: '-running',
      title: 'Revoke Expired, while a job runs',
      prepare: async (page) => {
        await runningBanner(page).waitFor();
      },
    }),
  )();
  await revoking;

  // 3. A notification run from the page, one email picked to fail: its result (the admin runs jobs).
  await capture(contextFor('admin', 'desktop'), '/databricks/notifications', 'databricks', spec('notifications'), 'admin', 'desktop', {
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
  // Palantir's history gets a run of each job too.
  await adminApi('POST', '/palantir/access-requests/send-expiry-notifications');
  await adminApi('POST', '/palantir/access-requests/revoke-expired');

  // 4. Job History, with those runs, and the detail of the notification run (who asked, every outcome).
  for (const platform of PLATFORMS) {
    await everyone((person, width) =>
      capture(contextFor(person, width), `/${platform}/jobs`, platform, spec('jobs'), person, width, {
        prepare: async (page) => {
          await page.getByRole('table').first().waitFor();
        },
      }),
    )();
  }
  const runs = await adminApi<JobRun[]>('GET', '/databricks/jobs');
  const notificationRun = runs.find((r) => r.jobType.toLowerCase().includes('notif'));
  if (!notificationRun) throw new Error(`no notification run in ${JSON.stringify(runs)}`);
  await everyone((person, width) =>
    capture(contextFor(person, width), `/databricks/jobs/${notificationRun.jobId}`, 'databricks', spec('jobs'), person, width, {
      suffix: '-run-detail',
      title: "Job History: one run's detail",
      ready: async (page) => {
        await anyPage(page);
        const heading = await page.getByRole('heading', { level: 1 }).first().innerText();
        if (heading.trim() === 'Page not found') {
          problems.push(`run detail (${person}, ${width}): the app has no page at /databricks/jobs/{jobId}`);
        }
      },
    }),
  )();

  // 5. The session ends mid-use: the next API call is redirected to sign-in.
  for (const width of WIDTHS) {
    const context = await newContext(browser, width.viewport);
    try {
      await signIn(context, base, 'reader');
      await capture(context, '/databricks/revoke', 'databricks', spec('requests'), 'reader', width.name, {
        suffix: '-session-ended',
        title: 'All Requests, after the session ended',
        ready: (page) => waitForPage(page, 'databricks', spec('revoke')),
        allowConsoleErrors: true,
        prepare: async (page) => {
          await endSession(context);
          const nav = page.getByRole('navigation', { name: `${PLATFORM_LABELS.databricks} pages` });
          await nav.getByRole('link', { name: 'All Requests', exact: true }).click();
          await page.waitForURL('**/databricks/requests');
          const notice = page.getByText(SESSION_ENDED);
          try {
            await notice.waitFor();
          } catch {
            problems.push(`session-ended (${width.name}): the page does not say "${SESSION_ENDED}"`);
            await page.getByRole('alert').first().waitFor();
          }
        },
      });
    } finally {
      await context.close();
    }
  }

  for (const context of contexts.values()) await context.close();
}

function readme(): string {
  const lines = [
    '# Screenshots',
    '',
    'Every page of the admin app as a reader (role `access-reader`) and as an admin (`access-admin`), at',
    'desktop width (1280 px) and at 375 px, taken from the built app behind the Azure Static Web Apps CLI',
    'emulator (`swa start`, enforcing `staticwebapp.config.json`) in front of `python -m devhost` with',
    '`AUTH_MODE=swa`, on a fresh database with the demo requests (`shared.migrate --demo-data`).',
    'Regenerate them with `npm run build && npm run screenshots` in `static-web/` (the script is',
    '`scripts/screenshots.ts`; it also writes this file).',
    '',
    '| Page | Reader, desktop | Reader, 375 px | Admin, desktop | Admin, 375 px |',
    '| --- | --- | --- | --- | --- |',
  ];
  const rows = new Map<string, { title: string; platform: Platform; files: Map<string, string> }>();
  for (const shot of shots) {
    const row = rows.get(shot.row) ?? { title: shot.title, platform: shot.platform, files: new Map<string, string>() };
    row.files.set(`${shot.person}-${shot.width}`, shot.file);
    rows.set(shot.row, row);
  }
  const sorted = [...rows.entries()].sort(([a], [b]) => order(a) - order(b) || a.localeCompare(b));
  const columns = PEOPLE.flatMap((person) => WIDTHS.map((width) => `${person}-${width.name}`));
  for (const [, row] of sorted) {
    const cells = columns.map((column) => {
      const file = row.files.get(column);
      return file ? `[${file}](${file})` : '—';
    });
    lines.push(`| ${PLATFORM_LABELS[row.platform]}: ${row.title} | ${cells.join(' | ')} |`);
  }
  lines.push(
    '',
    'The running-job banner (`role="status"`, "Job is currently running — Started by … at …"), shown while',
    'the revoke job holds its lock:',
    '',
    '![Revoke Expired while a job runs](databricks-revoke-running-admin-desktop.png)',
    '',
    `When the session ends, the next API call is redirected to sign-in and the page says "${SESSION_ENDED}":`,
    '',
    '![All Requests after the session ended](databricks-requests-session-ended-reader-desktop.png)',
    '',
  );
  return lines.join('\n');
}

/** Platform first, then the pages in navigation order, each page's variants after it. */
function order(key: string): number {
  const platformIndex = PLATFORMS.findIndex((p) => key.startsWith(`${p}-`));
  const rest = key.slice(key.indexOf('-') + 1);
  const pageIndex = PAGES.findIndex((p) => rest === p.slug || rest.startsWith(`${p.slug}-`));
  return platformIndex * 100 + pageIndex * 10 + (rest === PAGES[pageIndex]?.slug ? 0 : 1);
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  for (const file of readdirSync(OUT)) if (file.endsWith('.png')) rmSync(path.join(OUT, file));
  console.log(`Screenshots into ${path.relative(process.cwd(), OUT) || OUT}:`);

  const backend = await startBackend({
    demoData: true,
    env: { AUTH_MODE: 'swa', REVOKE_DEMO_DELAY_SECONDS: String(REVOKE_SECONDS) },
  });
  let browser: Browser | undefined;
  try {
    running = { backend, emulator: await startEmulator(backend.baseURL) };
    browser = await launchBrowser();
    await run(browser);
  } catch (error) {
    console.error(`devhost's log (last 8000 characters):\n${backend.log().slice(-8000)}`);
    if (running) console.error(`swa start's log (last 4000 characters):\n${running.emulator.log().slice(-4000)}`);
    throw error;
  } finally {
    await browser?.close();
    await running?.emulator.stop();
    await backend.stop();
  }
  writeFileSync(path.join(OUT, 'README.md'), readme());
  console.log(`${shots.length} screenshots and README.md written.`);
  if (problems.length > 0) {
    throw new Error(`Some pictures are not right:\n${problems.join('\n')}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
