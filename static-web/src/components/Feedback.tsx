import { createContext, use, useEffect, useId, useState, useSyncExternalStore, type ReactNode } from 'react';
import { errorMessage, SessionEndedError } from '../lib/api-client';

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

/**
 * Which alert shows which words. One failure (the API down, the database unreachable) fails the
 * health check, the page's list and the job status alike: the first alert with those words shows,
 * the others stay hidden while it does.
 */
class ShownAlerts {
  private readonly claims = new Map<string, string[]>();
  private readonly listeners = new Set<() => void>();

  claim(words: string, id: string) {
    this.claims.set(words, [...(this.claims.get(words) ?? []), id]);
    this.emit();
  }

  release(words: string, id: string) {
    const rest = (this.claims.get(words) ?? []).filter((claimant) => claimant !== id);
    if (rest.length > 0) this.claims.set(words, rest);
    else this.claims.delete(words);
    this.emit();
  }

  shower(words: string): string | undefined {
    return this.claims.get(words)?.[0];
  }

  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  private emit() {
    for (const listener of this.listeners) listener();
  }
}

const ShownAlertsContext = createContext<ShownAlerts | null>(null);

/** Alerts inside show each failure once (the layout wraps every page in one). */
export function OneAlertPerFailure({ children }: { children: ReactNode }) {
  const [shown] = useState(() => new ShownAlerts());
  return <ShownAlertsContext value={shown}>{children}</ShownAlertsContext>;
}

const NOBODY = () => () => undefined;

export function ErrorAlert({ error, context, onRetry }: ErrorAlertProps) {
  const id = useId();
  const shown = use(ShownAlertsContext);
  // An ended session has its own notice in the layout, with the way to sign in again.
  const sessionEnded = error instanceof SessionEndedError;
  const words = errorMessage(error);
  useEffect(() => {
    if (!shown || sessionEnded) return;
    shown.claim(words, id);
    return () => {
      shown.release(words, id);
    };
  }, [shown, sessionEnded, words, id]);
  const shower = useSyncExternalStore(shown?.subscribe ?? NOBODY, () => shown?.shower(words));
  if (sessionEnded || (shown && shower !== id)) return null;
  return (
    <div role="alert" className="alert alert-error">
      <p>
        {context ? <strong>{context}. </strong> : null}
        {words}
      </p>
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
