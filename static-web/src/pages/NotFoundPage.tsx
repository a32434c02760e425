import { Link, useLocation } from 'react-router';
import { PageHeader } from '../components/PageHeader';

export function NotFoundPage() {
  const { pathname } = useLocation();
  return (
    <>
      <PageHeader title="Page not found" />
      <p>
        There is no page at <code>{pathname}</code>.
      </p>
      <p>
        Go to <Link to="/databricks/requests">Databricks requests</Link> or{' '}
        <Link to="/palantir/requests">Palantir requests</Link>.
      </p>
    </>
  );
}
