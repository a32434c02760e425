import { useCallback, useEffect, useState } from 'react';
import { isAbortError } from './api-client';

export interface Resource<T> {
  /** The latest data for this loader (kept while a reload is in flight). */
  data: T | undefined;
  error: unknown;
  /** True until the first answer for this loader arrives. */
  loading: boolean;
  /** True while any fetch (first load or reload) is in flight. */
  refreshing: boolean;
  reload: () => void;
}

interface Settled<T> {
  load: (signal: AbortSignal) => Promise<T>;
  version: number;
  data: T | undefined;
  error: unknown;
}

/**
 * Runs `load` on mount, whenever `load` changes (memoise it with useCallback), and on reload().
 * An unmount or a newer fetch aborts the older one, so a slow answer never overwrites a newer one.
 */
export function useResource<T>(load: (signal: AbortSignal) => Promise<T>): Resource<T> {
  const [version, setVersion] = useState(0);
  const [settled, setSettled] = useState<Settled<T> | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    load(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setSettled({ load, version, data, error: undefined });
      },
      (error: unknown) => {
        if (controller.signal.aborted || isAbortError(error)) return;
        setSettled((previous) => ({
          load,
          version,
          data: previous?.load === load ? previous.data : undefined,
          error,
        }));
      },
    );
    return () => {
      controller.abort();
    };
  }, [load, version]);

  const reload = useCallback(() => {
    setVersion((v) => v + 1);
  }, []);

  const sameLoader = settled?.load === load;
  return {
    data: sameLoader ? settled.data : undefined,
    error: sameLoader ? settled.error : undefined,
    loading: !sameLoader,
    refreshing: !sameLoader || settled.version !== version,
    reload,
  };
}
