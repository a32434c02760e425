import { useEffect, useId, useRef, type ReactNode } from 'react';

interface ConfirmDialogProps {
  open: boolean;
  /** The question, e.g. "Revoke 37 expired requests?". */
  title: string;
  children?: ReactNode;
  /** The verb that goes ahead, e.g. "Revoke". */
  confirmLabel: string;
  onConfirm: () => void;
  /** Cancel, Escape, or the dialog closing any other way. */
  onCancel: () => void;
}

/**
 * A modal question before an action that touches many requests. A native <dialog> opened with
 * showModal(): the rest of the page is inert, Escape cancels, and focus starts on Cancel (the safe
 * choice) and goes back to where it was when the dialog closes.
 */
export function ConfirmDialog({ open, title, children, confirmLabel, onConfirm, onCancel }: ConfirmDialogProps) {
  const id = useId();
  const dialogRef = useRef<HTMLDialogElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const confirmedRef = useRef(false);
  const onCancelRef = useRef(onCancel);

  useEffect(() => {
    onCancelRef.current = onCancel;
  }, [onCancel]);

  useEffect(() => {
    const dialog = dialogRef.current;
    if (!dialog || !open) return;
    const returnTo = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    confirmedRef.current = false;
    const onClose = () => {
      if (!confirmedRef.current) onCancelRef.current();
    };
    dialog.addEventListener('close', onClose);
    dialog.showModal();
    cancelRef.current?.focus();
    return () => {
      dialog.removeEventListener('close', onClose);
      if (dialog.open) dialog.close();
      returnTo?.focus();
    };
  }, [open]);

  return (
    <dialog ref={dialogRef} className="confirm-dialog" aria-labelledby={`${id}-title`}>
      {open ? (
        <>
          <h2 id={`${id}-title`}>{title}</h2>
          {children}
          <div className="dialog-actions">
            <button
              ref={cancelRef}
              type="button"
              className="button-secondary"
              onClick={() => {
                dialogRef.current?.close();
              }}
            >
              Cancel
            </button>
            <button
              type="button"
              className="button-primary"
              onClick={() => {
                confirmedRef.current = true;
                dialogRef.current?.close();
                onConfirm();
              }}
            >
              {confirmLabel}
            </button>
          </div>
        </>
      ) : null}
    </dialog>
  );
}
