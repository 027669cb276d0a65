/**
 * The inbox's unread count, one for the whole app (it is the signed-in being's, whichever space is open): fetched
 * when the page comes back into view, every few minutes, and soon after a change in the open space concerns me.
 */
import { createSignal } from "solid-js";
import { mentionedIds, replyTarget } from "../../shared/content.ts";
import type { BeingId } from "../../shared/entities.ts";
import type { Change } from "../../shared/sync.ts";
import { call, client } from "../api.ts";
import type { SpaceState } from "../sync/apply.ts";

const REFRESH_EVERY_MS = 120_000;
// The notification is written in the write's own transaction, so it is there when its change arrives; the pause
// only lets a burst of such changes cost one request.
const AFTER_CHANGE_MS = 500;

const [unread, setUnread] = createSignal(0);
let started = false;
let soon: ReturnType<typeof setTimeout> | undefined;

/** The signed-in being's unread notifications (at most INBOX_UNREAD_CAP); starts keeping it fresh on first use. */
export function inboxUnread(): number {
  if (!started) start();
  return unread();
}

/** Sets the count from an answer that carried it (the inbox's list, marking read). */
export const setInboxUnread = setUnread;

/** Fetches the count now; a failure keeps the last one (the next refresh tries again). */
export async function refreshInboxUnread(): Promise<void> {
  clearTimeout(soon);
  soon = undefined;
  try {
    setUnread((await call(() => client.api.notifications.$get({ query: { limit: "1" } }))).unread);
  } catch {
    // Offline or signed out: the count stays as it was.
  }
}

function start(): void {
  started = true;
  void refreshInboxUnread();
  setInterval(() => document.visibilityState === "visible" && void refreshInboxUnread(), REFRESH_EVERY_MS);
  const onVisible = () => document.visibilityState === "visible" && void refreshInboxUnread();
  document.addEventListener("visibilitychange", onVisible);
  addEventListener("focus", onVisible);
}

/**
 * Called with each batch of changes applied in the open space: when one may have notified me (a finished message
 * mentioning me, replying to my message, or a bot's finished reply to me), the count is fetched soon.
 */
export function noticeChanges(changes: readonly Change[], me: BeingId, view: SpaceState | null): void {
  const concernsMe = changes.some((change) => {
    if (change.kind !== "intention" || change.op !== "upsert" || change.data.state !== "complete" || change.data.ownerId === me) return false;
    const { content, askerId } = change.data;
    if (askerId === me || mentionedIds(content).includes(me)) return true;
    const target = replyTarget(content);
    return target !== null && view?.intentions[target]?.ownerId === me;
  });
  if (concernsMe && started) soon ??= setTimeout(() => void refreshInboxUnread(), AFTER_CHANGE_MS);
}
