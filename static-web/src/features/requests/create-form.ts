import type { FieldError } from '../../lib/api-client';
import type { Platform } from '../../lib/platforms';
import type { RequestOptions } from './api/get-request-options';
import type { CreateRequestBody, ExpiryChoice } from './types';

/**
 * Expiry choices on the Create Request form: DESIGN §7's test durations 1, 5 and 29 days (around
 * the 30- and 7-day reminders), then the usual grants of 30, 90 and 180 days.
 */
export type ExpiryOption =
  | 'days-1'
  | 'days-5'
  | 'days-29'
  | 'days-30'
  | 'days-90'
  | 'days-180'
  | 'custom'
  | 'never'
  | 'expired';

export const EXPIRY_OPTIONS: readonly { value: ExpiryOption; label: string; days?: number; testOnly?: boolean }[] = [
  { value: 'days-1', label: '1 day', days: 1 },
  { value: 'days-5', label: '5 days', days: 5 },
  { value: 'days-29', label: '29 days', days: 29 },
  { value: 'days-30', label: '30 days', days: 30 },
  { value: 'days-90', label: '90 days', days: 90 },
  { value: 'days-180', label: '180 days', days: 180 },
  { value: 'custom', label: 'Custom date' },
  { value: 'never', label: 'Never expires' },
  { value: 'expired', label: 'Already expired (test)', days: -1, testOnly: true },
];

export interface CreateFormValues {
  // Databricks
  requestNumber: string;
  requestedByAdId: string;
  requestedBy: string;
  // Palantir
  projectId: string;
  projectRid: string;
  justification: string;
  // Both
  requestType: string;
  requestedByEmail: string;
  expiry: ExpiryOption;
  /** A <input type="datetime-local"> value, in the browser's time zone. */
  customExpiresOn: string;
}

export type FormField = keyof CreateFormValues;
export type FormErrors = Partial<Record<FormField, string>>;

export const EMPTY_FORM: CreateFormValues = {
  requestNumber: '',
  requestedByAdId: '',
  requestedBy: '',
  projectId: '',
  projectRid: '',
  justification: '',
  requestType: '',
  requestedByEmail: '',
  expiry: 'days-29',
  customExpiresOn: '',
};

/** Fields shown (and sent) for each platform, in form order. */
export const PLATFORM_FIELDS: Record<Platform, readonly FormField[]> = {
  databricks: ['requestNumber', 'requestType', 'requestedBy', 'requestedByEmail', 'requestedByAdId'],
  palantir: ['projectId', 'projectRid', 'requestType', 'requestedByEmail', 'justification'],
};

const REQUIRED: Record<Platform, readonly FormField[]> = {
  databricks: ['requestType', 'requestedBy', 'requestedByEmail'],
  palantir: ['projectId', 'requestType', 'requestedByEmail'],
};

/** The API's own limit for an email address (shared/http/models.py); the others come from request-options. */
const EMAIL_MAX_LENGTH = 320;

export const FIELD_LABELS: Record<FormField, string> = {
  requestNumber: 'Request number',
  requestedByAdId: 'Requester AD object ID',
  requestedBy: 'Requested by (name)',
  projectId: 'Project ID',
  projectRid: 'Project RID',
  justification: 'Justification',
  requestType: 'Request type',
  requestedByEmail: 'Requester email',
  expiry: 'Expires',
  customExpiresOn: 'Expiry date and time',
};

/** The API's own pattern (shared/http/models.py EMAIL_PATTERN): no "@", control character or space. */
// eslint-disable-next-line no-control-regex -- control characters are what it excludes
const EMAIL = /^[^@\x00-\x20\x7f-\x9f\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]{1,64}@[^@\x00-\x20\x7f-\x9f\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]+\.[^@\x00-\x20\x7f-\x9f\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]{2,}$/;

export interface ValidateOptions {
  testMode: boolean;
  now?: Date;
  /** What the server accepts; without it (not loaded) only what needs no server word is checked. */
  limits?: RequestOptions;
}

export function validateCreateForm(platform: Platform, values: CreateFormValues, options: ValidateOptions): FormErrors {
  const errors: FormErrors = {};
  for (const field of PLATFORM_FIELDS[platform]) {
    const value = values[field].trim();
    const max = field === 'requestedByEmail' ? EMAIL_MAX_LENGTH : options.limits?.maxLengths[field];
    if (REQUIRED[platform].includes(field) && value.length === 0) {
      errors[field] = `Enter the ${FIELD_LABELS[field].toLowerCase()}.`;
    } else if (max !== undefined && value.length > max) {
      errors[field] = `${FIELD_LABELS[field]} must be at most ${max} characters.`;
    }
  }
  const email = values.requestedByEmail.trim();
  const domains = options.limits?.allowedEmailDomains ?? [];
  if (!errors.requestedByEmail && email.length > 0 && !EMAIL.test(email)) {
    errors.requestedByEmail = 'Enter an email address like name@example.com.';
  } else if (!errors.requestedByEmail && email.length > 0 && domains.length > 0 && !domains.includes(emailDomain(email))) {
    errors.requestedByEmail = `Reminders go only to addresses at ${domains.join(', ')}.`;
  }
  const types = options.limits?.requestTypes ?? [];
  const type = values.requestType.trim();
  if (!errors.requestType && type.length > 0 && types.length > 0 && !types.includes(type)) {
    errors.requestType = `Choose one of ${types.join(', ')}.`;
  }
  if (values.expiry === 'expired' && !options.testMode) {
    errors.expiry = '“Already expired” is only available when the API is in test mode.';
  }
  if (values.expiry === 'custom') {
    const when = values.customExpiresOn ? new Date(values.customExpiresOn) : null;
    if (!when || Number.isNaN(when.getTime())) {
      errors.customExpiresOn = 'Choose the expiry date and time.';
    } else if (when.getTime() <= (options.now ?? new Date()).getTime()) {
      errors.customExpiresOn = 'Choose a date and time in the future.';
    }
  }
  return errors;
}

function emailDomain(email: string): string {
  return email.slice(email.lastIndexOf('@') + 1).toLowerCase();
}

function expiryChoice(values: CreateFormValues): ExpiryChoice {
  if (values.expiry === 'never') return { neverExpires: true };
  if (values.expiry === 'custom') return { expiresOn: new Date(values.customExpiresOn).toISOString() };
  const days = EXPIRY_OPTIONS.find((option) => option.value === values.expiry)?.days;
  if (days === undefined) throw new Error(`expiry option ${values.expiry} has no day count`);
  return { expiresInDays: days };
}

/** The POST body: the platform's fields (blank optional ones left out) plus exactly one expiry key. */
export function buildCreateBody(platform: Platform, values: CreateFormValues): CreateRequestBody {
  const optional = (value: string) => {
    const trimmed = value.trim();
    return trimmed.length > 0 ? trimmed : undefined;
  };
  const expiry = expiryChoice(values);
  if (platform === 'databricks') {
    const requestNumber = optional(values.requestNumber);
    const requestedByAdId = optional(values.requestedByAdId);
    return {
      ...(requestNumber ? { requestNumber } : {}),
      requestType: values.requestType.trim(),
      ...(requestedByAdId ? { requestedByAdId } : {}),
      requestedBy: values.requestedBy.trim(),
      requestedByEmail: values.requestedByEmail.trim(),
      ...expiry,
    };
  }
  const projectRid = optional(values.projectRid);
  const justification = optional(values.justification);
  return {
    projectId: values.projectId.trim(),
    ...(projectRid ? { projectRid } : {}),
    requestType: values.requestType.trim(),
    ...(justification ? { justification } : {}),
    requestedByEmail: values.requestedByEmail.trim(),
    ...expiry,
  };
}

const EXPIRY_FIELDS = new Set(['expiresOn', 'expiresInDays', 'neverExpires', 'expiry']);

/**
 * Places the server's problem+json errors[] on the form: "requestedByEmail", "body.requestedByEmail"
 * or "body/requestedByEmail" go to that field, expiry keys to the expiry choice; the rest stay general.
 */
export function mapServerErrors(platform: Platform, fieldErrors: readonly FieldError[]): { fields: FormErrors; general: string[] } {
  const fields: FormErrors = {};
  const general: string[] = [];
  const known = new Set<string>(PLATFORM_FIELDS[platform]);
  for (const { field, message } of fieldErrors) {
    const name = field.split(/[./]/).filter(Boolean).pop() ?? '';
    if (known.has(name)) {
      const key = name as FormField;
      fields[key] = fields[key] ? `${fields[key]} ${message}` : message;
    } else if (EXPIRY_FIELDS.has(name)) {
      fields.expiry = fields.expiry ? `${fields.expiry} ${message}` : message;
    } else {
      general.push(field ? `${field}: ${message}` : message);
    }
  }
  return { fields, general };
}
