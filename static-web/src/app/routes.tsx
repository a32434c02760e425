import { Navigate, type RouteObject } from 'react-router';
import { HealthProvider } from '../features/health/components/HealthProvider';
import { IdentityProvider } from '../features/identity/components/IdentityProvider';
import { JobRunPage } from '../features/jobs/components/JobRunPage';
import { PLATFORMS } from '../lib/platforms';
import { PLATFORM_PAGES, SECTIONS } from '../pages';
import { NotFoundPage } from '../pages/NotFoundPage';
import { Layout } from './Layout';
import { RouteError } from './RouteError';

/**
 * Routes (DESIGN §7 contract): /{p}/requests, /{p}/requests/new, /{p}/pending-expiry,
 * /{p}/notifications, /{p}/revoke, /{p}/jobs for p in databricks and palantir; / → /databricks/requests;
 * anything else → not found. Plus (R2) one run: /{p}/jobs/{jobId}.
 */
export const routes: RouteObject[] = [
  {
    path: '/',
    element: (
      <HealthProvider>
        <IdentityProvider>
          <Layout />
        </IdentityProvider>
      </HealthProvider>
    ),
    errorElement: <RouteError />,
    children: [
      { index: true, element: <Navigate to="/databricks/requests" replace /> },
      ...PLATFORMS.map(
        (platform): RouteObject => ({
          path: platform,
          children: [
            { index: true, element: <Navigate to={`/${platform}/requests`} replace /> },
            ...SECTIONS.map((section): RouteObject => {
              const Page = PLATFORM_PAGES[platform][section.path];
              return { path: section.path, element: <Page /> };
            }),
            { path: 'jobs/:jobId', element: <JobRunPage platform={platform} /> },
          ],
        }),
      ),
      { path: '*', element: <NotFoundPage /> },
    ],
  },
];
