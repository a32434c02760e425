import { useCallback, useId, useRef, useState, type ReactNode, type SyntheticEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { ErrorAlert, Loading } from '../../../components/Feedback';
import { PageHeader } from '../../../components/PageHeader';
import { ApiError, errorMessage, SessionEndedError } from '../../../lib/api-client';
import { timeZoneName } from '../../../lib/format';
import type { Platform } from '../../../lib/platforms';
import { useResource } from '../../../lib/use-resource';
import { useHealth } from '../../health/components/HealthProvider';
import { useAdminRefusal } from '../../identity/components/IdentityProvider';
import { createAccessRequest } from '../api/create-access-request';
import { getRequestOptions, type RequestOptions } from '../api/get-request-options';
import {
  buildCreateBody,
  EMPTY_FORM,
  EXPIRY_OPTIONS,
  FIELD_LABELS,
  mapServerErrors,
  PLATFORM_FIELDS,
  validateCreateForm,
  type CreateFormValues,
  type FormErrors,
  type FormField,
} from '../create-form';
import type { CreatedState } from './AllRequestsPage';

const REQUIRED_FIELDS = new Set<FormField>(['requestType', 'requestedBy', 'requestedByEmail', 'projectId']);

const HINTS: Partial<Record<FormField, string>> = {
  requestNumber: 'Leave blank and the server generates one.',
  projectRid: 'Optional, e.g. ri.compass.main.folder.…',
};

const INPUT_TYPES: Partial<Record<FormField, string>> = {
  requestedByEmail: 'email',
};

/** The field a 409 (a request with this number exists) is about, on platforms that have one. */
const DUPLICATE_FIELD: Record<Platform, FormField | null> = { databricks: 'requestNumber', palantir: null };

/** What the server accepts, said before anyone types. */
function Limits({ limits }: { limits: RequestOptions }) {
  const domains = limits.allowedEmailDomains;
  return (
    <ul className="hint limits">
      <li>Request type: one of {limits.requestTypes.join(', ')}.</li>
      <li>
        Expiry: {limits.minExpiresInDays < 1 ? 'in the past (test mode) up to' : 'from 1 up to'} {limits.maxExpiresInDays}{' '}
        days from now, a date and time before the year 9999, or never.
      </li>
      <li>Requester email: {domains.length > 0 ? `only addresses at ${domains.join(', ')}` : 'any address'}.</li>
    </ul>
  );
}

/** Create Request for one platform: its own fields plus the expiry choice. */
export function CreateRequestPage({ platform }: { platform: Platform }) {
  const id = useId();
  const navigate = useNavigate();
  const { health, loading: healthLoading } = useHealth();
  const testMode = health?.testSimulation === true;
  const refusal = useAdminRefusal();
  const loadOptions = useCallback((signal: AbortSignal) => getRequestOptions(platform, signal), [platform]);
  const options = useResource(loadOptions);
  const limits = options.data;

  const [values, setValues] = useState<CreateFormValues>(EMPTY_FORM);
  const [errors, setErrors] = useState<FormErrors>({});
  const [general, setGeneral] = useState<string[]>([]);
  const [submitting, setSubmitting] = useState(false);
  const summaryRef = useRef<HTMLDivElement>(null);

  const fieldId = (field: FormField) => `${id}-${field}`;
  const errorId = (field: FormField) => `${id}-${field}-error`;
  const hintId = (field: FormField) => `${id}-${field}-hint`;
  const fieldOrder: FormField[] = [...PLATFORM_FIELDS[platform], 'expiry', 'customExpiresOn'];

  const set = (field: FormField, value: string) => {
    setValues((previous) => ({ ...previous, [field]: value }));
    if (errors[field]) setErrors((previous) => ({ ...previous, [field]: undefined }));
  };

  const focusField = (field: FormField) => {
    const target =
      field === 'expiry'
        ? document.querySelector<HTMLInputElement>(`input[name="${id}-expiry"]:checked`)
        : document.getElementById(fieldId(field));
    target?.focus();
  };

  /** A failed submit: the summary at the top takes focus and links to each field to fix. */
  const showErrors = (fields: FormErrors, messages: string[]) => {
    setErrors(fields);
    setGeneral(messages);
    summaryRef.current?.focus();
  };

  const onSubmit = async (event: SyntheticEvent<HTMLFormElement, SubmitEvent>) => {
    event.preventDefault();
    const found = validateCreateForm(platform, values, { testMode, limits });
    if (Object.keys(found).length > 0) {
      showErrors(found, []);
      return;
    }
    setErrors({});
    setGeneral([]);
    setSubmitting(true);
    try {
      const created = await createAccessRequest(platform, buildCreateBody(platform, values));
      const state: CreatedState = { created };
      await navigate(`/${platform}/requests`, { state });
    } catch (error) {
      if (error instanceof SessionEndedError) return; // the layout's notice says it, with the way back in
      const mapped = error instanceof ApiError ? mapServerErrors(platform, error.fieldErrors) : { fields: {}, general: [] };
      const duplicateField = DUPLICATE_FIELD[platform];
      if (error instanceof ApiError && error.status === 409 && duplicateField && Object.keys(mapped.fields).length === 0) {
        mapped.fields[duplicateField] = error.problem?.detail ?? error.message;
      }
      const hasFieldErrors = Object.keys(mapped.fields).length > 0;
      showErrors(mapped.fields, hasFieldErrors && mapped.general.length === 0 ? [] : [errorMessage(error), ...mapped.general]);
    } finally {
      setSubmitting(false);
    }
  };

  const describedBy = (field: FormField) =>
    [HINTS[field] ? hintId(field) : null, errors[field] ? errorId(field) : null].filter(Boolean).join(' ') || undefined;

  const fieldError = (field: FormField): ReactNode =>
    errors[field] ? (
      <p id={errorId(field)} className="field-error">
        {errors[field]}
      </p>
    ) : null;

  const textField = (field: FormField) => {
    const required = REQUIRED_FIELDS.has(field);
    const common = {
      id: fieldId(field),
      name: field,
      value: values[field],
      required,
      'aria-invalid': errors[field] ? true : undefined,
      'aria-describedby': describedBy(field),
    } as const;
    let control: ReactNode;
    if (field === 'justification') {
      control = (
        <textarea
          {...common}
          rows={3}
          onChange={(event) => {
            set(field, event.target.value);
          }}
        />
      );
    } else if (field === 'requestType' && limits) {
      control = (
        <select
          {...common}
          onChange={(event) => {
            set(field, event.target.value);
          }}
        >
          <option value="">Choose a type</option>
          {limits.requestTypes.map((type) => (
            <option key={type} value={type}>
              {type}
            </option>
          ))}
        </select>
      );
    } else {
      // The request type as text only while the list is not loaded (the server still checks it).
      control = (
        <input
          {...common}
          type={INPUT_TYPES[field] ?? 'text'}
          autoComplete={field === 'requestedByEmail' ? 'email' : 'off'}
          onChange={(event) => {
            set(field, event.target.value);
          }}
        />
      );
    }
    return (
      <div className="field" key={field}>
        <label htmlFor={fieldId(field)}>
          {FIELD_LABELS[field]}
          {required ? null : <span className="optional"> (optional)</span>}
        </label>
        {HINTS[field] ? (
          <p id={hintId(field)} className="hint">
            {HINTS[field]}
          </p>
        ) : null}
        {control}
        {fieldError(field)}
      </div>
    );
  };

  const fieldsInError = fieldOrder.filter((field) => errors[field]);
  const expiryOptions = EXPIRY_OPTIONS.filter((option) => !option.testOnly || testMode);

  return (
    <>
      <PageHeader title="Create Request" platform={platform} description="Add an access request; the jobs remind the requester before it expires and revoke it after." />
      {refusal ? (
        <p className="alert alert-info" id={`${id}-refusal`}>
          {refusal}
        </p>
      ) : null}
      <div ref={summaryRef} tabIndex={-1} className="form-summary">
        {general.length > 0 || fieldsInError.length > 0 ? (
          <div role="alert" className="alert alert-error">
            <p>
              <strong>
                {general.length > 0
                  ? 'The request was not created.'
                  : `Fix ${fieldsInError.length === 1 ? 'the highlighted field' : `the ${fieldsInError.length} highlighted fields`}.`}
              </strong>
            </p>
            <ul>
              {general.map((message) => (
                <li key={message}>{message}</li>
              ))}
              {fieldsInError.map((field) => (
                <li key={field}>
                  <a
                    href={`#${fieldId(field)}`}
                    onClick={(event) => {
                      event.preventDefault();
                      focusField(field);
                    }}
                  >
                    {FIELD_LABELS[field]}: {errors[field]}
                  </a>
                </li>
              ))}
            </ul>
          </div>
        ) : null}
      </div>
      {limits ? <Limits limits={limits} /> : null}
      {options.error !== undefined ? (
        <ErrorAlert error={options.error} context="Could not load the request types and limits" onRetry={options.reload} />
      ) : null}
      <form className="form" noValidate onSubmit={(event) => void onSubmit(event)} aria-busy={submitting}>
        <fieldset className="form-body" disabled={refusal !== null} aria-describedby={refusal ? `${id}-refusal` : undefined}>
          {PLATFORM_FIELDS[platform].map(textField)}

          <fieldset className="field" aria-describedby={errors.expiry ? errorId('expiry') : undefined}>
            <legend>Expires</legend>
            <div className="radio-row">
              {expiryOptions.map((option) => (
                <div className="choice" key={option.value}>
                  <input
                    type="radio"
                    id={`${id}-expiry-${option.value}`}
                    name={`${id}-expiry`}
                    value={option.value}
                    checked={values.expiry === option.value}
                    onChange={() => {
                      set('expiry', option.value);
                    }}
                  />
                  <label htmlFor={`${id}-expiry-${option.value}`}>{option.label}</label>
                </div>
              ))}
            </div>
            {healthLoading ? <Loading>Checking whether the API is in test mode…</Loading> : null}
            {fieldError('expiry')}
            {values.expiry === 'custom' ? (
              <div className="field nested">
                <label htmlFor={fieldId('customExpiresOn')}>{FIELD_LABELS.customExpiresOn}</label>
                <p id={hintId('customExpiresOn')} className="hint">
                  In your time zone ({timeZoneName()}).
                </p>
                <input
                  id={fieldId('customExpiresOn')}
                  type="datetime-local"
                  value={values.customExpiresOn}
                  required
                  aria-invalid={errors.customExpiresOn ? true : undefined}
                  aria-describedby={[hintId('customExpiresOn'), errors.customExpiresOn ? errorId('customExpiresOn') : null].filter(Boolean).join(' ')}
                  onChange={(event) => {
                    set('customExpiresOn', event.target.value);
                  }}
                />
                {fieldError('customExpiresOn')}
              </div>
            ) : null}
          </fieldset>

          <div className="form-actions">
            <button type="submit" className="button-primary" disabled={submitting} aria-busy={submitting}>
              {submitting ? 'Creating…' : 'Create request'}
            </button>
            <Link to={`/${platform}/requests`}>Cancel</Link>
          </div>
        </fieldset>
      </form>
    </>
  );
}
