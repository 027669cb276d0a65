/** The contract's error codes, their HTTP statuses, and the one error body shape. */

export const ERROR_STATUS = {
  VALIDATION: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  GONE: 410,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

const CODE_OF_STATUS = new Map(Object.entries(ERROR_STATUS).map(([code, status]) => [status as number, code as ErrorCode]));

/** The contract's code for a status that came without one (a framework's own refusal, a proxy's page). */
export function codeForStatus(status: number): ErrorCode {
  // A gateway that could not reach the server or gave up waiting for it: a retry may well get through.
  if (status === 502 || status === 504) return "UNAVAILABLE";
  return CODE_OF_STATUS.get(status) ?? (status >= 500 ? "INTERNAL" : "VALIDATION");
}

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}

/** What a failure says, whatever was thrown. */
export const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** A failure that maps onto the contract's error shape; thrown by worker code, rebuilt by the web client. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly details?: unknown;
  /** Seconds the server asked the caller to wait before trying again (its Retry-After header), if it said. */
  readonly retryAfter?: number;
  constructor(code: ErrorCode, message: string, details?: unknown, retryAfter?: number) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.details = details;
    this.retryAfter = retryAfter;
  }
  get status(): number {
    return ERROR_STATUS[this.code];
  }
  toBody(): ErrorBody {
    const error: ErrorBody["error"] = { code: this.code, message: this.message };
    if (this.details !== undefined) error.details = this.details;
    return { error };
  }
}
