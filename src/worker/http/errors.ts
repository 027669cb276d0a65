/** Renders every failure in the contract's one error shape; nothing else reaches a client. */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { ApiError, codeForStatus } from "../../shared/errors.ts";
import { sqlState } from "../db/client.ts";
import { causes } from "../log.ts";
import { DatabaseUnreachable } from "../db/bounded-fetch.ts";
import type { AppEnv } from "../env.ts";
import { describeError, stackFrames } from "../log.ts";

/**
 * Seconds a 503 asks the caller to wait before trying again. Neon wakes a suspended compute in a
 * few hundred ms, so a second usually finds it awake; callers back off further on their own.
 */
const RETRY_AFTER_SECONDS = 1;

/** Maps what a database error means for the caller; undefined when it is our fault (INTERNAL). */
function fromDatabase(state: string): ApiError | undefined {
  if (state === "23505") return new ApiError("CONFLICT", "that id is taken");
  // Raised by keep_a_way_in() (db/rulebook.sql): removing a being's last passkey or provider account.
  if (state === "SPW01") return new ApiError("CONFLICT", "at least one way in must remain: add another passkey or sign-in provider first");
  if (state === "23503") return new ApiError("VALIDATION", "the request refers to a being that does not exist");
  // Text the database cannot store (NUL, unpaired surrogates): validation refuses it first; this is the backstop.
  if (state === "22021" || state === "22P05") return new ApiError("VALIDATION", "the request holds text that cannot be stored");
  if (state === "40P01" || state === "40001") return new ApiError("UNAVAILABLE", "the database is busy: retry shortly");
  return undefined;
}

/**
 * Why the database could not serve the request at all, for the log; undefined if it could. Not
 * reached, no answer in time, a 5xx from Neon (see bounded-fetch.ts), or a server refusing connections
 * (SQLSTATE class 08) or shutting down or starting up (57P01 admin, 57P02 crash, 57P03 cannot connect now).
 */
function unreachableReason(error: unknown): string | undefined {
  const fault = [...causes(error)].find((e) => e instanceof DatabaseUnreachable);
  if (fault) return fault.message;
  const state = sqlState(error);
  return state && (state.startsWith("08") || /^57P0[123]$/.test(state)) ? `SQLSTATE ${state}` : undefined;
}

/** Converts any thrown value into an ApiError, logging the ones that are not the caller's doing. */
function toApiError(error: unknown, c: Context<AppEnv>): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof HTTPException) {
    return new ApiError(codeForStatus(error.status), error.message || "bad request");
  }
  const requestId = c.get("requestId");
  const reason = unreachableReason(error);
  if (reason) {
    // An outage, not a bug: the reason only (the failed query's text and parameters stay out of the log).
    console.warn(JSON.stringify({ level: "warn", event: "database_unreachable", requestId, path: c.req.path, reason }));
    return new ApiError("UNAVAILABLE", "the database cannot be reached: retry shortly", { requestId });
  }
  const state = sqlState(error);
  const mapped = state ? fromDatabase(state) : undefined;
  if (mapped) return mapped;
  console.error(JSON.stringify({ level: "error", requestId, path: c.req.path, error: describeError(error), stack: stackFrames(error) }));
  return new ApiError("INTERNAL", "something went wrong on our side", { requestId });
}

/** The response to any failure: the contract's error body, and a Retry-After on every 503 and wherever the error names one. */
export function errorResponse(error: unknown, c: Context<AppEnv>): Response {
  const apiError = toApiError(error, c);
  if (apiError.retryAfter !== undefined) c.header("Retry-After", String(apiError.retryAfter));
  else if (apiError.status === 503) c.header("Retry-After", String(RETRY_AFTER_SECONDS));
  return c.json(apiError.toBody(), apiError.status as 400);
}
