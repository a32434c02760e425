import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { json, mockApi, problem } from '../test/mock-api';
import { renderAt } from '../test/render';

const IDLE = json({ isLocked: false, activeJob: null });

function mockEverything() {
  const routes: Record<string, ReturnType<typeof json>> = {};
  for (const p of ['databricks', 'palantir']) {
    routes[`GET /api/${p}/access-requests`] = json([], 200, { 'X-Total-Count': '0' });
    routes[`GET /api/${p}/access-requests/pending-expiry`] = json([]);
    routes[`GET /api/${p}/access-requests/pending-notifications`] = json([]);
    routes[`GET /api/${p}/access-requests/revoke-job-status`] = IDLE;
    routes[`GET /api/${p}/access-requests/notification-job-status`] = IDLE;
    routes[`GET /api/${p}/jobs`] = json([]);
  }
  return mockApi(routes);
}

const PAGES: [string, string][] = [
  ['requests', 'All Requests'],
  ['requests/new', 'Create Request'],
  ['pending-expiry', 'Pending Expiry'],
  ['notifications', 'Expiry Notifications'],
  ['revoke', 'Revoke Expired'],
  ['jobs', 'Job History'],
];

describe('routes', () => {
  it('redirects / to /databricks/requests', async () => {
    mockEverything();
    const { router } = renderAt('/');
    expect(await screen.findByRole('heading', { level: 1, name: 'All Requests Databricks' })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/databricks/requests');
  });

  for (const platform of ['databricks', 'palantir'] as const) {
    const label = platform === 'databricks' ? 'Databricks' : 'Palantir';
    for (const [path, title] of PAGES) {
      it(`/${platform}/${path} shows ${title} for ${label} and calls only ${label} endpoints`, async () => {
        const api = mockEverything();
        renderAt(`/${platform}/${path}`);
        expect(await screen.findByRole('heading', { level: 1, name: `${title} ${label}` })).toBeInTheDocument();
        const other = platform === 'databricks' ? '/api/palantir' : '/api/databricks';
        expect(api.calls.filter((c) => c.path.startsWith(other))).toEqual([]);
      });
    }
  }

  it('shows a not-found page for unknown paths and unknown platforms', async () => {
    mockEverything();
    renderAt('/no/such/page');
    expect(await screen.findByRole('heading', { name: 'Page not found' })).toBeInTheDocument();
  });

  it('shows a not-found page for a platform that does not exist', async () => {
    mockEverything();
    renderAt('/oracle/requests');
    expect(await screen.findByRole('heading', { name: 'Page not found' })).toBeInTheDocument();
  });

  it('the platform switch keeps the current page and the page links keep the platform', async () => {
    mockEverything();
    const user = userEvent.setup();
    const { router } = renderAt('/databricks/revoke');
    const platformNav = screen.getByRole('navigation', { name: 'Platform' });
    expect(within(platformNav).getByRole('link', { name: 'Databricks' })).toHaveAttribute('aria-current', 'page');
    await user.click(within(platformNav).getByRole('link', { name: 'Palantir' }));
    expect(router.state.location.pathname).toBe('/palantir/revoke');
    expect(await screen.findByRole('heading', { level: 1, name: 'Revoke Expired Palantir' })).toBeInTheDocument();

    const pages = screen.getByRole('navigation', { name: 'Palantir pages' });
    expect(within(pages).getByRole('link', { name: 'Revoke Expired' })).toHaveAttribute('aria-current', 'page');
    await user.click(within(pages).getByRole('link', { name: 'Job History' }));
    expect(router.state.location.pathname).toBe('/palantir/jobs');
  });
});

describe('health', () => {
  it('warns on every page when the API health check fails', async () => {
    mockEverything().set('GET /api/health', problem(503, 'Service unavailable', { detail: 'The database is unreachable.' }));
    renderAt('/databricks/pending-expiry');
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'The API health check failed. Service unavailable: The database is unreachable.',
    );
  });

  it('shows the Test mode badge when the API is in test mode', async () => {
    mockEverything();
    renderAt('/databricks/requests');
    expect(await screen.findByText('Test mode')).toBeInTheDocument();
  });
});
