import { apiRequest } from '../../../lib/api-client';
import type { Platform } from '../../../lib/platforms';

/** What a create accepts (GET /api/{p}/request-options), offered on the form up front. */
export interface RequestOptions {
  /** The values requestType may take (<PLATFORM>_REQUEST_TYPES). */
  requestTypes: string[];
  /** Below 1 only in test mode (an already-expired request). */
  minExpiresInDays: number;
  maxExpiresInDays: number;
  /** The longest value each platform field takes, by field name. */
  maxLengths: Record<string, number>;
  /** requestedByEmail must be in one of these; empty: any. */
  allowedEmailDomains: string[];
}

export async function getRequestOptions(platform: Platform, signal?: AbortSignal): Promise<RequestOptions> {
  const { data } = await apiRequest<RequestOptions>(`/${platform}/request-options`, { signal });
  return data;
}
