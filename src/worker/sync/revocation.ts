/**
 * Taking data publishing back from a flooder. A receiver that muted a connection for forged or junk
 * sync packets (src/shared/sync.ts createMute) reports it; the server records the revocation (its
 * being's next tokens for the room leave data out) and tells LiveKit at once with one UpdateParticipant
 * call from the budget, after which LiveKit drops that connection's packets before any receiver reads them.
 */
import type { BeingId } from "../../shared/entities.ts";
import type { Revocation } from "../../shared/responses.ts";
import type { Db } from "../db/client.ts";
import { markRevocationApplied, revokePublishing } from "../db/queries/publishing.ts";
import type { ViewerRef } from "../db/queries/viewer.ts";
import { PUBLISH_REVOCATION_SECONDS } from "../settings.ts";
import { revokeDataPublishing } from "./livekit.ts";
import { callRoomAdmin } from "./room-admin.ts";

/** Records the report of a muted connection of `being` and, when it begins a revocation, takes the permission from the connection. */
export async function revokeMuted(env: Env, db: Db, viewer: ViewerRef, space: BeingId, muted: { identity: string; being: BeingId }): Promise<Revocation> {
  const { fresh, ...revocation } = await revokePublishing(db, viewer, space, muted, PUBLISH_REVOCATION_SECONDS);
  if (!fresh) return revocation;
  const applied = await tellLivekit(env, db, space, muted.identity);
  console.log(JSON.stringify({ event: "sync_publish_revoked", space, identity: muted.identity, applied }));
  return { ...revocation, applied };
}

/** One UpdateParticipant call; the revocation is marked applied once LiveKit took it. */
async function tellLivekit(env: Env, db: Db, space: BeingId, identity: string): Promise<boolean> {
  const applied = await callRoomAdmin(env, db, { event: "sync_publish_revoked", space, identity }, (service) => revokeDataPublishing(service, space, identity));
  if (applied) await markRevocationApplied(db, space, identity);
  return applied;
}
