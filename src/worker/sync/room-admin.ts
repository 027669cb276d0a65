/**
 * One LiveKit room-administration call made in answer to a request (taking a flooder's data publishing,
 * ending a removed reader's connection): taken from the LiveKit API budget like every other call, and
 * counted in the operator's figures; a failure is logged, never thrown at the request that caused it.
 */
import type { Db } from "../db/client.ts";
import { describeError } from "../log.ts";
import { budgetSettings } from "../settings.ts";
import { recordCounters } from "./broadcast.ts";
import { waitForLivekitCall } from "./budget.ts";
import { livekitConfig, SyncRoomService } from "./livekit.ts";

/** How long such a call waits for the budget to spare it; past it, the call is not made. */
const CALL_PATIENCE_MS = 5_000;

/**
 * Makes `call` against LiveKit's room service when live sync is configured and the budget spares a call
 * in time; true when it was made and succeeded. `about` (event, space, identity) heads the log line of a failure.
 */
export async function callRoomAdmin(
  env: Env,
  db: Db,
  about: { event: string; space: string; identity: string },
  call: (service: SyncRoomService) => Promise<unknown>,
): Promise<boolean> {
  const config = livekitConfig(env);
  if (!config) return false;
  try {
    if (!(await waitForLivekitCall(db, budgetSettings(env), CALL_PATIENCE_MS))) return false;
    await recordCounters(db, { calls: 1 });
    await call(new SyncRoomService(config));
    return true;
  } catch (error) {
    await recordCounters(db, { failures: 1 });
    console.error(JSON.stringify({ ...about, outcome: "failed", error: describeError(error) }));
    return false;
  }
}
