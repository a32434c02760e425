import type { ReactNode } from 'react';
import { ApiError, errorMessage } from '../lib/api-client';

/** Loading text. Deliberately not role="status": job pages keep that role for the running-job banner. */
export function Loading({ children = 'Loading…' }: { children?: ReactNode }) {
  return (
    <p className="loading" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> {children}
    </p>
  );
}

export function EmptyState({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

interface ErrorAlertProps {
  error: unknown;
  /** Lead-in such as "Could not load the requests". */
  context?: string;
  onRetry?: () => void;
}

export function ErrorAlert({ error, context, onRetry }: ErrorAlertProps) {
  const signedOut = error instanceof ApiError && error.status === 401;
  return (
    <div role="alert" className="alert alert-error">
      <p>
        {context ? <strong>{context}. </strong> : null}
        {errorMessage(error)}
      </p>
      {signedOut ? (
        <p>
          <a href="/.auth/login/aad">Sign in</a>
        </p>
      ) : null}
      {onRetry ? (
        <button type="button" className="button-secondary" onClick={onRetry}>
          Retry
        </button>
      ) : null}
    </div>
  );
}

/** A polite live region for outcomes (created, job finished). */
export function Notice({ tone = 'success', children }: { tone?: 'success' | 'warning' | 'info'; children: ReactNode }) {
  return (
    <div className={`alert alert-${tone}`} aria-live="polite">
      {children}
    </div>
  );
}
