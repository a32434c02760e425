/** Shown under a job result when the run lost its lease part-way (it lapsed, or another server reclaimed it). */
export function LockLostAlert({ lockLost }: { lockLost?: boolean }) {
  if (!lockLost) return null;
  return (
    <div className="alert alert-warning" role="alert">
      The job lost its lock before it finished (its lease lapsed, or another server reclaimed it); check Job History.
    </div>
  );
}
