import { SIGN_OUT_URL } from '../../../lib/session';
import { useMe } from './IdentityProvider';

/** The header's "Signed in as …" with the role, and under SWA the way out. */
export function SignedInAs() {
  const me = useMe();
  if (!me) return null;
  return (
    <p className="signed-in-as">
      Signed in as <strong>{me.name}</strong>{' '}
      <span className="badge" title={me.isAdmin ? `Has the ${me.adminRole} role` : `Without the ${me.adminRole} role`}>
        {me.isAdmin ? 'admin' : 'reader'}
      </span>
      {me.authMode === 'swa' ? (
        <>
          {' '}
          <a href={SIGN_OUT_URL}>Sign out</a>
        </>
      ) : null}
    </p>
  );
}
