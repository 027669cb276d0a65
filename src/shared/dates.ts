/**
 * The one date codec for JSON. JSON has no dates: the database renders a row's timestamps as ISO
 * strings (being_json(), intention_json()), and so does every response body. The worker's row decoding
 * (src/worker/db/rows.ts) and the web client's response decoding (src/web/api.ts) both turn them back
 * into Dates here, by the same keys. Sync packets carry their dates in superjson's own format (pack.ts).
 */
import type { ContentNode } from "./entities.ts";

/** Keys whose string value is a timestamp, at any depth (outside what people wrote). */
const DATE_KEYS = ["createdAt", "modifiedAt", "at", "minute", "blockedUntil", "lastUsedAt", "revokedAt", "until"] as const;
/** Keys whose value holds timestamps by id (a snapshot's presence.lastSeen): the ids are no date keys. */
const DATE_RECORD_KEYS = ["lastSeen"] as const;
// What people wrote (a being's properties, content nodes and their props) may use any key: never read for dates.
const VERBATIM_KEYS = ["properties", "content"] as const;

type DateKey = (typeof DATE_KEYS)[number];
type DateRecordKey = (typeof DATE_RECORD_KEYS)[number];
type VerbatimKey = (typeof VERBATIM_KEYS)[number];

type DateOf<V> = V extends string ? Date : V;

/** T as JSON carried it (dates as strings, as Hono's client types a body), with its dates decoded. */
export type Decoded<T> = T extends readonly (infer E)[]
  ? Decoded<E>[]
  : T extends object
    ? {
        [K in keyof T]: K extends DateKey
          ? DateOf<T[K]>
          : K extends DateRecordKey
            ? { [Id in keyof T[K]]: DateOf<T[K][Id]> }
            : K extends "content"
              ? ContentNode[] // verbatim; Hono's JSON typing gives up at a recursive type (JSONValue), so say it here
              : K extends VerbatimKey
                ? T[K]
                : Decoded<T[K]>;
      }
    : T;

const has = (keys: readonly string[], key: string) => keys.includes(key);
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);
const toDate = (value: unknown) => (typeof value === "string" ? new Date(value) : value);

function decodeEntry(key: string, value: unknown): unknown {
  if (has(DATE_KEYS, key)) return toDate(value);
  if (has(VERBATIM_KEYS, key)) return value;
  if (has(DATE_RECORD_KEYS, key) && isRecord(value)) {
    return Object.fromEntries(Object.entries(value).map(([id, at]) => [id, toDate(at)]));
  }
  return decodeDates(value);
}

/** A copy of parsed JSON with the contract's timestamps as Dates (keys and their order kept). */
export function decodeDates<T>(value: T): Decoded<T> {
  if (Array.isArray(value)) return value.map((item: unknown) => decodeDates(item)) as Decoded<T>;
  if (!isRecord(value)) return value as Decoded<T>;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, decodeEntry(key, item)])) as Decoded<T>;
}
