/**
 * One back end and one browser for a test file: started in before(), always stopped in after() (even
 * when a test or the start-up failed), so no host or browser outlives the file. With `emulator`, the
 * back end runs with AUTH_MODE=swa behind one `swa start` for the file, and the pages are opened
 * through the emulator.
 */
import { after, before } from 'node:test';
import type { Browser } from 'playwright-core';
import { startBackend, startHost, type Backend, type Host } from './backend.js';
import { launchBrowser } from './browser.js';
import { startEmulator } from './emulator.js';

export interface SuiteOptions {
  demoData?: boolean;
  env?: Record<string, string>;
  /** Behind the Static Web Apps CLI emulator, signed in by cookie (harness/emulator.ts). */
  emulator?: boolean;
}

export interface Suite {
  readonly backend: Backend;
  readonly browser: Browser;
  /** Where the browser goes: the emulator when there is one, else devhost itself. */
  readonly baseURL: string;
  /** `${baseURL}${path}` */
  url: (path: string) => string;
  /**
   * A second `python -m devhost` on the same database (another "server", as scaled-out Function
   * instances share one Azure SQL database), with its own settings; stopped with the suite.
   */
  anotherHost: (env: Record<string, string>) => Promise<Host>;
}

export function e2eSuite(options: SuiteOptions = {}): Suite {
  let backend: Backend | undefined;
  let emulator: Host | undefined;
  let browser: Browser | undefined;
  const extraHosts: Host[] = [];
  const env = options.emulator ? { ...options.env, AUTH_MODE: 'swa' } : options.env;

  before(async () => {
    backend = await startBackend({ demoData: options.demoData, env });
    if (options.emulator) emulator = await startEmulator(backend.baseURL);
    browser = await launchBrowser();
  });

  after(async () => {
    try {
      await browser?.close();
    } finally {
      try {
        await Promise.all([...extraHosts, ...(emulator ? [emulator] : [])].map((host) => host.stop()));
      } finally {
        await backend?.stop();
      }
    }
  });

  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is not running (before() failed?)`);
    return value;
  };
  const frontDoor = () => (options.emulator ? need(emulator, 'the emulator') : need(backend, 'the back end')).baseURL;

  return {
    get backend() {
      return need(backend, 'the back end');
    },
    get browser() {
      return need(browser, 'the browser');
    },
    get baseURL() {
      return frontDoor();
    },
    url(path: string) {
      return `${frontDoor()}${path}`;
    },
    async anotherHost(hostEnv: Record<string, string>) {
      const host = await startHost(need(backend, 'the back end').db, { ...env, ...hostEnv });
      extraHosts.push(host);
      return host;
    },
  };
}
