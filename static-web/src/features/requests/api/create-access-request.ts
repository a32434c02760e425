import { apiRequest } from '../../../lib/api-client';
import type { Platform } from '../../../lib/platforms';
import type { AccessRequest, CreateRequestBody } from '../types';

/** POST /api/{p}/access-requests → 201 and the created item. */
export async function createAccessRequest(platform: Platform, body: CreateRequestBody): Promise<AccessRequest> {
  const { data } = await apiRequest<AccessRequest>(`/${platform}/access-requests`, { method: 'POST', body });
  return data;
}
