import type { Problem } from './types';

/**
 * A failed API call. Carries the server's problem+json (RFC 9457) when there was one, so that
 * screens can show its `detail` and request id instead of a generic "Error".
 */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem | null;

  constructor(status: number, problem: Problem | null, fallbackMessage: string) {
    super(problem?.detail ?? fallbackMessage);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
  }

  get code(): string | null {
    return this.problem?.code ?? null;
  }

  get requestId(): string | null {
    return this.problem?.request_id ?? null;
  }
}

export function isProblem(value: unknown): value is Problem {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return typeof candidate.detail === 'string' && typeof candidate.code === 'string';
}

/** Builds the error for a response that was not ok, from the body openapi-fetch parsed (if any). */
export function apiErrorFrom(response: Response, body: unknown): ApiError {
  const problem = isProblem(body) ? body : null;
  const fallback =
    typeof body === 'string' && body.trim() !== ''
      ? body
      : `The server answered ${response.status} ${response.statusText}`.trim();
  return new ApiError(response.status, problem, fallback);
}

/** What a person should read about any error: the problem's detail, or a plain explanation. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof TypeError) return 'The server could not be reached. Check your connection and try again.';
  if (error instanceof Error && error.message) return error.message;
  return 'Something went wrong.';
}

/** The server's reasons per input field (a 422's `errors`), the first one for each field. */
export function fieldErrorsOf(error: unknown): Readonly<Record<string, string>> {
  const reasons: Record<string, string> = {};
  if (!(error instanceof ApiError)) return reasons;
  for (const { field, message } of error.problem?.errors ?? []) reasons[field] ??= message;
  return reasons;
}
