/**
 * One back end and one browser for a test file: started in before(), always stopped in after() (even
 * when a test or the start-up failed), so no host or browser outlives the file.
 */
import { after, before } from 'node:test';
import type { Browser } from 'playwright-core';
import { startBackend, startHost, type Backend, type Host } from './backend.js';
import { launchBrowser } from './browser.js';

export interface Suite {
  readonly backend: Backend;
  readonly browser: Browser;
  /** `${backend.baseURL}${path}` */
  url: (path: string) => string;
  /**
   * A second `python -m devhost` on the same database (another "server", as scaled-out Function
   * instances share one Azure SQL database), with its own settings; stopped with the suite.
   */
  anotherHost: (env: Record<string, string>) => Promise<Host>;
}

export function e2eSuite(options: { demoData?: boolean; env?: Record<string, string> } = {}): Suite {
  let backend: Backend | undefined;
  let browser: Browser | undefined;
  const extraHosts: Host[] = [];

  before(async () => {
    backend = await startBackend(options);
    browser = await launchBrowser();
  });

  after(async () => {
    try {
      await browser?.close();
    } finally {
      try {
        await Promise.all(extraHosts.map((host) => host.stop()));
      } finally {
        await backend?.stop();
      }
    }
  });

  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is not running (before() failed?)`);
    return value;
  };

  return {
    get backend() {
      return need(backend, 'the back end');
    },
    get browser() {
      return need(browser, 'the browser');
    },
    url(path: string) {
      return `${need(backend, 'the back end').baseURL}${path}`;
    },
    async anotherHost(env: Record<string, string>) {
      const host = await startHost(need(backend, 'the back end').db, { ...options.env, ...env });
      extraHosts.push(host);
      return host;
    },
  };
}
