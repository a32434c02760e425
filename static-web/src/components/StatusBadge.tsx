export type BadgeTone = 'ok' | 'bad' | 'warn' | 'info' | 'muted' | 'neutral';

const TONES: Record<string, BadgeTone> = {
  active: 'ok',
  completed: 'ok',
  revoked: 'muted',
  inprogress: 'info',
  failed: 'bad',
};

const LABELS: Record<string, string> = {
  InProgress: 'In progress',
};

interface StatusBadgeProps {
  status: string | null | undefined;
  /** What the status means here when the raw value alone would mislead (an Active request past expiry). */
  label?: string;
  tone?: BadgeTone;
}

export function StatusBadge({ status, label, tone }: StatusBadgeProps) {
  const value = status ?? 'Unknown';
  const shownTone = tone ?? TONES[value.toLowerCase()] ?? 'neutral';
  return <span className={`badge badge-${shownTone}`}>{label ?? LABELS[value] ?? value}</span>;
}
