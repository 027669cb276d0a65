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
import { describeError } from "../log.ts";
import { budgetSettings, PUBLISH_REVOCATION_SECONDS } from "../settings.ts";
import { recordCounters } from "./broadcast.ts";
import { waitForLivekitCall } from "./budget.ts";
import { livekitConfig, revokeDataPublishing, SyncRoomService } from "./livekit.ts";

/** How long a report waits for the budget to spare the call; past it, only new tokens carry the revocation. */
const CALL_PATIENCE_MS = 5_000;

/** Records the report of a muted connection of `being` and, when it begins a revocation, takes the permission from the connection. */
export async function revokeMuted(env: Env, db: Db, viewer: ViewerRef, space: BeingId, muted: { identity: string; being: BeingId }): Promise<Revocation> {
  const { fresh, ...revocation } = await revokePublishing(db, viewer, space, muted, PUBLISH_REVOCATION_SECONDS);
  if (!fresh) return revocation;
  const applied = await tellLivekit(env, db, space, muted.identity);
  console.log(JSON.stringify({ event: "sync_publish_revoked", space, identity: muted.identity, applied }));
  return { ...revocation, applied };
}

async function tellLivekit(env: Env, db: Db, space: BeingId, identity: string): Promise<boolean> {
  const config = livekitConfig(env);
  if (!config) return false;
  const budget = budgetSettings(env);
  try {
    if (!(await waitForLivekitCall(db, budget, CALL_PATIENCE_MS))) return false;
    await recordCounters(db, { calls: 1 });
    await revokeDataPublishing(new SyncRoomService(config), space, identity);
    await markRevocationApplied(db, space, identity);
    return true;
  } catch (error) {
    await recordCounters(db, { failures: 1 });
    console.error(JSON.stringify({ event: "sync_publish_revoked", space, identity, outcome: "failed", error: describeError(error) }));
    return false;
  }
}
