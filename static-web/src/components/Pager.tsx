import { useState, type ReactNode } from 'react';

interface PagerProps {
  /** The navigation landmark's name, e.g. "Pages of requests, top". */
  label: string;
  summary: ReactNode;
  hasPrevious: boolean;
  hasNext: boolean;
  onPrevious: () => void;
  onNext: () => void;
  busy?: boolean;
}

/** Previous / Next with where we are; shown above and below a long list. */
export function Pager({ label, summary, hasPrevious, hasNext, onPrevious, onNext, busy = false }: PagerProps) {
  return (
    <nav className="pager" aria-label={label}>
      <button type="button" className="button-secondary" disabled={!hasPrevious || busy} onClick={onPrevious}>
        Previous
      </button>
      <span className="pager-summary">{summary}</span>
      <button type="button" className="button-secondary" disabled={!hasNext || busy} onClick={onNext}>
        Next
      </button>
    </nav>
  );
}

export interface ClientPages<T> {
  items: readonly T[];
  /** 1-based, within 1..pageCount. */
  page: number;
  pageCount: number;
  first: number;
  setPage: (page: number) => void;
}

/** One page of a list the browser already holds (the endpoint answers with all of it). */
export function useClientPages<T>(all: readonly T[], pageSize: number): ClientPages<T> {
  const [wanted, setPage] = useState(1);
  const pageCount = Math.max(1, Math.ceil(all.length / pageSize));
  // A shorter list (after a refresh) keeps the page in range instead of showing nothing.
  const page = Math.min(Math.max(1, wanted), pageCount);
  const first = (page - 1) * pageSize;
  return { items: all.slice(first, first + pageSize), page, pageCount, first, setPage };
}

/** The pager for a ClientPages, e.g. "Page 2 of 4 (51–100 of 180)". */
export function ClientPager<T>({ pages, total, label }: { pages: ClientPages<T>; total: number; label: string }) {
  return (
    <Pager
      label={label}
      summary={`Page ${String(pages.page)} of ${String(pages.pageCount)} (${String(pages.first + 1)}–${String(pages.first + pages.items.length)} of ${String(total)})`}
      hasPrevious={pages.page > 1}
      hasNext={pages.page < pages.pageCount}
      onPrevious={() => {
        pages.setPage(pages.page - 1);
      }}
      onNext={() => {
        pages.setPage(pages.page + 1);
      }}
    />
  );
}
