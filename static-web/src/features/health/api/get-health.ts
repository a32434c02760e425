import { apiRequest } from '../../../lib/api-client';

export interface Health {
  status: string;
  database: string;
  /** True when the API honours the test-simulation switches (ALLOW_TEST_SIMULATION). */
  testSimulation: boolean;
}

/** GET /api/health → status, database, and whether test simulation is on (a 503 throws an ApiError). */
export async function getHealth(signal?: AbortSignal): Promise<Health> {
  const { data } = await apiRequest<Partial<Health>>('/health', { signal });
  return {
    status: data.status ?? 'unknown',
    database: data.database ?? 'unknown',
    testSimulation: data.testSimulation === true,
  };
}
