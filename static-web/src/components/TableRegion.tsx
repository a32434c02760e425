import type { ReactNode } from 'react';

/**
 * A horizontally scrollable, keyboard-focusable wrapper for a wide <table>, so narrow screens (375 px)
 * scroll the table instead of the page.
 */
export function TableRegion({ label, busy = false, children }: { label: string; busy?: boolean; children: ReactNode }) {
  return (
    <div className="table-wrap" role="region" aria-label={label} aria-busy={busy} tabIndex={0}>
      {children}
    </div>
  );
}
