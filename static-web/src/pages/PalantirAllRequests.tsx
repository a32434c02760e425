import { AllRequestsPage } from '../features/requests/components/AllRequestsPage';

export default function PalantirAllRequests() {
  return <AllRequestsPage platform="palantir" />;
}
