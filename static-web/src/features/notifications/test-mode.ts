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

/** Beside the trigger and in its question: what Test Mode will make fail, of `total` reminders. */
export function failureNote(mode: TestMode, picked: number, total: number): string | null {
  switch (mode) {
    case 'normal':
      return null;
    case 'random':
      return 'Test mode: about half of them will be made to fail, at random.';
    case 'pick':
      return picked > 0
        ? `Test mode: ${String(picked)} of ${String(total)} will be made to fail (the picked emails).`
        : 'Test mode: no email picked, so none will be made to fail.';
  }
}
