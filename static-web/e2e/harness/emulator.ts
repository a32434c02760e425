/**
 * The Azure Static Web Apps CLI emulator in front of devhost, as SWA stands in front of the linked
 * Function App in Azure: `swa start dist --api-devserver-url <devhost>` enforces
 * staticwebapp.config.json (routes and roles, the 401 → sign-in redirect, global headers) and turns
 * its sign-in cookie into the `x-ms-client-principal` header devhost's AUTH_MODE=swa reads.
 *
 * Signing in: the emulator's own sign-in page is not there, because the config registers a custom
 * Entra provider, and reaching Entra needs the internet (the emulator fetches its OpenID metadata),
 * so `/.auth/login/aad` answers 400 ("ENTRA_CLIENT_ID not found in env") here. The tests set the
 * `StaticWebAppsAuthCookie` the emulator itself would set after a sign-in: base64 of the client
 * principal's JSON (the emulator also accepts it unencrypted). The config's `rolesSource`
 * (`/api/roles`) is called by the emulator only at the end of a real Entra sign-in, so the cookie
 * carries the roles directly, as if rolesSource had answered them.
 */
import path from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { DIST, REPO_ROOT, STATIC_WEB, freePort, startService, type Host } from './backend.js';

/** Installed by `make setup` (the root package.json's dev dependency). */
export const SWA_CLI = process.env.SWA_CLI_PATH ?? path.join(REPO_ROOT, 'node_modules', '.bin', 'swa');

export const AUTH_COOKIE = 'StaticWebAppsAuthCookie';

/** Who the tests sign in as; the roles are the DESIGN §6 defaults (READER_ROLE, ADMIN_ROLE). */
export type Person = 'reader' | 'admin';

export const PEOPLE: Readonly<Record<Person, { email: string; role: string }>> = {
  reader: { email: 'reader@example.com', role: 'access-reader' },
  admin: { email: 'admin@example.com', role: 'access-admin' },
};

export interface ClientPrincipal {
  identityProvider: string;
  userId: string;
  userDetails: string;
  userRoles: string[];
}

export function clientPrincipal(person: Person): ClientPrincipal {
  const { email, role } = PEOPLE[person];
  // SWA gives every signed-in user "anonymous" and "authenticated"; the rest comes from rolesSource.
  return { identityProvider: 'aad', userId: `e2e-${person}`, userDetails: email, userRoles: ['anonymous', 'authenticated', role] };
}

export function authCookieValue(person: Person): string {
  return Buffer.from(JSON.stringify(clientPrincipal(person))).toString('base64');
}

/** The browser context is signed in as `person` on the emulator at `baseURL`. */
export async function signIn(context: BrowserContext, baseURL: string, person: Person): Promise<void> {
  await context.addCookies([{ name: AUTH_COOKIE, value: authCookieValue(person), url: baseURL, httpOnly: true, sameSite: 'Lax' }]);
}

/** The session ends: the sign-in cookie is gone, as when it expires. */
export async function endSession(context: BrowserContext): Promise<void> {
  await context.clearCookies({ name: AUTH_COOKIE });
}

/** A request through the emulator as `person` (or signed out), redirects not followed. */
export function emulatorFetch(baseURL: string, urlPath: string, person?: Person, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (person) headers.set('cookie', `${AUTH_COOKIE}=${authCookieValue(person)}`);
  return fetch(`${baseURL}${urlPath}`, { ...init, headers, redirect: 'manual', signal: AbortSignal.timeout(30_000) });
}

/**
 * `swa start dist --api-devserver-url <apiBaseURL>` on a free port, resolved once the emulator
 * proxies GET /api/health (anonymous in the config) with 200. Nothing is downloaded: with an API
 * dev server the CLI needs no Functions Core Tools, there is no data API, and NO_UPDATE_NOTIFIER
 * keeps it from asking the registry for a newer version.
 */
export async function startEmulator(apiBaseURL: string): Promise<Host> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, NO_UPDATE_NOTIFIER: '1', FORCE_COLOR: '0' };
  // Entra settings would send /.auth/login/aad to the internet (above); keep the emulator offline.
  delete env.ENTRA_CLIENT_ID;
  delete env.ENTRA_CLIENT_SECRET;
  return startService({
    name: 'swa start',
    command: SWA_CLI,
    args: [
      'start', DIST,
      '--api-devserver-url', apiBaseURL,
      '--swa-config-location', STATIC_WEB,
      '--host', '127.0.0.1',
      '--port', String(port),
    ],
    // The CLI also takes build settings from a .github/workflows/azure-static-web-apps*.yml under its
    // working directory; static-web/ has none, so only these arguments count.
    cwd: STATIC_WEB,
    env,
    port,
    healthPath: '/api/health',
    // `swa start` runs the emulator as a child process (via concurrently): stop both together.
    group: true,
  });
}
