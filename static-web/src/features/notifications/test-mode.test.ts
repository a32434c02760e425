import { describe, expect, it } from 'vitest';
import { apiUrl } from '../../lib/api-client';
import { testModeQuery } from './test-mode';

const PATH = '/databricks/access-requests/send-expiry-notifications';

describe('testModeQuery', () => {
  it('sends no test parameter in Normal mode', () => {
    expect(apiUrl(PATH, testModeQuery('normal', ['a@x.com']))).toBe(`/api${PATH}`);
  });

  it('maps Random failures to simulateFailures=true', () => {
    expect(apiUrl(PATH, testModeQuery('random', ['a@x.com']))).toBe(`/api${PATH}?simulateFailures=true`);
  });

  it('maps Pick emails to fail to one failEmail parameter per picked email', () => {
    expect(apiUrl(PATH, testModeQuery('pick', ['a@x.com', 'b+1@y.org']))).toBe(
      `/api${PATH}?failEmail=a%40x.com&failEmail=b%2B1%40y.org`,
    );
  });

  it('sends nothing extra when no email is picked', () => {
    expect(apiUrl(PATH, testModeQuery('pick', []))).toBe(`/api${PATH}`);
  });
});
