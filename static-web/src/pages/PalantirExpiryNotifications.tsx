import { ExpiryNotificationsPage } from '../features/notifications/components/ExpiryNotificationsPage';

export default function PalantirExpiryNotifications() {
  return <ExpiryNotificationsPage platform="palantir" />;
}
