import { StatusBadge } from '../../../components/StatusBadge';
import { COMPLETED_WITH_FAILURES, type JobRunStatus } from '../types';

/** A run's status; a Completed run with failures says so, in amber. */
export function RunStatusBadge({ status, failedCount }: { status: JobRunStatus; failedCount: number | null }) {
  return status === 'Completed' && (failedCount ?? 0) > 0 ? (
    <StatusBadge status={status} label={COMPLETED_WITH_FAILURES} tone="warn" />
  ) : (
    <StatusBadge status={status} />
  );
}
