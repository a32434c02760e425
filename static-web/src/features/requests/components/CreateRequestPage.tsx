import { useId, useRef, useState, type ReactNode, type SyntheticEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { Loading } from '../../../components/Feedback';
import { PageHeader } from '../../../components/PageHeader';
import { ApiError, errorMessage } from '../../../lib/api-client';
import type { Platform } from '../../../lib/platforms';
import { useHealth } from '../../health/components/HealthProvider';
import { createAccessRequest } from '../api/create-access-request';
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
  requestType: 'For example Read, Write or Admin.',
  projectRid: 'Optional, e.g. ri.compass.main.folder.…',
};

const INPUT_TYPES: Partial<Record<FormField, string>> = {
  requestedByEmail: 'email',
};

/** Create Request for one platform: its own fields plus the expiry choice. */
export function CreateRequestPage({ platform }: { platform: Platform }) {
  const id = useId();
  const navigate = useNavigate();
  const { health, loading: healthLoading } = useHealth();
  const testMode = health?.testSimulation === true;

  const [values, setValues] = useState<CreateFormValues>(EMPTY_FORM);
  const [errors, setErrors] = useState<FormErrors>({});
  const [general, setGeneral] = useState<string[]>([]);
  const [submitting, setSubmitting] = useState(false);
  const summaryRef = useRef<HTMLDivElement>(null);

  const fieldId = (field: FormField) => `${id}-${field}`;
  const errorId = (field: FormField) => `${id}-${field}-error`;
  const hintId = (field: FormField) => `${id}-${field}-hint`;

  const set = (field: FormField, value: string) => {
    setValues((previous) => ({ ...previous, [field]: value }));
    if (errors[field]) setErrors((previous) => ({ ...previous, [field]: undefined }));
  };

  const focusFirstError = (found: FormErrors) => {
    const order: FormField[] = [...PLATFORM_FIELDS[platform], 'expiry', 'customExpiresOn'];
    const first = order.find((field) => found[field]);
    if (!first) {
      summaryRef.current?.focus();
      return;
    }
    const target =
      first === 'expiry'
        ? document.querySelector<HTMLInputElement>(`input[name="${id}-expiry"]:checked`)
        : document.getElementById(fieldId(first));
    target?.focus();
  };

  const onSubmit = async (event: SyntheticEvent<HTMLFormElement, SubmitEvent>) => {
    event.preventDefault();
    const found = validateCreateForm(platform, values, { testMode });
    setGeneral([]);
    if (Object.keys(found).length > 0) {
      setErrors(found);
      focusFirstError(found);
      return;
    }
    setErrors({});
    setSubmitting(true);
    try {
      const created = await createAccessRequest(platform, buildCreateBody(platform, values));
      const state: CreatedState = { created };
      await navigate(`/${platform}/requests`, { state });
    } catch (error) {
      const mapped = error instanceof ApiError ? mapServerErrors(platform, error.fieldErrors) : { fields: {}, general: [] };
      setErrors(mapped.fields);
      const hasFieldErrors = Object.keys(mapped.fields).length > 0;
      setGeneral(hasFieldErrors && mapped.general.length === 0 ? [] : [errorMessage(error), ...mapped.general]);
      if (hasFieldErrors) focusFirstError(mapped.fields);
      else summaryRef.current?.focus();
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
        {field === 'justification' ? (
          <textarea
            {...common}
            rows={3}
            onChange={(event) => {
              set(field, event.target.value);
            }}
          />
        ) : (
          <input
            {...common}
            type={INPUT_TYPES[field] ?? 'text'}
            autoComplete={field === 'requestedByEmail' ? 'email' : 'off'}
            list={field === 'requestType' ? `${id}-types` : undefined}
            onChange={(event) => {
              set(field, event.target.value);
            }}
          />
        )}
        {fieldError(field)}
      </div>
    );
  };

  const errorCount = Object.values(errors).filter(Boolean).length;
  const options = EXPIRY_OPTIONS.filter((option) => !option.testOnly || testMode);

  return (
    <>
      <PageHeader title="Create Request" platform={platform} description="Add an access request; the jobs remind the requester before it expires and revoke it after." />
      <div ref={summaryRef} tabIndex={-1} className="form-summary">
        {general.length > 0 || errorCount > 0 ? (
          <div role="alert" className="alert alert-error">
            {general.length > 0 ? (
              <>
                <p>
                  <strong>The request was not created.</strong>
                </p>
                <ul>
                  {general.map((message) => (
                    <li key={message}>{message}</li>
                  ))}
                </ul>
              </>
            ) : (
              <p>
                <strong>Fix {errorCount === 1 ? 'the highlighted field' : `the ${errorCount} highlighted fields`}.</strong>
              </p>
            )}
          </div>
        ) : null}
      </div>
      <form className="form" noValidate onSubmit={(event) => void onSubmit(event)} aria-busy={submitting}>
        <datalist id={`${id}-types`}>
          <option value="Read" />
          <option value="Write" />
          <option value="Admin" />
        </datalist>
        {PLATFORM_FIELDS[platform].map(textField)}

        <fieldset
          className="field"
          aria-describedby={errors.expiry ? errorId('expiry') : undefined}
        >
          <legend>Expires</legend>
          <div className="radio-row">
            {options.map((option) => (
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
                In your time zone ({Intl.DateTimeFormat().resolvedOptions().timeZone}).
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
      </form>
    </>
  );
}
