/** Optimistic concurrency: a write sent with `ifVersion` happens only while the row still has that version. */
import { sql, type SQL } from "drizzle-orm";
import { ApiError } from "../../../shared/errors.ts";

/**
 * SQL: whether `row` (the row being updated, locked) still has the version the caller expects; true
 * without `ifVersion`. Part of the UPDATE's WHERE, so the check and the write are one step.
 */
export const matchesVersion = (row: SQL, ifVersion: number | undefined) =>
  sql`(${ifVersion ?? null}::integer IS NULL OR ${row}.version = ${ifVersion ?? null}::integer)`;

/** Whether a row the caller could not write has moved past the version the caller sent. */
export const isStale = (current: { version: number }, ifVersion: number | undefined) =>
  ifVersion !== undefined && current.version !== ifVersion;

/** The 409 of a stale `ifVersion`: `details.current` is the row as it is, for the caller to merge or overwrite. */
export const staleVersion = (what: string, current: { version: number }) =>
  new ApiError("CONFLICT", `the ${what} changed meanwhile: it is at version ${current.version}`, { current });
