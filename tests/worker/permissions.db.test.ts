/**
 * The permission matrix: every actor against every protected operation, each cell asserting the
 * status and, for a refused write, that the database did not change at all.
 *
 * Actors: anonymous, a signed-in stranger (also the non-member of the private space), the owner of
 * the subject, a member of the private space (an "other guest" everywhere else), a superuser by
 * properties.superuser, and a superuser by configuration (@root in SUPERUSER_IDS).
 *
 * Reads and refused writes run against one shared world (a refused write changes nothing: each
 * cell proves it). A write that is expected to succeed gets a fresh world of its own, so that no
 * cell depends on another's order.
 */
import { sql } from "drizzle-orm";
import { serializeSigned } from "hono/utils/cookie";
import { beforeAll, describe, expect, it } from "vitest";
import type { Being, BeingId, Intention } from "../../src/shared/entities.ts";
import { ERROR_STATUS } from "../../src/shared/errors.ts";
import { newBeingId, newIntentionId } from "../../src/shared/ids.ts";
import { Client, databaseFingerprint, db, sessionFor, type Reply } from "./client.ts";

// ---------------------------------------------------------------------------------------------
// Callers

/**
 * A Client with an address of its own: anonymous writes (sign-ins included) are rate-limited per
 * client address, so each caller gets one instead of sharing "local" with every other test file.
 */
let addresses = 0;
const subnet = `10.${(Math.random() * 250) | 0}`;
class Caller extends Client {
  readonly address = `${subnet}.${(++addresses >> 8) & 255}.${addresses & 255}`;
  override request<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply<T>> {
    return super.request<T>(method, path, body, { "CF-Connecting-IP": this.address, ...headers });
  }
}

async function signIn(name: string): Promise<Caller> {
  const caller = new Caller();
  const reply = await caller.request("POST", "/api/auth/guest", { name });
  if (reply.status !== 201) throw new Error(`guest sign-in failed: ${reply.status} ${JSON.stringify(reply.body)}`);
  caller.being = reply.body.being;
  return caller;
}

async function signInSuperuser(name: string): Promise<Caller> {
  const caller = await signIn(name);
  await db(sql`UPDATE beings SET properties = '{"superuser": true}' WHERE id = ${caller.id}`);
  return caller;
}

const ROOT: BeingId = "@root"; // SUPERUSER_IDS in vitest.config.ts
let root: Client;

async function rootSession(): Promise<Client> {
  await db(sql`INSERT INTO beings (id, name, type, owner_id) VALUES (${ROOT}, 'Root', 'guest', ${ROOT}) ON CONFLICT (id) DO NOTHING`);
  return sessionFor(ROOT);
}

// ---------------------------------------------------------------------------------------------
// Worlds

const ROLES = ["anonymous", "stranger", "owner", "member", "superuser", "root"] as const;
type Role = (typeof ROLES)[number];

interface World {
  anonymous: Caller;
  /** Signed in, unrelated to everything: the non-member of the private space. */
  stranger: Caller;
  /** Owns both spaces, the document and both intentions. */
  owner: Caller;
  /** A member of the private space; an "other guest" for everything it does not own. */
  member: Caller;
  superuser: Caller;
  root: Client;
  publicSpace: Being;
  privateSpace: Being;
  /** A document owned by `owner`, located in the private space. */
  privateDoc: Being;
  publicIntention: Intention;
  privateIntention: Intention;
  /** An intention by `member` in the private space (the space's owner is not its owner). */
  memberIntention: Intention;
}

async function created<T>(reply: Reply, key: string): Promise<T> {
  if (reply.status !== 201) throw new Error(`set-up failed: ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply.body[key] as T;
}

async function makeWorld(): Promise<World> {
  const [stranger, owner, member, superuser] = await Promise.all([
    signIn("Stranger"),
    signIn("Owner"),
    signIn("Member"),
    signInSuperuser("Super"),
  ]);
  const publicSpace = await created<Being>(
    await owner.request("POST", "/api/beings", { id: newBeingId("public"), name: "Public", type: "space" }),
    "being",
  );
  const privateSpace = await created<Being>(
    await owner.request("POST", "/api/beings", {
      id: newBeingId("private"),
      name: "Private",
      type: "space",
      properties: { private: true, members: [member.id] },
    }),
    "being",
  );
  const privateDoc = await created<Being>(
    await owner.request("POST", "/api/beings", { name: "Secret doc", type: "document", locationId: privateSpace.id }),
    "being",
  );
  const publicIntention = await created<Intention>(
    await owner.request("POST", `/api/spaces/${publicSpace.id}/intentions`, { content: "hello, world" }),
    "intention",
  );
  const privateIntention = await created<Intention>(
    await owner.request("POST", `/api/spaces/${privateSpace.id}/intentions`, { content: "hello, members" }),
    "intention",
  );
  const memberIntention = await created<Intention>(
    await member.request("POST", `/api/spaces/${privateSpace.id}/intentions`, { content: "hello from a member" }),
    "intention",
  );
  return {
    anonymous: new Caller(),
    stranger,
    owner,
    member,
    superuser,
    root,
    publicSpace,
    privateSpace,
    privateDoc,
    publicIntention,
    privateIntention,
    memberIntention,
  };
}

let shared: World;

beforeAll(async () => {
  root = await rootSession();
  shared = await makeWorld();
}, 30_000);

// ---------------------------------------------------------------------------------------------
// Assertions

const CODE_OF_STATUS = Object.fromEntries(Object.entries(ERROR_STATUS).map(([code, status]) => [status, code]));

/** The status, and for an error the contract's exact error shape with the code that status implies. */
function expectReply(reply: Reply, status: number, what: string): void {
  expect(reply.status, `${what}: ${JSON.stringify(reply.body)}`).toBe(status);
  if (status >= 400) {
    expect(reply.body).toEqual({ error: expect.objectContaining({ code: CODE_OF_STATUS[status], message: expect.any(String) }) });
    expect(Object.keys(reply.body.error).every((key) => ["code", "message", "details"].includes(key))).toBe(true);
  }
}

/** Runs a request that must be refused and proves the database is exactly as it was. */
async function refused(send: () => Promise<Reply>): Promise<Reply> {
  const before = await databaseFingerprint();
  const reply = await send();
  expect(await databaseFingerprint(), "a refused request changed the database").toBe(before);
  return reply;
}

const intentionPath = (intention: Intention) => `/api/intentions/${encodeURIComponent(intention.id)}`;

// ---------------------------------------------------------------------------------------------
// The matrix

interface Operation {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  path: (w: World, actor: Client) => string;
  body?: (w: World, actor: Client) => unknown;
  /** A success that must write nothing (an idempotent repeat): checked like a refusal. */
  writesNothing?: true;
  /** Checks on a successful reply (the status is checked already). */
  then?: (reply: Reply, w: World, actor: Client) => void | Promise<void>;
}

/** Expected status per actor, in ROLES order: anonymous, stranger, owner, member, superuser, root. */
type Row = [label: string, op: Operation, expected: Record<Role, number>];

const byRole = (anonymous: number, stranger: number, owner: number, member: number, superuser: number, rootStatus: number) =>
  ({ anonymous, stranger, owner, member, superuser, root: rootStatus }) satisfies Record<Role, number>;

const beingIs = (expected: (w: World, actor: Client) => Partial<Being>) => (reply: Reply, w: World, actor: Client) => {
  expect(reply.body.being).toMatchObject(expected(w, actor));
};

const MATRIX: Row[] = [
  // A guest being (no location: visible to everyone; its own owner).
  ["GET a guest", { method: "GET", path: (w) => `/api/beings/${w.owner.id}` }, byRole(200, 200, 200, 200, 200, 200)],
  [
    "PATCH a guest's name",
    {
      method: "PATCH",
      path: (w) => `/api/beings/${w.owner.id}`,
      body: () => ({ name: "Renamed" }),
      then: beingIs((w) => ({ id: w.owner.id, name: "Renamed" })),
    },
    byRole(401, 403, 200, 403, 200, 200),
  ],
  [
    "DELETE a guest",
    {
      method: "DELETE",
      path: (w) => `/api/beings/${w.owner.id}`,
      then: async (_reply, w) => expect((await w.stranger.request("GET", `/api/beings/${w.owner.id}`)).status).toBe(404),
    },
    byRole(401, 403, 204, 403, 204, 204),
  ],

  // A public space.
  ["GET a public space being", { method: "GET", path: (w) => `/api/beings/${w.publicSpace.id}` }, byRole(200, 200, 200, 200, 200, 200)],
  [
    "PATCH a public space",
    {
      method: "PATCH",
      path: (w) => `/api/beings/${w.publicSpace.id}`,
      body: () => ({ name: "Renamed space", content: ["about"] }),
      then: beingIs((w) => ({ id: w.publicSpace.id, name: "Renamed space", content: ["about"], ownerId: w.owner.id })),
    },
    byRole(401, 403, 200, 403, 200, 200),
  ],
  ["DELETE a public space", { method: "DELETE", path: (w) => `/api/beings/${w.publicSpace.id}` }, byRole(401, 403, 204, 403, 204, 204)],

  // A private space (members: [member]): invisible, 404, to everyone else.
  ["GET a private space being", { method: "GET", path: (w) => `/api/beings/${w.privateSpace.id}` }, byRole(404, 404, 200, 200, 200, 200)],
  [
    "PATCH a private space",
    {
      method: "PATCH",
      path: (w) => `/api/beings/${w.privateSpace.id}`,
      body: () => ({ name: "Renamed private" }),
      then: beingIs(() => ({ name: "Renamed private", properties: expect.objectContaining({ private: true }) })),
    },
    byRole(401, 404, 200, 403, 200, 200),
  ],
  [
    "PATCH a private space public (members may not)",
    {
      method: "PATCH",
      path: (w) => `/api/beings/${w.privateSpace.id}`,
      body: () => ({ properties: { private: false } }),
      then: async (_reply, w) => expect((await w.anonymous.request("GET", `/api/spaces/${w.privateSpace.id}`)).status).toBe(200),
    },
    byRole(401, 404, 200, 403, 200, 200),
  ],
  ["DELETE a private space", { method: "DELETE", path: (w) => `/api/beings/${w.privateSpace.id}` }, byRole(401, 404, 204, 403, 204, 204)],
  ["GET a document inside a private space", { method: "GET", path: (w) => `/api/beings/${w.privateDoc.id}` }, byRole(404, 404, 200, 200, 200, 200)],
  [
    "PATCH a document inside a private space",
    { method: "PATCH", path: (w) => `/api/beings/${w.privateDoc.id}`, body: () => ({ content: ["edited"] }) },
    byRole(401, 404, 200, 403, 200, 200),
  ],
  ["DELETE a document inside a private space", { method: "DELETE", path: (w) => `/api/beings/${w.privateDoc.id}` }, byRole(401, 404, 204, 403, 204, 204)],

  // Creating beings: the owner is always the caller; placing one in a private space takes being able to read it.
  [
    "POST a being into a private space",
    {
      method: "POST",
      path: () => "/api/beings",
      body: (w) => ({ name: "Note", type: "document", locationId: w.privateSpace.id }),
      then: beingIs((w, actor) => ({ ownerId: actor.id, locationId: w.privateSpace.id, type: "document" })),
    },
    byRole(401, 404, 201, 201, 201, 201),
  ],
  [
    "POST a being into a public space",
    {
      method: "POST",
      path: () => "/api/beings",
      body: (w) => ({ name: "Bot", type: "bot", locationId: w.publicSpace.id }),
      then: beingIs((w, actor) => ({ ownerId: actor.id, locationId: w.publicSpace.id })),
    },
    byRole(401, 201, 201, 201, 201, 201),
  ],
  [
    "POST a being with properties.superuser",
    {
      method: "POST",
      path: () => "/api/beings",
      body: () => ({ name: "Mighty bot", type: "bot", properties: { superuser: true } }),
      then: beingIs((_w, actor) => ({ ownerId: actor.id, properties: { superuser: true } })),
    },
    byRole(401, 403, 403, 403, 201, 201),
  ],

  // Superuser-only fields.
  [
    "PATCH a guest's properties.superuser (granting it)",
    {
      method: "PATCH",
      path: (w) => `/api/beings/${w.owner.id}`,
      body: () => ({ properties: { superuser: true } }),
      then: async (reply, w) => {
        expect(reply.body.being.properties).toEqual({ superuser: true });
        // It took effect: the new superuser reads a private space it is no member of.
        const other = await w.superuser.request("POST", "/api/beings", {
          name: "Elsewhere",
          type: "space",
          properties: { private: true, members: [] },
        });
        expect(other.status).toBe(201);
        expect((await w.owner.request("GET", `/api/spaces/${other.body.being.id}`)).status).toBe(200);
      },
    },
    byRole(401, 403, 403, 403, 200, 200),
  ],
  [
    "PATCH a guest's properties.superuser to false",
    { method: "PATCH", path: (w) => `/api/beings/${w.owner.id}`, body: () => ({ properties: { superuser: false } }) },
    byRole(401, 403, 403, 403, 200, 200),
  ],
  [
    "PATCH a public space's ownerId",
    {
      method: "PATCH",
      path: (w) => `/api/beings/${w.publicSpace.id}`,
      body: (w) => ({ ownerId: w.stranger.id }),
      then: beingIs((w) => ({ id: w.publicSpace.id, ownerId: w.stranger.id })),
    },
    byRole(401, 403, 403, 403, 200, 200),
  ],
  [
    "PATCH a private space's ownerId",
    {
      method: "PATCH",
      path: (w) => `/api/beings/${w.privateSpace.id}`,
      body: (w) => ({ ownerId: w.member.id }),
      then: async (reply, w) => {
        expect(reply.body.being.ownerId).toBe(w.member.id);
        // The new owner may now change it; the old one may no longer.
        expect((await w.member.request("PATCH", `/api/beings/${w.privateSpace.id}`, { name: "Mine now" })).status).toBe(200);
        expect((await w.owner.request("PATCH", `/api/beings/${w.privateSpace.id}`, { name: "Mine again" })).status).toBe(404);
      },
    },
    byRole(401, 404, 403, 403, 200, 200),
  ],

  // A public space's endpoints: readable by anyone, writable by anyone signed in.
  [
    "GET a public space",
    {
      method: "GET",
      path: (w) => `/api/spaces/${w.publicSpace.id}`,
      then: (reply, w) => {
        expect(reply.body.space.id).toBe(w.publicSpace.id);
        expect(reply.body.intentions.map((i: Intention) => i.id)).toContain(w.publicIntention.id);
      },
    },
    byRole(200, 200, 200, 200, 200, 200),
  ],
  ["GET a public space's intentions", { method: "GET", path: (w) => `/api/spaces/${w.publicSpace.id}/intentions?limit=5` }, byRole(200, 200, 200, 200, 200, 200)],
  ["GET a public space's changes", { method: "GET", path: (w) => `/api/spaces/${w.publicSpace.id}/changes?after=0` }, byRole(200, 200, 200, 200, 200, 200)],
  [
    "POST enter a public space",
    {
      method: "POST",
      path: (w) => `/api/spaces/${w.publicSpace.id}/enter`,
      then: beingIs((w, actor) => ({ id: actor.id, locationId: w.publicSpace.id })),
    },
    byRole(401, 200, 200, 200, 200, 200),
  ],
  [
    "POST an intention to a public space",
    {
      method: "POST",
      path: (w) => `/api/spaces/${w.publicSpace.id}/intentions`,
      body: () => ({ content: "hi" }),
      then: (reply, w, actor) => expect(reply.body.intention).toMatchObject({ ownerId: actor.id, locationId: w.publicSpace.id, content: ["hi"] }),
    },
    byRole(401, 201, 201, 201, 201, 201),
  ],
  ["POST a token for a public space (LiveKit off)", { method: "POST", path: (w) => `/api/spaces/${w.publicSpace.id}/token` }, byRole(401, 503, 503, 503, 503, 503)],

  // A private space's endpoints: 404 to non-members on every one, the catch-up and the token included.
  [
    "GET a private space",
    {
      method: "GET",
      path: (w) => `/api/spaces/${w.privateSpace.id}`,
      then: (reply, w) => {
        expect(reply.body.beings.map((b: Being) => b.id)).toContain(w.privateDoc.id);
        expect(reply.body.intentions.map((i: Intention) => i.id)).toContain(w.privateIntention.id);
      },
    },
    byRole(404, 404, 200, 200, 200, 200),
  ],
  [
    "GET a private space's intentions",
    {
      method: "GET",
      path: (w) => `/api/spaces/${w.privateSpace.id}/intentions?limit=100`,
      then: (reply, w) => expect(reply.body.intentions.map((i: Intention) => i.id)).toContain(w.privateIntention.id),
    },
    byRole(404, 404, 200, 200, 200, 200),
  ],
  [
    "GET a private space's intentions before a cursor",
    { method: "GET", path: (w) => `/api/spaces/${w.privateSpace.id}/intentions?before=${encodeURIComponent(w.memberIntention.id)}` },
    byRole(404, 404, 200, 200, 200, 200),
  ],
  [
    "GET a private space's changes (catch-up)",
    {
      method: "GET",
      path: (w) => `/api/spaces/${w.privateSpace.id}/changes?after=0`,
      then: (reply) => expect(reply.body.changes.length).toBeGreaterThan(0),
    },
    byRole(404, 404, 200, 200, 200, 200),
  ],
  [
    "GET a private space's changes past its end",
    { method: "GET", path: (w) => `/api/spaces/${w.privateSpace.id}/changes?after=999999` },
    byRole(404, 404, 410, 410, 410, 410),
  ],
  [
    "POST enter a private space",
    {
      method: "POST",
      path: (w) => `/api/spaces/${w.privateSpace.id}/enter`,
      then: beingIs((w, actor) => ({ id: actor.id, locationId: w.privateSpace.id })),
    },
    byRole(401, 404, 200, 200, 200, 200),
  ],
  [
    "POST an intention to a private space",
    {
      method: "POST",
      path: (w) => `/api/spaces/${w.privateSpace.id}/intentions`,
      body: () => ({ id: newIntentionId(), content: [{ type: "p", content: ["hi"] }] }),
      then: (reply, w, actor) => expect(reply.body.intention).toMatchObject({ ownerId: actor.id, locationId: w.privateSpace.id }),
    },
    byRole(401, 404, 201, 201, 201, 201),
  ],
  [
    "POST an intention to a private space reusing the owner's intention id",
    {
      method: "POST",
      path: (w) => `/api/spaces/${w.privateSpace.id}/intentions`,
      body: (w) => ({ id: w.privateIntention.id, content: "hello, members" }),
      writesNothing: true,
      then: (reply, w) => expect(reply.body.intention.id).toBe(w.privateIntention.id),
    },
    // The owner's repeat is idempotent (200, nothing written); anyone else who may read: 409; a non-member: 404, not 409.
    byRole(401, 404, 200, 409, 409, 409),
  ],
  ["POST a token for a private space (LiveKit off)", { method: "POST", path: (w) => `/api/spaces/${w.privateSpace.id}/token` }, byRole(401, 404, 503, 503, 503, 503)],
  ["POST a token for a space that does not exist", { method: "POST", path: () => `/api/spaces/@no-such-space-${crypto.randomUUID().slice(0, 8)}/token` }, byRole(401, 404, 404, 404, 404, 404)],
  ["POST a token for a being that is not a space", { method: "POST", path: (w) => `/api/spaces/${w.privateDoc.id}/token` }, byRole(401, 404, 404, 404, 404, 404)],

  // Intentions by id.
  [
    "PATCH an intention in a public space",
    {
      method: "PATCH",
      path: (w) => intentionPath(w.publicIntention),
      body: () => ({ state: "cancelled" }),
      then: (reply, w) => {
        expect(reply.body.intention).toMatchObject({ id: w.publicIntention.id, state: "cancelled", ownerId: w.owner.id });
        expect(reply.body.seq).toBeGreaterThan(0);
      },
    },
    byRole(401, 403, 200, 403, 200, 200),
  ],
  ["DELETE an intention in a public space", { method: "DELETE", path: (w) => intentionPath(w.publicIntention) }, byRole(401, 403, 204, 403, 204, 204)],
  [
    "PATCH an intention in a private space",
    {
      method: "PATCH",
      path: (w) => intentionPath(w.privateIntention),
      body: () => ({ content: "edited" }),
      then: (reply) => expect(reply.body.intention.content).toEqual(["edited"]),
    },
    byRole(401, 404, 200, 403, 200, 200),
  ],
  [
    "DELETE an intention in a private space",
    {
      method: "DELETE",
      path: (w) => intentionPath(w.privateIntention),
      then: async (_reply, w) => {
        const history = await w.owner.request("GET", `/api/spaces/${w.privateSpace.id}/intentions?limit=100`);
        expect(history.body.intentions.map((i: Intention) => i.id)).not.toContain(w.privateIntention.id);
      },
    },
    byRole(401, 404, 204, 403, 204, 204),
  ],
  [
    "PATCH a member's intention (the space's owner is not its owner)",
    { method: "PATCH", path: (w) => intentionPath(w.memberIntention), body: () => ({ state: "failed" }) },
    // Columns: "owner" is the space's owner here; the member owns the intention.
    byRole(401, 404, 403, 200, 200, 200),
  ],
  [
    "DELETE a member's intention (the space's owner is not its owner)",
    { method: "DELETE", path: (w) => intentionPath(w.memberIntention) },
    // Issue 19: a space's owner may remove any message in their space (may_remove_intention).
    byRole(401, 404, 204, 204, 204, 204),
  ],
];

const isWrite = (op: Operation) => op.method !== "GET";

const CELLS = MATRIX.flatMap(([label, op, expected]) => ROLES.map((role) => ({ label, op, role, status: expected[role] })));

describe("the permission matrix", () => {
  it.each(CELLS)("$label as $role → $status", async ({ label, op, role, status }) => {
    // A write that should succeed gets a world of its own; everything else uses the shared one.
    const succeeds = status < 300;
    const w = isWrite(op) && succeeds ? await makeWorld() : shared;
    const actor = w[role];
    const send = () => actor.request(op.method, op.path(w, actor), op.body?.(w, actor));
    const reply = succeeds && !op.writesNothing ? await send() : await refused(send);
    expectReply(reply, status, `${op.method} ${label} as ${role}`);
    if (succeeds) await op.then?.(reply, w, actor);
    if (role === "root" && isWrite(op) && succeeds) await restoreRoot();
  });

  it("covers every actor for every operation", () => {
    expect(CELLS.length).toBe(MATRIX.length * ROLES.length);
  });
});

/** @root is shared with other test files: put it back where it was (nowhere) after it entered a space. */
async function restoreRoot(): Promise<void> {
  const [row] = await db<{ location_id: string | null }>(sql`SELECT location_id FROM beings WHERE id = ${ROOT}`);
  if (row?.location_id) expect((await root.request("PATCH", `/api/beings/${ROOT}`, { locationId: null })).status).toBe(200);
}

// ---------------------------------------------------------------------------------------------
// Targeted cases around the matrix

describe("superusers", () => {
  it("@root is a superuser by configuration only, not by its properties", async () => {
    const [row] = await db<{ properties: Record<string, unknown> }>(sql`SELECT properties FROM beings WHERE id = ${ROOT}`);
    expect(row!.properties.superuser).not.toBe(true);
    const me = await root.request("GET", "/api/me");
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ being: { id: ROOT }, superuser: true });
  });

  it.each(["stranger", "owner", "member"] as const)("the %s cannot make itself superuser, by any spelling", async (role) => {
    const actor = shared[role];
    for (const properties of [{ superuser: true }, { superuser: "true" }, { superuser: 1 }, { superuser: null }, { nested: 1, superuser: true }]) {
      const reply = await refused(() => actor.request("PATCH", `/api/beings/${actor.id}`, { properties }));
      expectReply(reply, 403, `PATCH own properties ${JSON.stringify(properties)}`);
    }
    // Still no superuser: a private space it is not a member of stays hidden.
    expectReply(await actor.request("GET", `/api/spaces/${(await privateSpaceOf(shared.superuser)).id}`), 404, "after the attempts");
  });

  it("a guest cannot give itself away to, or take, another owner", async () => {
    const { stranger, owner } = shared;
    expectReply(await refused(() => stranger.request("PATCH", `/api/beings/${stranger.id}`, { ownerId: owner.id })), 403, "give");
    expectReply(await refused(() => stranger.request("PATCH", `/api/beings/${stranger.id}`, { ownerId: null })), 403, "disown");
    expectReply(await refused(() => stranger.request("PATCH", `/api/beings/${shared.publicSpace.id}`, { ownerId: stranger.id })), 403, "take");
  });

  it("keeps a superuser's flag when its owner edits other properties", async () => {
    // A bot made superuser by a superuser, then handed to a guest: the guest may edit its other
    // properties (the flag stays as the superuser set it) but may not touch the flag itself.
    const guest = await signIn("Heir");
    const bot = await shared.superuser.request("POST", "/api/beings", { name: "Mighty", type: "bot", properties: { superuser: true } });
    expectReply(bot, 201, "create");
    expectReply(await shared.superuser.request("PATCH", `/api/beings/${bot.body.being.id}`, { ownerId: guest.id }), 200, "hand over");
    const edited = await guest.request("PATCH", `/api/beings/${bot.body.being.id}`, { properties: { colour: "red" } });
    expectReply(edited, 200, "edit");
    expect(edited.body.being.properties).toEqual({ colour: "red", superuser: true });
    expectReply(
      await refused(() => guest.request("PATCH", `/api/beings/${bot.body.being.id}`, { properties: { superuser: false } })),
      403,
      "drop the flag",
    );
  });

  it("ignores or refuses ownerId on create: the owner is the caller", async () => {
    const { stranger, owner } = shared;
    const before = await databaseFingerprint();
    const reply = await stranger.request("POST", "/api/beings", { name: "Mine?", type: "document", ownerId: owner.id });
    if (reply.status === 201) {
      expect(reply.body.being.ownerId).toBe(stranger.id);
    } else {
      expectReply(reply, 400, "ownerId on create");
      expect(await databaseFingerprint()).toBe(before);
    }
  });
});

async function privateSpaceOf(creator: Client): Promise<Being> {
  return created<Being>(
    await creator.request("POST", "/api/beings", { name: "Hidden", type: "space", properties: { private: true, members: [] } }),
    "being",
  );
}

describe("private spaces stay invisible", () => {
  it("a non-member cannot move a being into a private space, nor create one there", async () => {
    const { stranger, privateSpace } = shared;
    expectReply(await refused(() => stranger.request("PATCH", `/api/beings/${stranger.id}`, { locationId: privateSpace.id })), 404, "move self");
    const doc = await created<Being>(await stranger.request("POST", "/api/beings", { name: "Mine", type: "document" }), "being");
    expectReply(await refused(() => stranger.request("PATCH", `/api/beings/${doc.id}`, { locationId: privateSpace.id })), 404, "move own doc");
    expectReply(
      await refused(() => stranger.request("POST", "/api/beings", { name: "Spy", type: "bot", locationId: privateSpace.id })),
      404,
      "create there",
    );
  });

  it("answers a non-member exactly as it answers for a space that does not exist", async () => {
    const { stranger, privateSpace } = shared;
    const missing = `@missing-${crypto.randomUUID().slice(0, 8)}`;
    for (const [method, suffix] of [
      ["GET", ""],
      ["GET", "/intentions"],
      ["GET", "/changes?after=0"],
      ["POST", "/enter"],
      ["POST", "/token"],
    ] as const) {
      const hidden = await refused(() => stranger.request(method, `/api/spaces/${privateSpace.id}${suffix}`));
      const absent = await refused(() => stranger.request(method, `/api/spaces/${missing}${suffix}`));
      expectReply(hidden, 404, `${method} hidden${suffix}`);
      expectReply(absent, 404, `${method} absent${suffix}`);
      expect(hidden.body.error.code).toBe(absent.body.error.code);
      expect(JSON.stringify(hidden.body)).not.toContain(privateSpace.id);
    }
    const hiddenPost = await refused(() =>
      stranger.request("POST", `/api/spaces/${privateSpace.id}/intentions`, { content: "knock knock" }),
    );
    const absentPost = await refused(() => stranger.request("POST", `/api/spaces/${missing}/intentions`, { content: "knock knock" }));
    expect(hiddenPost.status).toBe(404);
    expect(absentPost.body).toEqual(hiddenPost.body);
  });

  it("a removed member loses access at once", async () => {
    const w = await makeWorld();
    expectReply(await w.member.request("GET", `/api/spaces/${w.privateSpace.id}`), 200, "before");
    expectReply(await w.owner.request("PATCH", `/api/beings/${w.privateSpace.id}`, { properties: { private: true, members: [] } }), 200, "remove");
    expectReply(await w.member.request("GET", `/api/spaces/${w.privateSpace.id}`), 404, "after");
    expectReply(await refused(() => w.member.request("PATCH", intentionPath(w.memberIntention), { content: "still mine?" })), 404, "own intention");
    expectReply(await refused(() => w.member.request("POST", `/api/spaces/${w.privateSpace.id}/token`)), 404, "token");
  });

  it("a being inside a private space is hidden from non-members, but not from itself", async () => {
    const w = await makeWorld();
    expectReply(await w.member.request("POST", `/api/spaces/${w.privateSpace.id}/enter`), 200, "enter");
    expectReply(await w.stranger.request("GET", `/api/beings/${w.member.id}`), 404, "stranger looks");
    expectReply(await w.anonymous.request("GET", `/api/beings/${w.member.id}`), 404, "anonymous looks");
    expectReply(await w.member.request("GET", `/api/beings/${w.member.id}`), 200, "itself");
    expectReply(await w.member.request("GET", "/api/me"), 200, "me");
  });
});

// ---------------------------------------------------------------------------------------------
// Sessions

describe("sessions", () => {
  it("a signed-out session cookie no longer works", async () => {
    const w = await makeWorld();
    const cookie = w.member.cookie!;
    const signout = await w.member.request("POST", "/api/auth/signout");
    expect(signout.status).toBe(204);
    expect(w.member.cookie).toBeNull();

    const replay = new Caller();
    replay.cookie = cookie;
    expectReply(await replay.request("GET", "/api/me"), 401, "me");
    expectReply(await replay.request("GET", `/api/spaces/${w.privateSpace.id}`), 404, "private space");
    expectReply(await replay.request("GET", `/api/spaces/${w.publicSpace.id}`), 200, "public space, as anyone");
    expectReply(await refused(() => replay.request("POST", `/api/spaces/${w.publicSpace.id}/intentions`, { content: "ghost" })), 401, "post");
    expectReply(await refused(() => replay.request("PATCH", `/api/beings/${w.member.id}`, { name: "Ghost" })), 401, "patch self");
    expectReply(await refused(() => replay.request("DELETE", intentionPath(w.memberIntention))), 401, "delete own intention");
    expectReply(await refused(() => replay.request("POST", `/api/spaces/${w.publicSpace.id}/token`)), 401, "token");
  });

  it("signing out twice, or without a session, is harmless", async () => {
    const anonymous = new Caller();
    expect((await refused(() => anonymous.request("POST", "/api/auth/signout"))).status).toBe(204);
  });

  it("an expired session is anonymous", async () => {
    const w = await makeWorld();
    await db(sql`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE being_id = ${w.member.id}`);
    expectReply(await w.member.request("GET", "/api/me"), 401, "me");
    expectReply(await w.member.request("GET", `/api/spaces/${w.privateSpace.id}`), 404, "private space");
    expectReply(await refused(() => w.member.request("POST", `/api/spaces/${w.privateSpace.id}/intentions`, { content: "late" })), 401, "post");
  });

  describe("a tampered cookie is anonymous", () => {
    const split = (cookie: string) => {
      const value = decodeURIComponent(cookie.slice("session=".length));
      const dot = value.lastIndexOf(".");
      return { id: value.slice(0, dot), signature: value.slice(dot + 1) };
    };
    const join = (id: string, signature: string) => `session=${encodeURIComponent(`${id}.${signature}`)}`;
    const flip = (text: string, at: number) => text.slice(0, at) + (text[at] === "A" ? "B" : "A") + text.slice(at + 1);
    const TAMPERINGS: [string, (cookie: string) => string | Promise<string>][] = [
      ["one character of the signature changed", (c) => join(split(c).id, flip(split(c).signature, 0))],
      ["one character of the session id changed", (c) => join(flip(split(c).id, 0), split(c).signature)],
      ["the signature removed", (c) => `session=${encodeURIComponent(split(c).id)}`],
      ["the session id alone, with a trailing dot", (c) => `session=${encodeURIComponent(split(c).id)}.`],
      ["another session's signature", (c) => join(split(c).id, split(shared.stranger.cookie!).signature)],
      ["signed with another secret", async (c) => (await serializeSigned("session", split(c).id, "not-the-secret")).split(";")[0]!],
      ["garbage", () => "session=%00%ff%fe..%E2%80%AE"],
      ["empty", () => "session="],
    ];

    it.each(TAMPERINGS)("%s", async (_label, tamper) => {
      const w = shared;
      const forged = new Caller();
      forged.cookie = await tamper(w.member.cookie!);
      expect(forged.cookie).not.toBe(w.member.cookie);
      expectReply(await forged.request("GET", "/api/me"), 401, "me");
      expectReply(await forged.request("GET", `/api/spaces/${w.privateSpace.id}`), 404, "private space");
      expectReply(await forged.request("GET", `/api/spaces/${w.publicSpace.id}`), 200, "public space");
      expectReply(await refused(() => forged.request("POST", `/api/spaces/${w.privateSpace.id}/intentions`, { content: "forged" })), 401, "post");
      expectReply(await refused(() => forged.request("PATCH", `/api/beings/${w.member.id}`, { name: "Forged" })), 401, "patch");
      expectReply(await refused(() => forged.request("DELETE", intentionPath(w.memberIntention))), 401, "delete");
      // The original cookie still works.
      expectReply(await w.member.request("GET", "/api/me"), 200, "original");
    });
  });
});
