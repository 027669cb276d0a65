/**
 * Ways into a being beyond its guest cookie: passkeys, provider identities, and the single-use
 * challenges of the ceremonies that make and use them. Each function is one statement.
 */
import { sql, type SQL } from "drizzle-orm";
import type { Being, BeingId } from "../../../shared/entities.ts";
import { ApiError } from "../../../shared/errors.ts";
import type { IdentityInfo, PasskeyInfo } from "../../../shared/responses.ts";
import { query, queryOne, type Db } from "../client.ts";
import { toBeing } from "../rows.ts";
import type { authChallenges } from "../schema.ts";
import { requireSignedIn } from "./access.ts";
import { insertSession, type NewSession } from "./sessions.ts";
import { viewerCte, type ViewerRef } from "./viewer.ts";

/** Seconds a ceremony may take from its options (or redirect) to its answer. */
export const CHALLENGE_TTL_SECONDS = 5 * 60;

type ChallengeKind = typeof authChallenges.$inferSelect.kind;

/** Stores a ceremony's challenge (or OIDC state); expired ones are swept by the same statement. */
export async function saveChallenge(
  db: Db,
  challenge: { id: string; kind: ChallengeKind; beingId: BeingId | null; data?: Record<string, string> },
): Promise<void> {
  await query(
    db,
    sql`WITH swept AS (DELETE FROM auth_challenges WHERE expires_at < now())
        INSERT INTO auth_challenges (id, kind, being_id, data, expires_at)
        VALUES (${challenge.id}, ${challenge.kind}, ${challenge.beingId}, ${JSON.stringify(challenge.data ?? null)}::jsonb,
                now() + make_interval(secs => ${CHALLENGE_TTL_SECONDS}))`,
  );
}

/** A consumed challenge: the being it was issued for (if any) and its data. */
interface Challenge {
  beingId: BeingId | null;
  data: Record<string, string> | null;
}

/**
 * Takes a challenge: reads and deletes it in one statement, so it is good for one answer only, right or
 * wrong. Null when it does not exist, was used already, or has expired.
 */
export async function takeChallenge(db: Db, id: string, kind: ChallengeKind): Promise<Challenge | null> {
  const [row] = await query<{ being_id: BeingId | null; data: Record<string, string> | null; fresh: boolean }>(db, deleteChallenge(id, kind));
  return row?.fresh ? { beingId: row.being_id, data: row.data } : null;
}

/** Deletes a challenge, answering its being, its data, and whether it was still `fresh` (not expired). */
const deleteChallenge = (id: string, kind: ChallengeKind) =>
  sql`DELETE FROM auth_challenges WHERE id = ${id} AND kind = ${kind} RETURNING being_id, data, expires_at > now() AS fresh`;

/** What registering a passkey needs: the viewer's being and the credentials it already has (not to be made twice). */
export async function registrationContext(db: Db, viewer: ViewerRef): Promise<{ being: Being; credentials: { id: string; transports: string[] }[] }> {
  const [row] = await query<{ viewer_id: string; being: unknown; credentials: { id: string; transports: string[] }[] }>(
    db,
    sql`WITH ${viewerCte(viewer)}
        SELECT v.id AS viewer_id, being_json(b) AS being,
               (SELECT coalesce(jsonb_agg(jsonb_build_object('id', p.id, 'transports', p.transports)), '[]') FROM passkeys p WHERE p.being_id = b.id) AS credentials
        FROM viewer v JOIN beings b ON b.id = v.id`,
  );
  requireSignedIn(row);
  return { being: toBeing(row.being), credentials: row.credentials };
}

/** A verified new credential. */
export interface NewPasskey {
  id: string;
  publicKey: string;
  counter: number;
  transports: string[];
  label: string;
}

interface PasskeyRow {
  id: string;
  label: string;
  created_at: string;
  last_used_at: string | null;
}

const toPasskeyInfo = (row: PasskeyRow): PasskeyInfo => ({
  id: row.id,
  label: row.label,
  createdAt: new Date(row.created_at),
  lastUsedAt: row.last_used_at ? new Date(row.last_used_at) : null,
});

/** Adds a passkey to `beingId`, which must still be the viewer's being (the ceremony began for it). */
export async function addPasskey(db: Db, viewer: ViewerRef, beingId: BeingId, passkey: NewPasskey): Promise<PasskeyInfo> {
  const [row] = await query<{ viewer_id: string | null; passkey: PasskeyRow | null }>(
    db,
    sql`WITH ${viewerCte(viewer)},
        added AS (
          INSERT INTO passkeys (id, being_id, public_key, counter, transports, label)
          SELECT ${passkey.id}, v.id, ${passkey.publicKey}, ${passkey.counter}, ${JSON.stringify(passkey.transports)}::jsonb, ${passkey.label}
          FROM viewer v WHERE v.id = ${beingId}
          ON CONFLICT (id) DO NOTHING
          RETURNING id, label, created_at, last_used_at
        )
        SELECT v.id AS viewer_id, (SELECT to_jsonb(a) FROM added a) AS passkey FROM viewer v`,
  );
  requireSignedIn(row);
  if (row.viewer_id !== beingId) throw new ApiError("FORBIDDEN", "the passkey was begun for another being: start again");
  if (!row.passkey) throw new ApiError("CONFLICT", "this passkey is registered already");
  return toPasskeyInfo(row.passkey);
}

/** A stored credential, as a sign-in verifies against it. */
export interface StoredPasskey {
  id: string;
  publicKey: string;
  counter: number;
  transports: string[];
}

/**
 * Takes a sign-in challenge (see takeChallenge) and reads the credential the browser answered with, in one
 * statement. `fresh` is false when the challenge is unknown, used or expired.
 */
export async function takeSignInChallenge(db: Db, challenge: string, credentialId: string): Promise<{ fresh: boolean; passkey: StoredPasskey | null }> {
  const [row] = await query<{ fresh: boolean | null; id: string | null; public_key: string; counter: string | number; transports: string[] }>(
    db,
    sql`WITH taken AS (${deleteChallenge(challenge, "passkey-signin")})
        SELECT (SELECT fresh FROM taken) AS fresh, p.id, p.public_key, p.counter, p.transports
        FROM (SELECT 1) AS one LEFT JOIN passkeys p ON p.id = ${credentialId}`,
  );
  const passkey = row?.id ? { id: row.id, publicKey: row.public_key, counter: Number(row.counter), transports: row.transports } : null;
  return { fresh: row?.fresh === true, passkey };
}

/**
 * Signs in with a verified passkey: moves its counter forward (only from the value that was verified, so
 * two uses racing with one signature cannot both pass), starts a session for its being and ends the
 * request's old session, in one statement.
 */
export async function signInWithPasskey(
  db: Db,
  viewer: ViewerRef,
  use: { credentialId: string; verifiedCounter: number; newCounter: number },
  session: NewSession,
): Promise<Being> {
  const [row] = await query<{ being: unknown }>(
    db,
    sql`WITH used AS (
          UPDATE passkeys SET counter = ${use.newCounter}, last_used_at = now()
          WHERE id = ${use.credentialId} AND counter = ${use.verifiedCounter}
          RETURNING being_id AS id
        ),
        session AS (${insertSession(session, sql`used`)}),
        ended AS (DELETE FROM sessions WHERE id = ${viewer.sessionId} AND EXISTS (SELECT 1 FROM used))
        SELECT being_json(b) AS being FROM used u JOIN beings b ON b.id = u.id`,
  );
  if (!row) throw new ApiError("UNAUTHENTICATED", "the passkey was used by another sign-in at the same moment: try again");
  return toBeing(row.being);
}

/** The viewer's passkeys, newest first. */
export async function listPasskeys(db: Db, viewer: ViewerRef): Promise<PasskeyInfo[]> {
  const [row] = await query<{ viewer_id: string | null; passkeys: PasskeyRow[] }>(
    db,
    sql`WITH ${viewerCte(viewer)}
        SELECT v.id AS viewer_id, (
          SELECT coalesce(jsonb_agg(jsonb_build_object('id', p.id, 'label', p.label, 'created_at', p.created_at, 'last_used_at', p.last_used_at)
                                    ORDER BY p.created_at DESC), '[]')
          FROM passkeys p WHERE p.being_id = v.id) AS passkeys
        FROM viewer v`,
  );
  requireSignedIn(row);
  return row.passkeys.map(toPasskeyInfo);
}

/**
 * Runs `removal`, a DELETE of one of the viewer's ways in (its table aliased, `USING viewer v`, RETURNING a
 * row). The last way in is refused by the database (keep_a_way_in() in db/rulebook.sql).
 */
async function removeWayIn(db: Db, viewer: ViewerRef, removal: SQL, notFound: string): Promise<void> {
  const [row] = await query<{ viewer_id: string | null; removed: boolean }>(
    db,
    sql`WITH ${viewerCte(viewer)}, removed AS (${removal})
        SELECT v.id AS viewer_id, EXISTS (SELECT 1 FROM removed) AS removed FROM viewer v`,
  );
  requireSignedIn(row);
  if (!row.removed) throw new ApiError("NOT_FOUND", notFound);
}

/** Removes one of the viewer's passkeys. */
export function removePasskey(db: Db, viewer: ViewerRef, id: string): Promise<void> {
  return removeWayIn(db, viewer, sql`DELETE FROM passkeys p USING viewer v WHERE p.id = ${id} AND p.being_id = v.id RETURNING p.id`, "no such passkey");
}

/** The viewer's linked provider accounts (provider ids; the route adds display names). */
export async function listIdentities(db: Db, viewer: ViewerRef): Promise<{ provider: string; createdAt: Date }[]> {
  const [row] = await query<{ viewer_id: string | null; identities: { provider: string; created_at: string }[] }>(
    db,
    sql`WITH ${viewerCte(viewer)}
        SELECT v.id AS viewer_id, (
          SELECT coalesce(jsonb_agg(jsonb_build_object('provider', i.provider, 'created_at', i.created_at) ORDER BY i.created_at), '[]')
          FROM identities i WHERE i.being_id = v.id) AS identities
        FROM viewer v`,
  );
  requireSignedIn(row);
  return row.identities.map((i) => ({ provider: i.provider, createdAt: new Date(i.created_at) }));
}

/** Unlinks the viewer's account at `provider`. */
export function removeIdentity(db: Db, viewer: ViewerRef, provider: string): Promise<void> {
  const removal = sql`DELETE FROM identities i USING viewer v WHERE i.provider = ${provider} AND i.being_id = v.id RETURNING i.provider`;
  return removeWayIn(db, viewer, removal, "no account at that provider is linked");
}

/** A verified account at a provider, and what to call a being made for it. */
interface VerifiedIdentity {
  provider: string;
  subject: string;
  newBeing: { id: BeingId; name: string };
}

/**
 * The one statement of a provider sign-in, after the provider's answer was verified:
 * - an identity linked already signs in as its being (never as anyone else);
 * - a new identity creates a being, or, with `attachTo`, links to that being, which must still be the
 *   viewer's (the person chose "Save this identity" from it);
 * - attaching an identity that is linked to another being is a CONFLICT, and writes nothing.
 * A sign-in (no `attachTo`) starts a session and ends the request's old one.
 */
export async function signInWithIdentity(
  db: Db,
  viewer: ViewerRef,
  identity: VerifiedIdentity,
  attachTo: BeingId | null,
  session: NewSession,
): Promise<void> {
  const { provider, subject, newBeing } = identity;
  const row = await queryOne<{ found_id: BeingId | null; target: BeingId | null }>(
    db,
    sql`WITH ${viewerCte(viewer)},
        facts AS (
          SELECT (SELECT being_id FROM identities WHERE provider = ${provider} AND subject = ${subject}) AS found_id, v.id AS viewer_id
          FROM viewer v
        ),
        created AS (
          INSERT INTO beings (id, name, type, owner_id)
          SELECT ${newBeing.id}, ${newBeing.name}, 'guest', ${newBeing.id} FROM facts f
          WHERE f.found_id IS NULL AND ${attachTo}::text IS NULL
          RETURNING id
        ),
        target AS (
          SELECT CASE
            WHEN f.found_id IS NOT NULL THEN CASE WHEN ${attachTo}::text IS NULL OR f.found_id = ${attachTo} THEN f.found_id END
            WHEN ${attachTo}::text IS NOT NULL THEN CASE WHEN f.viewer_id = ${attachTo} THEN f.viewer_id END
            ELSE (SELECT id FROM created)
          END AS id
          FROM facts f
        ),
        linked AS (
          INSERT INTO identities (provider, subject, being_id)
          SELECT ${provider}, ${subject}, t.id FROM target t, facts f WHERE t.id IS NOT NULL AND f.found_id IS NULL
        ),
        signed_in AS (SELECT t.id FROM target t WHERE t.id IS NOT NULL AND ${attachTo}::text IS NULL),
        session AS (${insertSession(session, sql`signed_in`)}),
        ended AS (DELETE FROM sessions WHERE id = ${viewer.sessionId} AND EXISTS (SELECT 1 FROM signed_in))
        SELECT f.found_id, t.id AS target FROM facts f, target t`,
  );
  if (!attachTo) return;
  if (row.found_id && row.found_id !== attachTo) throw new ApiError("CONFLICT", "that account is linked to another being already");
  if (!row.target) throw new ApiError("FORBIDDEN", "you signed out or changed being while at the provider: start again");
}
