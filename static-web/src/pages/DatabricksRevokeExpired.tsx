import { RevokeExpiredPage } from '../features/revoke/components/RevokeExpiredPage';

export default function DatabricksRevokeExpired() {
  return <RevokeExpiredPage platform="databricks" />;
}
