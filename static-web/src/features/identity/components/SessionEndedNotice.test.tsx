import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ACTIVE_JOB, databricksRequest } from '../../../test/fixtures';
import { html, json, mockApi, signInRedirect, type MockReply } from '../../../test/mock-api';
import { advance, renderAt } from '../../../test/render';

const BASE = '/api/databricks/access-requests';
const NOTICE = 'Your session has ended — sign in again.';
const LOGIN_PAGE = '<!doctype html><html><body><h1>Sign in to your account</h1><form action="/.auth/login/aad"></form></body></html>';

/** Every endpoint the app's pages read, answering as SWA does once the session has ended. */
function sessionEnded(reply: MockReply = signInRedirect()) {
  return mockApi({
    'GET /api/health': reply,
    'GET /api/me': reply,
    [`GET ${BASE}`]: reply,
    [`GET ${BASE}/pending-expiry`]: reply,
    [`GET ${BASE}/pending-notifications`]: reply,
    [`GET ${BASE}/notification-job-status`]: reply,
    [`GET ${BASE}/revoke-job-status`]: reply,
    'GET /api/databricks/jobs': reply,
    'GET /api/databricks/request-options': reply,
    [`POST ${BASE}`]: reply,
  });
}

/** What a page would show had it taken the login page for an (empty) answer. */
const WRONG = [/No requests yet/, /No active request is past its expiry/, /No request needs a reminder/, /Nobody needs a reminder/,
  /No expired requests are waiting/, /No job runs yet/, /undefined/, /<html/i, /Sign in to your account/];

function expectOneNoticeAndNoWrongData(returnTo: string) {
  const alerts = screen.getAllByRole('alert');
  expect(alerts).toHaveLength(1);
  expect(alerts[0]).toHaveTextContent(NOTICE);
  expect(screen.getByRole('link', { name: 'Sign in again' })).toHaveAttribute(
    'href',
    `/.auth/login/aad?post_login_redirect_uri=${encodeURIComponent(returnTo)}`,
  );
  for (const wrong of WRONG) expect(document.body.textContent).not.toMatch(wrong);
}

describe('an ended session', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it.each([
    ['All Requests', '/databricks/requests?page=2'],
    ['Pending Expiry', '/databricks/pending-expiry'],
    ['Expiry Notifications', '/databricks/notifications'],
    ['Revoke Expired', '/databricks/revoke'],
    ['Job History', '/databricks/jobs?page=2'],
    ['A run', '/databricks/jobs/run-1'],
    ['Create Request', '/databricks/requests/new'],
  ])('given SWA redirects every call to sign-in, %s shows one notice that returns to the page, and no data', async (_, path) => {
    sessionEnded();

    renderAt(path);

    await screen.findByText(NOTICE);
    await vi.waitFor(() => {
      expectOneNoticeAndNoWrongData(path);
    });
  });

  it('given a login page served in place of JSON, the job pages keep their buttons disabled instead of "0 to do"', async () => {
    sessionEnded(html(LOGIN_PAGE));

    renderAt('/databricks/revoke');

    await screen.findByText(NOTICE);
    expectOneNoticeAndNoWrongData('/databricks/revoke');
    expect(screen.getByRole('button', { name: /^Run Revoke Job/ })).toBeDisabled();
  });

  it('given the session ends before a create is submitted, the form says so instead of printing the login page', async () => {
    const api = mockApi({
      [`POST ${BASE}`]: html(LOGIN_PAGE),
      'GET /api/databricks/request-options': json({
        requestTypes: ['Read'], minExpiresInDays: 1, maxExpiresInDays: 36500, maxLengths: {}, allowedEmailDomains: [],
      }),
    });
    const user = userEvent.setup();
    renderAt('/databricks/requests/new');
    await screen.findByRole('option', { name: 'Read' });
    await user.selectOptions(screen.getByRole('combobox', { name: 'Request type' }), 'Read');
    await user.type(screen.getByRole('textbox', { name: 'Requested by (name)' }), 'Alice');
    await user.type(screen.getByRole('textbox', { name: 'Requester email' }), 'alice@example.com');

    await user.click(screen.getByRole('button', { name: 'Create request' }));

    await screen.findByText(NOTICE);
    expect(api.callsTo(`POST ${BASE}`)).toHaveLength(1);
    expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent('Create Request');
    expect(document.body.textContent).not.toMatch(/Sign in to your account|<html/i);
  });

  it('given a job running, the 3-second poll surfaces the ended session, and recovers once signed in again', async () => {
    vi.useFakeTimers();
    let status: MockReply = json({ isLocked: true, activeJob: ACTIVE_JOB });
    const api = mockApi({
      [`GET ${BASE}/revoke-job-status`]: () => status,
      [`GET ${BASE}/pending-expiry`]: json([databricksRequest()]),
    });
    renderAt('/databricks/revoke');
    await advance();
    expect(screen.getByRole('status')).toHaveTextContent('Job is currently running');

    // When the session ends while the page polls
    status = signInRedirect();
    await advance(3000);

    // Then the poll's failure is shown (not taken for "finished"), and polling goes on
    expect(screen.getByRole('alert')).toHaveTextContent(NOTICE);
    expect(screen.getByRole('status')).toHaveTextContent('Job is currently running');
    const polls = api.callsTo(`GET ${BASE}/revoke-job-status`).length;
    await advance(3000);
    expect(api.callsTo(`GET ${BASE}/revoke-job-status`)).toHaveLength(polls + 1);

    // And when the user signs in again (another tab) and the job has finished, the page carries on
    status = json({ isLocked: false, activeJob: null });
    await advance(3000);
    expect(screen.queryByText(NOTICE)).not.toBeInTheDocument();
    expect(screen.queryByRole('status')).not.toBeInTheDocument();
  });
});
