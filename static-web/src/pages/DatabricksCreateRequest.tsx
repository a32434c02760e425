import { CreateRequestPage } from '../features/requests/components/CreateRequestPage';

export default function DatabricksCreateRequest() {
  return <CreateRequestPage platform="databricks" />;
}
