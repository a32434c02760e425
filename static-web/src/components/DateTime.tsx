import { formatLocal, parseIso, utcTitle } from '../lib/format';

interface DateTimeProps {
  value: string | null | undefined;
  /** What to show for a null value (e.g. "Never" for an expiry). */
  empty?: string;
  withSeconds?: boolean;
}

/** A UTC timestamp shown in the browser's time zone; hovering shows the UTC ISO value. */
export function DateTime({ value, empty = '—', withSeconds = false }: DateTimeProps) {
  if (!value) return <span className="muted">{empty}</span>;
  if (!parseIso(value)) return <span>{value}</span>;
  return (
    <time dateTime={value} title={utcTitle(value)}>
      {formatLocal(value, withSeconds)}
    </time>
  );
}
