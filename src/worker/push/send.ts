/** Sends one Web Push message (RFC 8030): the encrypted payload, POSTed to the device's push service with VAPID. */
import { fromBase64url } from "../../shared/signing.ts";
import { encryptPushPayload } from "./encrypt.ts";
import { vapidAuthorization, type VapidKeys } from "./vapid.ts";

/** What the service worker receives (src/web/service-worker/sw.ts shows it): the notification and where it opens. */
export interface PushPayload {
  title: string;
  body: string;
  /** The app's path of the message: `/<space>?message=<intention>`. */
  url: string;
  /** Notifications with one tag replace each other: one per message, whatever number of kinds. */
  tag: string;
}

/** A day: a notification that reaches a device later than that is stale (RFC 8030 §5.2). */
const TTL_SECONDS = 86_400;
const SEND_TIMEOUT_MS = 10_000;
const encoder = new TextEncoder();

/** Where a push goes: the subscription's endpoint and keys, as stored (base64url). */
export interface PushTarget {
  endpoint: string;
  p256dh: string;
  auth: string;
}

/** POSTs `payload` to `target`'s push service; answers its response (201 sent, 404/410 gone, others failed). */
export async function sendPush(target: PushTarget, payload: PushPayload, vapid: VapidKeys): Promise<Response> {
  const body = await encryptPushPayload(encoder.encode(JSON.stringify(payload)), {
    p256dh: fromBase64url(target.p256dh),
    auth: fromBase64url(target.auth),
  });
  return fetch(target.endpoint, {
    method: "POST",
    headers: {
      Authorization: await vapidAuthorization(target.endpoint, vapid),
      "Content-Encoding": "aes128gcm",
      "Content-Type": "application/octet-stream",
      TTL: String(TTL_SECONDS),
      Urgency: "normal",
    },
    body,
    // Never followed: a redirect could lead the worker to an address no listed push service has.
    redirect: "manual",
    signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
  });
}
