/**
 * The fast path's server side: a write answers with its own changes, signed, and a writer that says it
 * will publish them into the room (`Sync-Relay: 1`) gets their broadcast held for the grace
 * (SYNC_RELAY_GRACE_SECONDS) while its confirmation (POST /api/spaces/:id/relayed) may come. Any change
 * still unconfirmed then is broadcast as always (src/worker/sync/broadcast.ts): a relay never loses one.
 */
import type { Context } from "hono";
import type { BeingId } from "../../shared/entities.ts";
import type { SignedBatch } from "../../shared/signing.ts";
import type { SpaceChanges } from "../db/queries/appended.ts";
import type { AppEnv } from "../env.ts";
import { SYNC_RELAY_GRACE_SECONDS } from "../settings.ts";
import { notifyAfterCommit } from "./notify.ts";
import { packOne } from "./pack.ts";
import { syncSigner } from "./signer.ts";

/** Whether the writer says it will publish this write's changes into the rooms itself. */
export function relayRequested(c: Context<AppEnv>): boolean {
  return c.req.header("Sync-Relay") === "1";
}

/**
 * After a committed write: notifies the sync queue (after the grace when the writer relays, so the
 * broadcast finds what it confirmed) and returns the `sync` the response carries.
 */
export async function relayableChanges(c: Context<AppEnv>, touched: readonly BeingId[], appended: readonly SpaceChanges[]): Promise<SignedBatch[]> {
  notifyAfterCommit(c, touched, relayRequested(c) ? SYNC_RELAY_GRACE_SECONDS : undefined);
  if (appended.length === 0) return [];
  const signer = await syncSigner(c.env);
  return Promise.all(appended.map(({ space, changes }) => signer.sign(packOne(space, changes).payload)));
}
