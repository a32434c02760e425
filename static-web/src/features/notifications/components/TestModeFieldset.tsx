import { useId, useState } from 'react';
import { TEST_MODES, type TestMode } from '../test-mode';

/** Checkboxes shown at most (besides the ticked ones): past that, a search finds the rest. */
export const PICK_LIST_MAX = 20;

interface TestModeFieldsetProps {
  mode: TestMode;
  onModeChange: (mode: TestMode) => void;
  /** Distinct candidate emails: under "Pick emails to fail", searched when there are many. */
  emails: readonly string[];
  failEmails: readonly string[];
  onFailEmailsChange: (emails: string[]) => void;
  /** The API said test simulation is off (GET /api/health testSimulation=false). */
  simulationOff: boolean;
  disabled?: boolean;
}

/**
 * Test Mode (SPEC Flow 1): the radio labels "Normal", "Random failures" and "Pick emails to fail" are
 * exact (a contract with the end-to-end tests); each hint is a description, not part of the label.
 */
export function TestModeFieldset({
  mode,
  onModeChange,
  emails,
  failEmails,
  onFailEmailsChange,
  simulationOff,
  disabled = false,
}: TestModeFieldsetProps) {
  const id = useId();
  const [find, setFind] = useState('');
  const needle = find.trim().toLowerCase();
  const ticked = new Set(failEmails);
  const matching = emails.filter((email) => !ticked.has(email) && email.toLowerCase().includes(needle));
  const offered = new Set(matching.slice(0, PICK_LIST_MAX));
  // In the list's order, so a box never jumps when it is ticked.
  const shown = emails.filter((email) => ticked.has(email) || offered.has(email));
  const toggle = (email: string, checked: boolean) => {
    const next = new Set(failEmails);
    if (checked) next.add(email);
    else next.delete(email);
    onFailEmailsChange(emails.filter((e) => next.has(e)));
  };

  return (
    <fieldset className="test-mode" disabled={disabled}>
      <legend>Test Mode</legend>
      {simulationOff ? (
        <p className="muted small">
          Test simulation is off on this server (ALLOW_TEST_SIMULATION), so only Normal is available.
        </p>
      ) : null}
      <div className="radio-row">
        {TEST_MODES.map((option) => {
          const inputId = `${id}-${option.value}`;
          const off = simulationOff && option.value !== 'normal';
          return (
            <div className="choice" key={option.value}>
              <input
                type="radio"
                id={inputId}
                name={`${id}-test-mode`}
                value={option.value}
                checked={mode === option.value}
                disabled={off}
                aria-describedby={`${inputId}-hint`}
                onChange={() => {
                  onModeChange(option.value);
                }}
              />
              <label htmlFor={inputId}>{option.label}</label>
              <span id={`${inputId}-hint`} className="hint">
                {option.hint}
              </span>
            </div>
          );
        })}
      </div>
      {mode === 'pick' ? (
        <fieldset className="pick-emails">
          <legend>Emails to fail</legend>
          {emails.length === 0 ? (
            <p className="muted small">No candidate emails.</p>
          ) : (
            <>
              {emails.length > PICK_LIST_MAX ? (
                <div className="field">
                  <label htmlFor={`${id}-find`}>Find emails</label>
                  <input
                    id={`${id}-find`}
                    type="search"
                    value={find}
                    aria-describedby={`${id}-find-count`}
                    onChange={(event) => {
                      setFind(event.target.value);
                    }}
                  />
                  <span id={`${id}-find-count`} className="hint">
                    {matching.length > PICK_LIST_MAX
                      ? `Showing ${String(PICK_LIST_MAX)} of ${String(matching.length)} matching emails: type more to narrow.`
                      : `${String(matching.length)} matching ${matching.length === 1 ? 'email' : 'emails'} not yet ticked.`}
                  </span>
                </div>
              ) : null}
              <p className="small" aria-live="polite">
                {failEmails.length} of {emails.length} picked to fail.
              </p>
              <ul className="checkbox-list">
                {shown.map((email) => {
                  const inputId = `${id}-fail-${email}`;
                  return (
                    <li key={email}>
                      <input
                        type="checkbox"
                        id={inputId}
                        checked={ticked.has(email)}
                        onChange={(event) => {
                          toggle(email, event.target.checked);
                        }}
                      />
                      <label htmlFor={inputId}>{email}</label>
                    </li>
                  );
                })}
              </ul>
            </>
          )}
          {emails.length > 0 && failEmails.length === 0 ? (
            <p className="muted small">Tick at least one email, or every email will be sent.</p>
          ) : null}
        </fieldset>
      ) : null}
    </fieldset>
  );
}
