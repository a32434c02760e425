const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateTimeSecondsFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

export function parseIso(iso: string | null | undefined): Date | null {
  if (!iso) return null;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** The browser's time zone, the one every time on screen is shown in (e.g. Europe/London). */
export function timeZoneName(): string {
  return dateTimeFormat.resolvedOptions().timeZone;
}

/** A UTC ISO-8601 value shown in the browser's time zone. */
export function formatLocal(iso: string | null | undefined, withSeconds = false): string {
  const date = parseIso(iso);
  if (!date) return iso ?? '';
  return (withSeconds ? dateTimeSecondsFormat : dateTimeFormat).format(date);
}

/** The UTC value for a hover title: ISO-8601 ending in Z. */
export function utcTitle(iso: string | null | undefined): string {
  const date = parseIso(iso);
  return date ? `${date.toISOString()} (UTC)` : (iso ?? '');
}

/** 850 → "850 ms", 12_300 → "12.3 s", 125_000 → "2 min 5 s". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 2 : 1)} s`;
  const minutes = Math.floor(seconds / 60);
  const rest = Math.round(seconds - minutes * 60);
  return rest === 0 ? `${minutes} min` : `${minutes} min ${rest} s`;
}

export function durationBetween(startIso: string | null | undefined, endIso: string | null | undefined): number | null {
  const start = parseIso(startIso);
  const end = parseIso(endIso);
  if (!start || !end) return null;
  return end.getTime() - start.getTime();
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
