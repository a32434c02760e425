import { JobHistoryPage } from '../features/jobs/components/JobHistoryPage';

export default function PalantirJobHistory() {
  return <JobHistoryPage platform="palantir" />;
}
