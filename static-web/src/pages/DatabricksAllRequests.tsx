import { AllRequestsPage } from '../features/requests/components/AllRequestsPage';

export default function DatabricksAllRequests() {
  return <AllRequestsPage platform="databricks" />;
}
