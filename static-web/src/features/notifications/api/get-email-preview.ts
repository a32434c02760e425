import { apiRequest } from '../../../lib/api-client';
import type { Platform } from '../../../lib/platforms';
import type { ReminderType } from '../../requests/types';

export interface EmailPreview {
  kind: ReminderType;
  /** null: rendered for a sample request. */
  requestKey: string | number | null;
  recipient: string;
  sender: string;
  subject: string;
  text: string;
  /** The HTML part: show it only in a sandboxed frame. */
  html: string;
}

/** GET /api/{p}/email-preview?kind=...[&requestKey=...] — admin only (403 otherwise). */
export async function getEmailPreview(
  platform: Platform,
  kind: ReminderType,
  requestKey?: string,
): Promise<EmailPreview> {
  const key = requestKey?.trim();
  const { data } = await apiRequest<EmailPreview>(`/${platform}/email-preview`, {
    query: { kind, requestKey: key ? key : undefined },
  });
  return data;
}
