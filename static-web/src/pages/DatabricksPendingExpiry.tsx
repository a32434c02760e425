import { PendingExpiryPage } from '../features/requests/components/PendingExpiryPage';

export default function DatabricksPendingExpiry() {
  return <PendingExpiryPage platform="databricks" />;
}
