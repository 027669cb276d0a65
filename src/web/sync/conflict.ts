/** The row a stale `ifVersion` was refused with: the server's 409 carries it as `details.current`. */
import { decodeDates } from "../../shared/dates.ts";
import type { Being, Intention } from "../../shared/entities.ts";
import { ApiError } from "../../shared/errors.ts";

/** The row as it is now, from a write refused as stale; undefined for any other failure. */
export function conflictingRow<Row extends Being | Intention>(error: unknown): Row | undefined {
  if (!(error instanceof ApiError && error.code === "CONFLICT")) return undefined;
  const current = (error.details as { current?: unknown } | undefined)?.current;
  // An error's details arrive as plain JSON (dates as text); the app holds Dates.
  return current ? (decodeDates(current) as Row) : undefined;
}
