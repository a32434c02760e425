import { JobHistoryPage } from '../features/jobs/components/JobHistoryPage';

export default function DatabricksJobHistory() {
  return <JobHistoryPage platform="databricks" />;
}
