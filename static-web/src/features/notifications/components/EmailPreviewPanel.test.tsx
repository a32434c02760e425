import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { json, mockApi, problem, type RecordedCall } from '../../../test/mock-api';
import { EmailPreviewPanel } from './EmailPreviewPanel';

const PREVIEW = {
  kind: '7-Day Reminder',
  requestKey: 17,
  recipient: 'kim@example.com',
  sender: 'governance@example.com',
  subject: '7-Day Reminder: your Databricks access expires in 7 days',
  text: 'Hello,\n\nRequest: 17\n',
  html: '<html><body><p>Hello,</p><script>parent.alert(1)</script></body></html>',
};

function setup(reply = json(PREVIEW)) {
  const calls: RecordedCall[] = [];
  mockApi({
    'GET /api/databricks/email-preview': (call) => {
      calls.push(call);
      return reply;
    },
  });
  render(<EmailPreviewPanel platform="databricks" />);
  return { calls, user: userEvent.setup() };
}

describe('EmailPreviewPanel', () => {
  it('asks for the chosen kind and request, and shows the subject, the text and the HTML in a sandboxed frame', async () => {
    const { calls, user } = setup();
    await user.selectOptions(screen.getByLabelText('Message'), '7-Day Reminder');
    await user.type(screen.getByLabelText('Request (optional)'), ' 17 ');
    await user.click(screen.getByRole('button', { name: 'Show preview' }));

    expect(await screen.findByText(PREVIEW.subject)).toBeInTheDocument();
    expect(calls[0]?.url.searchParams.get('kind')).toBe('7-Day Reminder');
    expect(calls[0]?.url.searchParams.get('requestKey')).toBe('17');
    expect(screen.getByText(/Request: 17/).tagName).toBe('PRE');
    const frame = screen.getByTitle('HTML email preview');
    expect(frame.getAttribute('sandbox')).toBe('');
    expect(frame.getAttribute('srcdoc')).toBe(PREVIEW.html);
    expect(document.querySelector('script')).toBeNull(); // the HTML never enters this page's DOM
  });

  it('asks for a sample when no request is named', async () => {
    const { calls, user } = setup();
    await user.click(screen.getByRole('button', { name: 'Show preview' }));

    await screen.findByText(PREVIEW.subject);
    expect(calls[0]?.url.searchParams.get('kind')).toBe('30-Day Reminder');
    expect(calls[0]?.url.searchParams.has('requestKey')).toBe(false);
  });

  it('shows the problem when the preview is refused', async () => {
    const { user } = setup(problem(403, 'Forbidden', { detail: "This needs the role 'access-admin'." }));
    await user.click(screen.getByRole('button', { name: 'Show preview' }));

    expect(await screen.findByRole('alert')).toHaveTextContent('Could not render the preview');
    expect(screen.queryByTitle('HTML email preview')).not.toBeInTheDocument();
  });
});
