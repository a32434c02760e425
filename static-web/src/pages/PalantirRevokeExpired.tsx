import { RevokeExpiredPage } from '../features/revoke/components/RevokeExpiredPage';

export default function PalantirRevokeExpired() {
  return <RevokeExpiredPage platform="palantir" />;
}
