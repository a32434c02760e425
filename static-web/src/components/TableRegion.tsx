import { useEffect, useRef, useState, type CSSProperties, type ReactNode } from 'react';

interface Overflow {
  left: boolean;
  right: boolean;
  /** The sticky first column's width: the left shadow starts after it. */
  stickyWidth: number;
}

const NONE: Overflow = { left: false, right: false, stickyWidth: 0 };

function overflowOf(element: HTMLElement): Overflow {
  // 1 px of slack: zoomed layouts round widths, which is no hidden column.
  const hidden = element.scrollWidth - element.clientWidth;
  if (hidden <= 1) return NONE;
  const stickyWidth = element.querySelector('th')?.offsetWidth ?? 0;
  return { left: element.scrollLeft > 1, right: element.scrollLeft < hidden - 1, stickyWidth };
}

function same(a: Overflow, b: Overflow): boolean {
  return a.left === b.left && a.right === b.right && a.stickyWidth === b.stickyWidth;
}

/**
 * A horizontally scrollable, keyboard-focusable wrapper for a wide <table>. When the table is wider
 * than its box it says so: a line above it, and a shadow on each side that has hidden columns, so a
 * cut column never looks like the table's edge.
 */
export function TableRegion({ label, busy = false, children }: { label: string; busy?: boolean; children: ReactNode }) {
  const ref = useRef<HTMLDivElement>(null);
  const [overflow, setOverflow] = useState<Overflow>(NONE);

  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const update = () => {
      const next = overflowOf(element);
      setOverflow((previous) => (same(previous, next) ? previous : next));
    };
    update();
    element.addEventListener('scroll', update, { passive: true });
    // jsdom has no ResizeObserver and no layout: there nothing ever overflows.
    const observer = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(update);
    observer?.observe(element);
    const table = element.firstElementChild;
    if (table) observer?.observe(table);
    return () => {
      element.removeEventListener('scroll', update);
      observer?.disconnect();
    };
  }, []);

  const scrolls = overflow.left || overflow.right;
  const classes = ['table-region', overflow.left ? 'hidden-left' : '', overflow.right ? 'hidden-right' : '']
    .filter(Boolean)
    .join(' ');
  return (
    <div className={classes} style={{ '--sticky-width': `${String(overflow.stickyWidth)}px` } as CSSProperties}>
      {scrolls ? (
        <p className="scroll-hint">
          {overflow.right ? 'More columns to the right: scroll sideways' : 'Scroll back for the first columns'}{' '}
          <span aria-hidden="true">{overflow.right ? '→' : '←'}</span>
        </p>
      ) : null}
      <div ref={ref} className="table-wrap" role="region" aria-label={label} aria-busy={busy} tabIndex={0}>
        {children}
      </div>
    </div>
  );
}
