import { useSyncExternalStore } from 'react';

/**
 * Whether the sign-in session has ended, as the API client last saw it. Static Web Apps answers an
 * expired session's /api calls with a redirect to its login page, so any call can be the one that
 * finds out; the layout shows one notice for all of them. The next answer that is real data (the
 * user signed in again in another tab) clears it.
 */
let ended = false;
const listeners = new Set<() => void>();

function set(value: boolean) {
  if (ended === value) return;
  ended = value;
  for (const listener of listeners) listener();
}

export function reportSessionEnded(): void {
  set(true);
}

export function reportSessionAlive(): void {
  set(false);
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

export function useSessionEnded(): boolean {
  return useSyncExternalStore(subscribe, () => ended);
}

/** SWA's Entra sign-in, coming back to `returnTo` (path and query of this app) afterwards. */
export function signInUrl(returnTo: string): string {
  return `/.auth/login/aad?post_login_redirect_uri=${encodeURIComponent(returnTo)}`;
}

export const SIGN_OUT_URL = '/.auth/logout?post_logout_redirect_uri=/';
