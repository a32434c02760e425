import { useState } from 'react';

/** Past this many characters a text may run over its two lines, so it gets a "more" button. */
export const LONG_TEXT_CHARS = 80;

/**
 * Free text (a justification) in a table cell: at most two lines, with a button that shows the rest,
 * so one long text never makes its row a page tall.
 */
export function LongText({ text, what }: { text: string; /** For the button's name: "justification". */ what: string }) {
  const [open, setOpen] = useState(false);
  if (text.length <= LONG_TEXT_CHARS) return <span className="long-text">{text}</span>;
  return (
    <span className="long-text">
      <span className={open ? 'long-text-open' : 'long-text-clamped'}>{text}</span>
      <button
        type="button"
        className="link-button"
        aria-expanded={open}
        onClick={() => {
          setOpen((value) => !value);
        }}
      >
        {open ? 'Show less' : 'Show more'}{' '}
        <span className="visually-hidden">of the {what}</span>
      </button>
    </span>
  );
}
