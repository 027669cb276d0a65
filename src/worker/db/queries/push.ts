/** Web Push: each device's subscription (one per session) and preferences, and what the push queue sends to it. */
import { sql } from "drizzle-orm";
import { NOTIFICATION_KINDS, type BeingId, type IntentionId, type NotificationKind } from "../../../shared/entities.ts";
import { ApiError } from "../../../shared/errors.ts";
import type { PushSubscriptionInput } from "../../../shared/schemas.ts";
import { query, type Db } from "../client.ts";
import { requireSignedIn } from "./access.ts";
import { snippetOf } from "./notifications.ts";
import { viewerCte, type ViewerRef } from "./viewer.ts";

/** A device's push settings as the API shows them (its endpoint and keys never leave the server again). */
export interface PushDevice {
  kinds: NotificationKind[];
}

/** How long a device's "this space is open and visible" holds unless reported again (the page repeats it every minute). */
export const VISIBLE_FOR_SECONDS = 90;

const kindsArray = (kinds: readonly NotificationKind[]) => sql`${`{${kinds.join(",")}}`}::text[]`;

/**
 * Subscribes the viewer's device (its session): replaces its earlier subscription (keeping its kinds unless given; a new
 * one wants every kind), and takes the endpoint over from another session of the same browser (signed out and in again).
 */
export async function subscribeDevice(db: Db, viewer: ViewerRef, input: PushSubscriptionInput): Promise<PushDevice> {
  const kinds = kindsArray(input.kinds ?? NOTIFICATION_KINDS);
  // Two statements of one transaction: in one, the insert would still meet the row the other session held.
  const [, saved] = await db.batch([
    db.execute(sql`WITH ${viewerCte(viewer)}
      DELETE FROM push_subscriptions p USING viewer v
      WHERE v.id IS NOT NULL AND p.endpoint = ${input.endpoint} AND p.session_id <> ${viewer.sessionId}`),
    db.execute(sql`WITH ${viewerCte(viewer)},
      saved AS (
        INSERT INTO push_subscriptions AS p (session_id, being_id, endpoint, p256dh, auth, kinds)
        SELECT ${viewer.sessionId}, v.id, ${input.endpoint}, ${input.keys.p256dh}, ${input.keys.auth}, ${kinds} FROM viewer v WHERE v.id IS NOT NULL
        ON CONFLICT (session_id) DO UPDATE SET being_id = excluded.being_id, endpoint = excluded.endpoint, p256dh = excluded.p256dh,
          auth = excluded.auth, kinds = ${input.kinds ? sql`excluded.kinds` : sql`p.kinds`}, modified_at = now()
        RETURNING p.kinds
      )
      SELECT v.id AS viewer_id, (SELECT kinds FROM saved) AS kinds FROM viewer v`),
  ]);
  const row = saved.rows[0] as { viewer_id: string | null; kinds: NotificationKind[] | null } | undefined;
  requireSignedIn(row);
  return { kinds: row.kinds ?? [] };
}

/** The viewer's device's push settings, or null when it is not subscribed. */
export async function deviceSubscription(db: Db, viewer: ViewerRef): Promise<PushDevice | null> {
  const [row] = await query<{ viewer_id: string | null; kinds: NotificationKind[] | null }>(
    db,
    sql`WITH ${viewerCte(viewer)}
        SELECT v.id AS viewer_id, (SELECT p.kinds FROM push_subscriptions p WHERE p.session_id = ${viewer.sessionId} AND p.being_id = v.id) AS kinds
        FROM viewer v`,
  );
  requireSignedIn(row);
  return row.kinds ? { kinds: row.kinds } : null;
}

/** Ends the viewer's device's subscription (nothing when there is none). */
export async function unsubscribeDevice(db: Db, viewer: ViewerRef): Promise<void> {
  const [row] = await query<{ viewer_id: string | null }>(
    db,
    sql`WITH ${viewerCte(viewer)},
        gone AS (DELETE FROM push_subscriptions p USING viewer v WHERE p.session_id = ${viewer.sessionId} AND p.being_id = v.id)
        SELECT v.id AS viewer_id FROM viewer v`,
  );
  requireSignedIn(row);
}

/** Sets which kinds the viewer's device wants pushed; 404 when it is not subscribed. */
export async function setDeviceKinds(db: Db, viewer: ViewerRef, kinds: readonly NotificationKind[]): Promise<PushDevice> {
  const [row] = await query<{ viewer_id: string | null; kinds: NotificationKind[] | null }>(
    db,
    sql`WITH ${viewerCte(viewer)},
        saved AS (
          UPDATE push_subscriptions p SET kinds = ${kindsArray(kinds)}, modified_at = now() FROM viewer v
          WHERE p.session_id = ${viewer.sessionId} AND p.being_id = v.id RETURNING p.kinds
        )
        SELECT v.id AS viewer_id, (SELECT kinds FROM saved) AS kinds FROM viewer v`,
  );
  requireSignedIn(row);
  if (!row.kinds) throw new ApiError("NOT_FOUND", "this device is not subscribed to notifications");
  return { kinds: row.kinds };
}

/** Records the space the viewer's device has open and visible (null: none), for VISIBLE_FOR_SECONDS. */
export async function setDeviceVisibleSpace(db: Db, viewer: ViewerRef, space: BeingId | null): Promise<void> {
  const [row] = await query<{ viewer_id: string | null }>(
    db,
    sql`WITH ${viewerCte(viewer)},
        saved AS (
          UPDATE push_subscriptions p SET visible_space_id = ${space},
            visible_until = ${space === null ? sql`NULL` : sql`now() + make_interval(secs => ${VISIBLE_FOR_SECONDS})`}
          FROM viewer v WHERE p.session_id = ${viewer.sessionId} AND p.being_id = v.id
        )
        SELECT v.id AS viewer_id FROM viewer v`,
  );
  requireSignedIn(row);
}

/** One push to send: a notification, to one device. */
export interface PushDelivery {
  notification: number;
  session: string;
}

/**
 * Takes the new notifications of `spaces` for pushing (each is taken once, whatever number of notices name its space)
 * and returns one delivery per device of their beings. Notifications older than an hour are taken but not pushed: a
 * push that late would be noise.
 */
export async function takeNewNotifications(db: Db, spaces: readonly BeingId[]): Promise<PushDelivery[]> {
  const rows = await query<{ notification: string; session: string }>(
    db,
    sql`WITH taken AS (
          UPDATE notifications n SET pushed_at = now()
          WHERE n.space_id = ANY(${`{${spaces.join(",")}}`}::text[]) AND n.pushed_at IS NULL
          RETURNING n.id, n.being_id, n.created_at
        )
        SELECT t.id AS notification, p.session_id AS session
        FROM taken t JOIN push_subscriptions p ON p.being_id = t.being_id
        WHERE t.created_at > now() - interval '1 hour'`,
  );
  return rows.map((row) => ({ notification: Number(row.notification), session: row.session }));
}

/** What one push carries and where it goes, when may_push allows it now. */
export interface PushMessage {
  endpoint: string;
  p256dh: string;
  auth: string;
  kind: NotificationKind;
  spaceId: BeingId;
  spaceName: string;
  intention: IntentionId;
  authorName: string | null;
  snippet: string;
}

/** The push of `delivery`, or null when it must not be sent now (may_push in the rulebook says why not). */
export async function pushMessageOf(db: Db, delivery: PushDelivery, superuserIds: readonly string[]): Promise<PushMessage | null> {
  const [row] = await query<PushMessage>(
    db,
    sql`SELECT p.endpoint, p.p256dh, p.auth, n.kind, s.id AS "spaceId", s.name AS "spaceName", i.id AS intention,
          (SELECT a.name FROM beings a, beings b WHERE a.id = i.owner_id AND b.id = n.being_id
             AND may_see_being(a, b.id, is_superuser(b, ${JSON.stringify(superuserIds)}::jsonb))) AS "authorName",
          ${snippetOf(sql`i.content`)} AS snippet
        FROM notifications n
        JOIN push_subscriptions p ON p.session_id = ${delivery.session}
        JOIN intentions i ON i.id = n.intention_id
        JOIN beings s ON s.id = n.space_id
        WHERE n.id = ${delivery.notification} AND may_push(n, p, ${JSON.stringify(superuserIds)}::jsonb)`,
  );
  return row ?? null;
}

/** Deletes a subscription the push service reported gone (only if the device has not subscribed anew since). */
export async function forgetSubscription(db: Db, session: string, endpoint: string): Promise<void> {
  await query(db, sql`DELETE FROM push_subscriptions WHERE session_id = ${session} AND endpoint = ${endpoint}`);
}

/** Spaces with notifications no push notice took within `seconds` (a forward to the push queue that was lost), at most 100. */
export async function spacesWithUntakenNotifications(db: Db, seconds: number): Promise<BeingId[]> {
  const rows = await query<{ space_id: BeingId }>(
    db,
    sql`SELECT DISTINCT n.space_id FROM notifications n
        WHERE n.pushed_at IS NULL AND n.created_at < now() - make_interval(secs => ${seconds}) LIMIT 100`,
  );
  return rows.map((row) => row.space_id);
}
