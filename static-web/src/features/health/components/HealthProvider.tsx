import { createContext, use, useCallback, type ReactNode } from 'react';
import { useResource } from '../../../lib/use-resource';
import { getHealth, type Health } from '../api/get-health';

interface HealthState {
  health: Health | undefined;
  loading: boolean;
  error: unknown;
}

const HealthContext = createContext<HealthState>({ health: undefined, loading: true, error: undefined });

/** Reads GET /api/health once for the whole app (test mode switches the Create and Notifications pages). */
export function HealthProvider({ children }: { children: ReactNode }) {
  const load = useCallback((signal: AbortSignal) => getHealth(signal), []);
  const { data, loading, error } = useResource(load);
  return <HealthContext value={{ health: data, loading, error }}>{children}</HealthContext>;
}

export function useHealth(): HealthState {
  return use(HealthContext);
}
