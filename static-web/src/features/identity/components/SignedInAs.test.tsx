import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ADMIN_ME, json, mockApi, READER_ME } from '../../../test/mock-api';
import { renderAt } from '../../../test/render';

describe('the header says who is signed in', () => {
  it('given a reader signed in through SWA, names them, says "reader" and offers sign-out', async () => {
    mockApi({ 'GET /api/me': json(READER_ME), 'GET /api/databricks/jobs': json([]) });
    renderAt('/databricks/jobs');

    const header = screen.getByRole('banner');
    expect(await within(header).findByText('kim@example.com')).toBeInTheDocument();
    expect(within(header).getByText(/Signed in as/)).toHaveTextContent('Signed in as kim@example.com reader');
    expect(within(header).getByRole('link', { name: 'Sign out' })).toHaveAttribute(
      'href',
      '/.auth/logout?post_logout_redirect_uri=/',
    );
  });

  it('given local development (no sign-in), says "admin" and offers no sign-out', async () => {
    mockApi({ 'GET /api/me': json(ADMIN_ME), 'GET /api/databricks/jobs': json([]) });
    renderAt('/databricks/jobs');

    const header = screen.getByRole('banner');
    expect(await within(header).findByText(/Signed in as/)).toHaveTextContent('Signed in as local developer admin');
    expect(within(header).queryByRole('link', { name: 'Sign out' })).not.toBeInTheDocument();
  });

  it('says which time zone the times are in', async () => {
    mockApi({ 'GET /api/databricks/jobs': json([]) });
    renderAt('/databricks/jobs');
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    expect(await screen.findByText(`Times are in your local time zone (${zone}); hover over a time to see it in UTC.`)).toBeInTheDocument();
  });
});
