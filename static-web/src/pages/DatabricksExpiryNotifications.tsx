import { ExpiryNotificationsPage } from '../features/notifications/components/ExpiryNotificationsPage';

export default function DatabricksExpiryNotifications() {
  return <ExpiryNotificationsPage platform="databricks" />;
}
