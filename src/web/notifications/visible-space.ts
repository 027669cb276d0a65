/**
 * Tells the server which space this device has open and visible, so nothing from it is pushed here meanwhile
 * (POST /api/push/visible, which holds 90 s): when it shows or hides, and every minute while shown. Only on a device
 * that allowed notifications: any other has no subscription for the report to spare.
 */
import { onCleanup } from "solid-js";
import type { BeingId } from "../../shared/entities.ts";
import { call, client } from "../api.ts";

const REPEAT_MS = 60_000;

// One report at a time, in order: leaving one space and opening the next must not land the other way round.
let reported: Promise<unknown> = Promise.resolve();
const report = (space: BeingId | null) =>
  (reported = reported.then(() => call(() => client.api.push.visible.$post({ json: { space } })).catch(() => undefined)));

/** Reports `space` as open here while its page is mounted and visible. */
export function reportVisibleSpace(space: BeingId): void {
  if (typeof Notification === "undefined" || Notification.permission !== "granted") return;
  const now = () => void report(document.visibilityState === "visible" ? space : null);
  now();
  const timer = setInterval(() => document.visibilityState === "visible" && now(), REPEAT_MS);
  document.addEventListener("visibilitychange", now);
  onCleanup(() => {
    clearInterval(timer);
    document.removeEventListener("visibilitychange", now);
    void report(null);
  });
}
