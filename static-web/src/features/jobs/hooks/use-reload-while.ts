import { useEffect } from 'react';
import { POLL_INTERVAL_MS } from './use-job-lock';

/** While `running`, calls `reload` every 3 s, so a page showing a run in progress sees it end. */
export function useReloadWhile(running: boolean, reload: () => void): void {
  useEffect(() => {
    if (!running) return;
    const id = setInterval(reload, POLL_INTERVAL_MS);
    return () => {
      clearInterval(id);
    };
  }, [running, reload]);
}
