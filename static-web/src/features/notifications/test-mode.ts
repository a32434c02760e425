import type { Query } from '../../lib/api-client';

/** The Expiry Notifications page's Test Mode choices (SPEC Flow 1, "Test simulation parameters"). */
export type TestMode = 'normal' | 'random' | 'pick';

export const TEST_MODES: readonly { value: TestMode; label: string; hint: string }[] = [
  { value: 'normal', label: 'Normal', hint: 'Send every email.' },
  { value: 'random', label: 'Random failures', hint: 'About half of the emails fail at random.' },
  { value: 'pick', label: 'Pick emails to fail', hint: 'The emails you tick fail; the others are sent.' },
];

/**
 * Query parameters for POST send-expiry-notifications:
 * Normal → none; Random failures → simulateFailures=true; Pick emails to fail → one failEmail per email.
 */
export function testModeQuery(mode: TestMode, failEmails: readonly string[]): Query {
  switch (mode) {
    case 'normal':
      return {};
    case 'random':
      return { simulateFailures: true };
    case 'pick':
      return failEmails.length > 0 ? { failEmail: [...failEmails] } : {};
  }
}
