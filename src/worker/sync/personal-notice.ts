/**
 * Sends a personal notice (src/shared/personal-notice.ts) to one being's own connections: one SendData per
 * room where room_participants shows that being connected, addressed to those connections only
 * (destinationIdentities), taken from the LiveKit budget like every room-administration call. Coalesced per
 * being and kind: at most one every NOTICE_GAP_SECONDS; one asked for inside the gap waits for its end and
 * goes then, unless another went meanwhile (that one came after the change it announces). Nobody connected: no call.
 */
import { sql } from "drizzle-orm";
import type { Context } from "hono";
import { DataPacket_Kind } from "livekit-server-sdk";
import type { BeingId } from "../../shared/entities.ts";
import { PERSONAL_TOPIC, personalNoticePayload, type PersonalNoticeKind } from "../../shared/personal-notice.ts";
import { query, type Db } from "../db/client.ts";
import { takeUnnoticedNotifications } from "../db/queries/notifications.ts";
import type { AppEnv } from "../env.ts";
import { describeError } from "../log.ts";
import { callRoomAdmin } from "./room-admin.ts";
import { syncSigner } from "./signer.ts";

/** The least time between two notices of one kind to one being. */
export const NOTICE_GAP_SECONDS = 2;

/** Connections a notice leaves out, because they know already: one connection, and every connection in some rooms. */
export interface NoticeSkip {
  identity?: string;
  rooms?: readonly BeingId[];
}

/**
 * Tells every connection of `being` but those `skip` names that its `kind` changed; returns how many rooms it was
 * sent in. Meant for `waitUntil`.
 */
export async function sendPersonalNotice(env: Env, db: Db, being: BeingId, kind: PersonalNoticeKind, skip: NoticeSkip = {}): Promise<number> {
  let claim = await claimNotice(db, being, kind);
  if (!claim.claimed) {
    await new Promise((resolve) => setTimeout(resolve, claim.waitSeconds * 1000));
    claim = await claimNotice(db, being, kind);
  }
  const rooms = claim.rooms
    .filter(({ space }) => !skip.rooms?.includes(space))
    .map(({ space, identities }) => ({ space, identities: identities.filter((identity) => identity !== skip.identity) }))
    .filter(({ identities }) => identities.length > 0);
  if (rooms.length === 0) return 0;
  const signed = await (await syncSigner(env)).sign(personalNoticePayload({ to: being, kind, at: Date.now() }));
  const packet = new TextEncoder().encode(JSON.stringify(signed));
  const nonce = crypto.getRandomValues(new Uint8Array(16));
  let sent = 0;
  for (const { space: room, identities } of rooms) {
    const about = { event: "personal_notice", space: room, identity: being };
    const options = { topic: PERSONAL_TOPIC, destinationIdentities: identities, nonce };
    if (await callRoomAdmin(env, db, about, (service) => service.sendData(room, packet, DataPacket_Kind.RELIABLE, options))) sent += 1;
  }
  return sent;
}

/**
 * Takes the being's slot for a notice of `kind` when the last one is NOTICE_GAP_SECONDS old: then with the
 * rooms its connections are in; else with the seconds until the slot frees.
 */
async function claimNotice(db: Db, being: BeingId, kind: PersonalNoticeKind) {
  const [row] = await query<{ claimed: boolean; wait: number | null; rooms: { space: BeingId; identities: string[] }[] | null }>(
    db,
    sql`WITH claimed AS (
          INSERT INTO personal_notices AS p (being_id, kind) VALUES (${being}, ${kind})
          ON CONFLICT (being_id, kind) DO UPDATE SET sent_at = now()
            WHERE p.sent_at <= now() - make_interval(secs => ${NOTICE_GAP_SECONDS})
          RETURNING 1)
        SELECT EXISTS (SELECT 1 FROM claimed) AS claimed,
          -- The statement's snapshot: the row as it was before, which held the slot when none was claimed.
          (SELECT extract(epoch FROM p.sent_at + make_interval(secs => ${NOTICE_GAP_SECONDS}) - now())::float8
           FROM personal_notices p WHERE p.being_id = ${being} AND p.kind = ${kind}) AS wait,
          (SELECT json_agg(json_build_object('space', x.space_id, 'identities', x.identities)) FROM (
             SELECT space_id, array_agg(identity ORDER BY identity) AS identities FROM room_participants
             WHERE present AND split_part(identity, '#', 1) = ${being} GROUP BY space_id) AS x) AS rooms`,
  );
  return {
    claimed: row?.claimed === true,
    waitSeconds: Math.min(NOTICE_GAP_SECONDS, Math.max(0, Number(row?.wait ?? 0))),
    rooms: row?.claimed ? (row.rooms ?? []) : [],
  };
}

/** Sends the notice after the response (the write does not wait on LiveKit); a failure is logged, never thrown. */
export function noticeAfterResponse(c: Context<AppEnv>, being: BeingId, kind: PersonalNoticeKind, except?: string): void {
  const sending = sendPersonalNotice(c.env, c.var.db, being, kind, { identity: except }).catch((error) =>
    console.error(JSON.stringify({ level: "warn", event: "personal_notice_failed", being, kind, error: describeError(error) })),
  );
  c.executionCtx.waitUntil(sending);
}

/**
 * Tells each being with notifications new in `spaces` (the sync consumer's batch) that its inbox changed, so its
 * open pages in other spaces see their inbox counts rise live. A failure is logged, never thrown.
 */
export async function noticeNewNotifications(env: Env, db: Db, spaces: readonly BeingId[]): Promise<void> {
  try {
    const taken = await takeUnnoticedNotifications(db, spaces);
    // A page in the notification's own space sees the change that caused it, and counts it itself (noticeChanges).
    await Promise.all(taken.map(({ being, spaces }) => sendPersonalNotice(env, db, being, "inbox", { rooms: spaces })));
  } catch (error) {
    console.error(JSON.stringify({ level: "warn", event: "inbox_notice_failed", spaces, error: describeError(error) }));
  }
}
