import { apiRequest } from '../../../lib/api-client';

export interface Me {
  name: string;
  roles: string[];
  isAdmin: boolean;
  /** swa: signed in through Static Web Apps (sign-out exists); none: local development. */
  authMode: 'swa' | 'none';
  /** The role creating requests and running jobs need (ADMIN_ROLE). */
  adminRole: string;
}

/** GET /api/me — the caller as the API sees them. */
export async function getMe(signal?: AbortSignal): Promise<Me> {
  const { data } = await apiRequest<Me>('/me', { signal });
  return data;
}
