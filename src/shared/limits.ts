/**
 * The API's size limits and id shapes, without the schema library: the web app checks input with
 * these (the worker validates everything again with `schemas.ts`, built on them), so zod stays out of
 * the browser.
 */
import type { BeingId } from "./entities.ts";

/** Largest JSON body the API accepts, in bytes. */
export const MAX_BODY_BYTES = 64 * 1024;
export const MAX_NAME_LENGTH = 64;
export const MAX_TEXT_LENGTH = 10_000;
export const MAX_BOT_PROMPT_LENGTH = 8_000;

/** A being id: "@" and 1–64 letters, digits, "_", "." or "-", the first a letter or digit. */
export const BEING_ID_PATTERN = /^@[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** True when `value` has the shape of a being id. */
export function isBeingId(value: string): value is BeingId {
  return BEING_ID_PATTERN.test(value);
}

/**
 * How many of the newest matching messages a message search ranks and pages through: a word in most messages
 * would otherwise rank every one of them (60,000 of 100,000 in tests/bench/search.ts, half a second).
 */
export const SEARCH_WINDOW = 1_000;

/** The inbox's unread count stops at this many (the bell shows "99+"): counting further costs and tells nothing. */
export const INBOX_UNREAD_CAP = 100;
/** Characters of a message's text a notification carries. */
export const NOTIFICATION_SNIPPET_LENGTH = 140;
