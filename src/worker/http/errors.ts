/** Renders every failure in the contract's one error shape; nothing else reaches a client. */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { ApiError, type ErrorCode } from "../../shared/errors.ts";
import { sqlState } from "../db/client.ts";
import type { AppEnv } from "../env.ts";

const STATUS_CODES: Record<number, ErrorCode> = {
  400: "VALIDATION",
  401: "UNAUTHENTICATED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  413: "PAYLOAD_TOO_LARGE",
  429: "RATE_LIMITED",
};

/** Maps what a database error means for the caller; undefined when it is our fault (INTERNAL). */
function fromDatabase(state: string): ApiError | undefined {
  if (state === "23505") return new ApiError("CONFLICT", "that id is taken");
  if (state === "23503") return new ApiError("VALIDATION", "the request refers to a being that does not exist");
  // Text the database cannot store (NUL, unpaired surrogates): validation refuses it first; this is the backstop.
  if (state === "22021" || state === "22P05") return new ApiError("VALIDATION", "the request holds text that cannot be stored");
  if (state === "40P01" || state === "40001" || state.startsWith("08") || state === "57P01") {
    return new ApiError("UNAVAILABLE", "the database is busy: retry shortly");
  }
  return undefined;
}

/** Converts any thrown value into an ApiError, logging the ones that are our fault. */
export function toApiError(error: unknown, c: Context<AppEnv>): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof HTTPException) {
    return new ApiError(STATUS_CODES[error.status] ?? "VALIDATION", error.message || "bad request");
  }
  const state = sqlState(error);
  const mapped = state ? fromDatabase(state) : undefined;
  if (mapped) return mapped;
  const requestId = c.get("requestId");
  console.error(JSON.stringify({ level: "error", requestId, path: c.req.path, error: String(error), stack: (error as Error)?.stack }));
  if (String(error).includes("Error connecting to database")) {
    return new ApiError("UNAVAILABLE", "the database cannot be reached: retry shortly", { requestId });
  }
  return new ApiError("INTERNAL", "something went wrong on our side", { requestId });
}
