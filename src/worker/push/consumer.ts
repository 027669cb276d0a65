/**
 * The push queue's consumer, the one place pushes are sent. Two kinds of message: a space whose change log grew
 * (forwarded by the sync consumer), whose new notifications are taken and become one delivery per device; and one
 * delivery, sent unless may_push (the rulebook) says no at that moment. A push service's 404 or 410 deletes the
 * subscription; any other failure is retried by the queue (max_retries in wrangler.toml), then dropped.
 */
import { number, object, string, union } from "zod";
import { NOTIFICATION_DEEDS, type BeingId } from "../../shared/entities.ts";
import { beingId } from "../../shared/schemas.ts";
import { createDb, type Db } from "../db/client.ts";
import { forgetSubscription, pushMessageOf, spacesWithUntakenNotifications, takeNewNotifications, type PushDelivery, type PushMessage } from "../db/queries/push.ts";
import { describeError } from "../log.ts";
import { accountSettings, pushServiceHosts, pushSettings } from "../settings.ts";
import { mayPushTo } from "./endpoint.ts";
import { sendPush, type PushPayload } from "./send.ts";
import type { VapidKeys } from "./vapid.ts";

/** The push queue (wrangler.toml); the Worker's queue handler sends its batches here. */
export const PUSH_QUEUE_NAME = "spaces-push";

const spaceNotice = object({ space: beingId });
const delivery = object({ notification: number().int().positive(), session: string().min(1).max(200) });
const pushMessage = union([spaceNotice, delivery]);

/** Retry delay after the n-th failed attempt: 5, 10, 20 … seconds, at most five minutes. */
const retryDelaySeconds = (attempts: number) => Math.min(300, 5 * 2 ** Math.max(0, attempts - 1));

/** Tells the push queue that these spaces' logs grew (the sync consumer calls it); a failure is logged, never thrown. */
export async function forwardToPush(env: Pick<Env, "PUSH_QUEUE" | "VAPID_PUBLIC_KEY" | "VAPID_PRIVATE_KEY">, spaces: readonly BeingId[]): Promise<void> {
  if (spaces.length === 0 || !pushSettings(env)) return;
  try {
    await env.PUSH_QUEUE.sendBatch(spaces.map((space) => ({ body: { space }, contentType: "json" as const })));
  } catch (error) {
    console.error(JSON.stringify({ level: "warn", event: "push_forward_failed", spaces, error: describeError(error) }));
  }
}

/** The cron's part: spaces whose new notifications no notice took after a minute are forwarded again. */
export async function sweepUntakenNotifications(env: Env): Promise<void> {
  if (!pushSettings(env)) return;
  await forwardToPush(env, await spacesWithUntakenNotifications(createDb(env), 60));
}

/** Handles a batch of the push queue: the spaces' new notifications become deliveries, and deliveries are sent. */
export async function handlePushBatch(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const vapid = pushSettings(env);
  if (!vapid) return batch.ackAll();
  const db = createDb(env);
  const spaces: BeingId[] = [];
  const spaceMessages: Message<unknown>[] = [];
  const sends: Promise<void>[] = [];
  for (const message of batch.messages) {
    const parsed = pushMessage.safeParse(message.body);
    if (!parsed.success) {
      console.error(JSON.stringify({ event: "push_message_malformed", id: message.id }));
      message.ack();
    } else if ("space" in parsed.data) {
      spaces.push(parsed.data.space);
      spaceMessages.push(message);
    } else sends.push(deliverOne(db, env, vapid, parsed.data, message));
  }
  if (spaces.length > 0) sends.push(fanOut(db, env, spaces, spaceMessages));
  await Promise.all(sends);
}

/** Takes the spaces' new notifications and enqueues one delivery per device. */
async function fanOut(db: Db, env: Pick<Env, "PUSH_QUEUE">, spaces: readonly BeingId[], messages: readonly Message<unknown>[]): Promise<void> {
  try {
    const deliveries = await takeNewNotifications(db, [...new Set(spaces)]);
    for (let i = 0; i < deliveries.length; i += 100) {
      await env.PUSH_QUEUE.sendBatch(deliveries.slice(i, i + 100).map((body) => ({ body, contentType: "json" as const })));
    }
    messages.forEach((message) => message.ack());
  } catch (error) {
    console.error(JSON.stringify({ level: "warn", event: "push_fan_out_failed", spaces, error: describeError(error) }));
    messages.forEach((message) => message.retry({ delaySeconds: retryDelaySeconds(message.attempts) }));
  }
}

/** The notification as its device shows it. */
function payloadOf(message: PushMessage): PushPayload {
  return {
    title: `${message.authorName ?? "Someone"} ${NOTIFICATION_DEEDS[message.kind]} in ${message.spaceName}`,
    body: message.snippet,
    url: `/${message.spaceId}?message=${encodeURIComponent(message.intention)}`,
    tag: message.intention,
  };
}

/** Sends one delivery, if it may be sent now; acks, or retries a failure the push service may get over. */
async function deliverOne(db: Db, env: Env, vapid: VapidKeys, target: PushDelivery, message: Message<unknown>): Promise<void> {
  try {
    const push = await pushMessageOf(db, target, accountSettings(env).superuserIds);
    if (!push) return message.ack();
    // Asked again at sending: the listed services may have changed since the subscription was taken.
    if (!mayPushTo(push.endpoint, pushServiceHosts(env))) {
      await forgetSubscription(db, target.session, push.endpoint);
      console.log(JSON.stringify({ event: "push_endpoint_refused" }));
      return message.ack();
    }
    const response = await sendPush(push, payloadOf(push), vapid);
    await response.body?.cancel();
    // A push service answers a push itself: gone (404, 410), or a redirect, which is no push service's answer.
    if (response.status === 404 || response.status === 410 || (response.status >= 300 && response.status < 400)) {
      await forgetSubscription(db, target.session, push.endpoint);
      console.log(JSON.stringify({ event: "push_subscription_gone", status: response.status }));
      return message.ack();
    }
    if (!response.ok) throw new Error(`the push service answered ${response.status}`);
    message.ack();
  } catch (error) {
    console.error(JSON.stringify({ level: "warn", event: "push_failed", notification: target.notification, attempts: message.attempts, error: describeError(error) }));
    message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
  }
}
