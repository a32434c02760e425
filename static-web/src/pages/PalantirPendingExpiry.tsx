import { PendingExpiryPage } from '../features/requests/components/PendingExpiryPage';

export default function PalantirPendingExpiry() {
  return <PendingExpiryPage platform="palantir" />;
}
