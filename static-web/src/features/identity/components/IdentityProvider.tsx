import { createContext, use, useCallback, type ReactNode } from 'react';
import { useResource } from '../../../lib/use-resource';
import { getMe, type Me } from '../api/get-me';

const IdentityContext = createContext<Me | undefined>(undefined);

/** Reads GET /api/me once for the whole app: the header says who is signed in, admin actions who may. */
export function IdentityProvider({ children }: { children: ReactNode }) {
  const load = useCallback((signal: AbortSignal) => getMe(signal), []);
  const { data } = useResource(load);
  return <IdentityContext value={data}>{children}</IdentityContext>;
}

/** The signed-in user; undefined until /api/me has answered (or when it could not). */
export function useMe(): Me | undefined {
  return use(IdentityContext);
}

/**
 * Why the signed-in user may not create requests or run jobs, or null when they may. Unknown
 * (still loading, or /api/me failed) is not a refusal: the API still decides, with a 403.
 */
export function useAdminRefusal(): string | null {
  const me = useMe();
  if (!me || me.isAdmin) return null;
  return `This needs the ${me.adminRole} role; you are signed in as a reader.`;
}
