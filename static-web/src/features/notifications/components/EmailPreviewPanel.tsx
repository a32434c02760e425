import { useId, useState, type SyntheticEvent } from 'react';
import { ErrorAlert } from '../../../components/Feedback';
import type { Platform } from '../../../lib/platforms';
import { useAdminRefusal } from '../../identity/components/IdentityProvider';
import type { ReminderType } from '../../requests/types';
import { getEmailPreview, type EmailPreview } from '../api/get-email-preview';

const KINDS: readonly ReminderType[] = ['30-Day Reminder', '7-Day Reminder'];

/**
 * The reminder email as the service would send it, for a sample or a named request. The HTML part is
 * the service's own template output, yet it is shown in a frame with every sandbox restriction
 * (sandbox=""): no script, no form, no navigation, no same-origin access to this page.
 */
export function EmailPreviewPanel({ platform }: { platform: Platform }) {
  const id = useId();
  const [kind, setKind] = useState<ReminderType>('30-Day Reminder');
  const [requestKey, setRequestKey] = useState('');
  const [preview, setPreview] = useState<EmailPreview>();
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(false);
  const refusal = useAdminRefusal(); // the preview is admin only (it may show a named request's email)

  async function show(event: SyntheticEvent<HTMLFormElement, SubmitEvent>) {
    event.preventDefault();
    setLoading(true);
    setError(undefined);
    try {
      setPreview(await getEmailPreview(platform, kind, requestKey));
    } catch (failure) {
      setPreview(undefined);
      setError(failure);
    } finally {
      setLoading(false);
    }
  }

  return (
    <section aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>Email preview</h2>
      <form onSubmit={(event) => void show(event)} className="email-preview-form">
        <div className="field inline">
          <label htmlFor={`${id}-kind`}>Message</label>
          <select id={`${id}-kind`} value={kind} onChange={(e) => {
              setKind(e.target.value as ReminderType);
            }}>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
          <label htmlFor={`${id}-key`}>Request (optional)</label>
          <input
            id={`${id}-key`}
            value={requestKey}
            onChange={(e) => {
              setRequestKey(e.target.value);
            }}
            placeholder="a sample when empty"
          />
          <button
            type="submit"
            className="button-secondary"
            disabled={loading || refusal !== null}
            aria-describedby={refusal ? `${id}-refusal` : undefined}
          >
            Show preview
          </button>
          {refusal ? (
            <span id={`${id}-refusal`} className="muted">
              {refusal}
            </span>
          ) : null}
        </div>
      </form>
      {error !== undefined ? <ErrorAlert error={error} context="Could not render the preview" /> : null}
      {preview ? (
        <div className="email-preview">
          <dl>
            <dt>To</dt>
            <dd>{preview.recipient}</dd>
            <dt>From</dt>
            <dd>{preview.sender}</dd>
            <dt>Subject</dt>
            <dd>{preview.subject}</dd>
          </dl>
          <h3>Plain text</h3>
          <pre className="email-preview-text">{preview.text}</pre>
          <h3>HTML</h3>
          <iframe title="HTML email preview" sandbox="" srcDoc={preview.html} className="email-preview-html" />
        </div>
      ) : null}
    </section>
  );
}
