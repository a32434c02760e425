const TONES: Record<string, string> = {
  active: 'ok',
  completed: 'ok',
  revoked: 'muted',
  inprogress: 'info',
  failed: 'bad',
};

const LABELS: Record<string, string> = {
  InProgress: 'In progress',
};

export function StatusBadge({ status }: { status: string | null | undefined }) {
  const value = status ?? 'Unknown';
  const tone = TONES[value.toLowerCase()] ?? 'neutral';
  return <span className={`badge badge-${tone}`}>{LABELS[value] ?? value}</span>;
}
