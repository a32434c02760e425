import { CreateRequestPage } from '../features/requests/components/CreateRequestPage';

export default function PalantirCreateRequest() {
  return <CreateRequestPage platform="palantir" />;
}
