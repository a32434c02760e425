import { describe, expect, it } from 'vitest';
import { buildCreateBody, EMPTY_FORM, mapServerErrors, validateCreateForm, type CreateFormValues } from './create-form';

const NOW = new Date('2025-03-04T12:00:00Z');
const databricks = (overrides: Partial<CreateFormValues> = {}): CreateFormValues => ({
  ...EMPTY_FORM,
  requestType: 'Read',
  requestedBy: 'Alice Example',
  requestedByEmail: 'alice@example.com',
  ...overrides,
});

describe('validateCreateForm', () => {
  it('accepts a complete Databricks form', () => {
    expect(validateCreateForm('databricks', databricks(), { testMode: false, now: NOW })).toEqual({});
  });

  it('requires each platform its own fields', () => {
    expect(Object.keys(validateCreateForm('databricks', EMPTY_FORM, { testMode: false, now: NOW })).sort()).toEqual([
      'requestType',
      'requestedBy',
      'requestedByEmail',
    ]);
    expect(Object.keys(validateCreateForm('palantir', EMPTY_FORM, { testMode: false, now: NOW })).sort()).toEqual([
      'projectId',
      'requestType',
      'requestedByEmail',
    ]);
  });

  it('rejects a malformed email and a value longer than the server takes', () => {
    const limits = { requestTypes: [], minExpiresInDays: 1, maxExpiresInDays: 36500, maxLengths: { requestedBy: 5 }, allowedEmailDomains: [] };
    const errors = validateCreateForm('databricks', databricks({ requestedByEmail: 'alice@', requestedBy: 'Alice Example' }), {
      testMode: false,
      now: NOW,
      limits,
    });
    expect(errors.requestedByEmail).toBe('Enter an email address like name@example.com.');
    expect(errors.requestedBy).toBe('Requested by (name) must be at most 5 characters.');
  });

  it('takes only a request type the server lists', () => {
    const limits = { requestTypes: ['Read', 'Admin'], minExpiresInDays: 1, maxExpiresInDays: 36500, maxLengths: {}, allowedEmailDomains: [] };
    const options = { testMode: false, now: NOW, limits };
    expect(validateCreateForm('databricks', databricks({ requestType: 'Write' }), options).requestType).toBe('Choose one of Read, Admin.');
    expect(validateCreateForm('databricks', databricks({ requestType: 'Admin' }), options)).toEqual({});
  });

  it('needs a future custom date', () => {
    const opts = { testMode: false, now: NOW };
    expect(validateCreateForm('databricks', databricks({ expiry: 'custom' }), opts).customExpiresOn).toBe(
      'Choose the expiry date and time.',
    );
    expect(validateCreateForm('databricks', databricks({ expiry: 'custom', customExpiresOn: '2020-01-01T00:00' }), opts).customExpiresOn).toBe(
      'Choose a date and time in the future.',
    );
    expect(validateCreateForm('databricks', databricks({ expiry: 'custom', customExpiresOn: '2099-01-01T00:00' }), opts)).toEqual({});
  });

  it('allows "already expired" only in test mode', () => {
    expect(validateCreateForm('databricks', databricks({ expiry: 'expired' }), { testMode: false, now: NOW }).expiry).toBeDefined();
    expect(validateCreateForm('databricks', databricks({ expiry: 'expired' }), { testMode: true, now: NOW })).toEqual({});
  });
});

describe('buildCreateBody', () => {
  it('sends exactly one expiry key for each choice', () => {
    expect(buildCreateBody('databricks', databricks({ expiry: 'days-1' }))).toMatchObject({ expiresInDays: 1 });
    expect(buildCreateBody('databricks', databricks({ expiry: 'days-5' }))).toMatchObject({ expiresInDays: 5 });
    expect(buildCreateBody('databricks', databricks({ expiry: 'days-90' }))).toMatchObject({ expiresInDays: 90 });
    expect(buildCreateBody('databricks', databricks({ expiry: 'days-180' }))).toMatchObject({ expiresInDays: 180 });
    expect(buildCreateBody('databricks', databricks({ expiry: 'days-29' }))).toMatchObject({ expiresInDays: 29 });
    expect(buildCreateBody('databricks', databricks({ expiry: 'expired' }))).toMatchObject({ expiresInDays: -1 });
    expect(buildCreateBody('databricks', databricks({ expiry: 'never' }))).toMatchObject({ neverExpires: true });
    const custom = buildCreateBody('databricks', databricks({ expiry: 'custom', customExpiresOn: '2099-06-30T17:45' }));
    expect(custom).toMatchObject({ expiresOn: new Date('2099-06-30T17:45').toISOString() });
    for (const body of [custom, buildCreateBody('databricks', databricks({ expiry: 'never' }))]) {
      const keys = Object.keys(body).filter((k) => ['expiresOn', 'expiresInDays', 'neverExpires'].includes(k));
      expect(keys).toHaveLength(1);
    }
  });

  it('trims values and leaves out blank optional fields', () => {
    expect(buildCreateBody('databricks', databricks({ requestedBy: '  Alice  ', requestNumber: ' ' }))).toEqual({
      requestType: 'Read',
      requestedBy: 'Alice',
      requestedByEmail: 'alice@example.com',
      expiresInDays: 29,
    });
    expect(
      buildCreateBody('palantir', { ...EMPTY_FORM, projectId: 'P1', requestType: 'Write', requestedByEmail: 'p@x.io', justification: 'Audit', expiry: 'never' }),
    ).toEqual({ projectId: 'P1', requestType: 'Write', justification: 'Audit', requestedByEmail: 'p@x.io', neverExpires: true });
  });
});

describe('mapServerErrors', () => {
  it('puts field errors on their fields, expiry keys on the expiry choice, the rest in general', () => {
    expect(
      mapServerErrors('databricks', [
        { field: 'body.requestedByEmail', message: 'is not an allowed domain' },
        { field: 'expiresInDays', message: 'must be positive' },
        { field: 'projectId', message: 'unknown for Databricks' },
      ]),
    ).toEqual({
      fields: { requestedByEmail: 'is not an allowed domain', expiry: 'must be positive' },
      general: ['projectId: unknown for Databricks'],
    });
  });
});
