import { useLocation } from 'react-router';
import { signInUrl, useSessionEnded } from '../../../lib/session';

/** The one notice an ended session gets, whichever call found out; signing in comes back here. */
export function SessionEndedNotice() {
  const ended = useSessionEnded();
  const { pathname, search } = useLocation();
  if (!ended) return null;
  return (
    <div role="alert" className="alert alert-warning session-ended">
      <p>
        <strong>Your session has ended — sign in again.</strong> What this page shows may be out of date until you do.
      </p>
      <p>
        <a href={signInUrl(`${pathname}${search}`)}>Sign in again</a>
      </p>
    </div>
  );
}
