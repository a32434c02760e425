import type { ApiResponse } from '../../../lib/api-client';
import type { JobAnswer, JobStarted } from '../types';

/** A job POST's answer: 202 means started and still running; 200 carries the result. */
export function jobAnswer<R>(response: ApiResponse<R | JobStarted>, readResult: (data: R) => R): JobAnswer<R> {
  if (response.status === 202) return { finished: false, started: response.data as JobStarted };
  return { finished: true, result: readResult(response.data as R) };
}
