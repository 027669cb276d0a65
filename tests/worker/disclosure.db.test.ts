// The contract's rule "what a change may disclose": a row recorded in or served about space S never
// names a private space other than S. Checked over the live packet and every HTTP path about S.
import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import type { BeingId } from "../../src/shared/entities.ts";
import worker from "../../src/worker/index.ts";
import { newBeingId } from "../../src/shared/ids.ts";
import { createDb } from "../../src/worker/db/client.ts";
import { createBeing, deleteBeing, enterSpace, patchBeing } from "../../src/worker/db/queries/beings.ts";
import { Client, db, guest, space } from "./client.ts";
import { interceptLivekit, livekitEnv } from "./livekit-env.ts";
import { occupy } from "./occupancy.ts";

let livekit: ReturnType<typeof interceptLivekit> | undefined;
afterEach(() => livekit?.restore());

/** Everything a reader of `room` can get about it: the live packets, snapshot, history, catch-up and listing. */
async function whatReadersSee(reader: Client, room: BeingId): Promise<string> {
  await occupy(room);
  // From the start of the log, so the packet carries every change the space ever recorded.
  await db(sql`UPDATE space_sync SET broadcast_seq = 0 WHERE space_id = ${room}`);
  livekit = interceptLivekit();
  const batch = createMessageBatch("spaces-sync", [{ id: crypto.randomUUID(), timestamp: new Date(), attempts: 1, body: { space: room } }]);
  await worker.queue(batch as MessageBatch<any>, livekitEnv);
  await getQueueResult(batch, createExecutionContext());
  livekit.restore();
  expect(livekit.sent.length).toBeGreaterThan(0);
  const paths = [`/api/spaces/${room}`, `/api/spaces/${room}/intentions`, `/api/spaces/${room}/changes?after=0&limit=1000`, "/api/spaces"];
  const replies = await Promise.all(paths.map((path) => reader.request("GET", path)));
  for (const reply of replies) expect(reply.status).toBe(200);
  return JSON.stringify([livekit.sent.map((sent) => sent.batch), replies.map((reply) => reply.body)]);
}

const changesOf = async (reader: Client, room: BeingId, entity: string) =>
  (await reader.request("GET", `/api/spaces/${room}/changes?after=0&limit=1000`)).body.changes.filter((c: any) => c.id === entity);

describe("what a change may disclose", () => {
  it("a move from a public space into a private one shows the public space locationId null", async () => {
    const [ada, bob] = [await guest("Ada"), await guest("Bob")];
    const lobby = await space(ada);
    const secret = await space(ada, { private: true });
    await ada.request("POST", `/api/spaces/${lobby.id}/enter`);
    expect((await ada.request("POST", `/api/spaces/${secret.id}/enter`)).status).toBe(200);
    const seen = await whatReadersSee(bob, lobby.id);
    expect(seen).not.toContain(secret.id);
    const moves = await changesOf(bob, lobby.id, ada.id);
    expect(moves.map((c: any) => c.data.locationId)).toEqual([lobby.id, null]);
    // The private space's own readers still see where Ada is.
    const inside = await changesOf(ada, secret.id, ada.id);
    expect(inside.at(-1).data.locationId).toBe(secret.id);
  });

  it("a move out of a private space names the public destination, and the private log keeps its own", async () => {
    const [ada, bob] = [await guest("Ada"), await guest("Bob")];
    const lobby = await space(ada);
    const secret = await space(ada, { private: true });
    await ada.request("POST", `/api/spaces/${secret.id}/enter`);
    await ada.request("POST", `/api/spaces/${lobby.id}/enter`);
    expect(await whatReadersSee(bob, lobby.id)).not.toContain(secret.id);
    expect((await changesOf(bob, lobby.id, ada.id)).at(-1).data.locationId).toBe(lobby.id);
    expect((await changesOf(ada, secret.id, ada.id)).at(-1).data.locationId).toBe(lobby.id);
  });

  it("a bot placed or moved by PATCH into a private space is masked the same way", async () => {
    const [ada, bob] = [await guest("Ada"), await guest("Bob")];
    const lobby = await space(ada);
    const secret = await space(ada, { private: true });
    const bot = (await ada.request("POST", "/api/beings", { name: "Helper", type: "bot", locationId: lobby.id })).body.being;
    expect((await ada.request("PATCH", `/api/beings/${bot.id}`, { locationId: secret.id })).status).toBe(200);
    expect(await whatReadersSee(bob, lobby.id)).not.toContain(secret.id);
    expect((await changesOf(bob, lobby.id, bot.id)).at(-1).data.locationId).toBeNull();
  });

  it("an owner removed from the private space its bot is in is not told where the bot is, by reading or writing it", async () => {
    const [ada, bob] = [await guest("Ada"), await guest("Bob")];
    const secret = await space(ada, { private: true, members: [bob.id] });
    const bot = (await bob.request("POST", "/api/beings", { name: "Helper", type: "bot", locationId: secret.id })).body.being;
    expect(bot.locationId).toBe(secret.id);
    expect((await ada.request("PATCH", `/api/beings/${secret.id}`, { properties: { private: true, members: [] } })).status).toBe(200);
    const read = await bob.request("GET", `/api/beings/${bot.id}`);
    expect(read.status).toBe(200);
    expect(read.body.being.locationId).toBeNull();
    const renamed = await bob.request("PATCH", `/api/beings/${bot.id}`, { name: "Helper 2" });
    expect(renamed.status).toBe(200);
    expect(renamed.body.being.locationId).toBeNull();
    const stale = await bob.request("PATCH", `/api/beings/${bot.id}`, { name: "Helper 3", ifVersion: 1 });
    expect(stale.status).toBe(409);
    expect(JSON.stringify(stale.body)).not.toContain(secret.id);
    // Its members still see where it is.
    expect((await ada.request("GET", `/api/beings/${bot.id}`)).body.being.locationId).toBe(secret.id);
  });

  it("a public space nested in a private one does not name its parent, in its log, snapshot or the listing", async () => {
    const [ada, bob] = [await guest("Ada"), await guest("Bob")];
    const secret = await space(ada, { private: true });
    const nested = (await ada.request("POST", "/api/beings", { name: "Nested", type: "space", locationId: secret.id })).body.being;
    expect(nested.locationId).toBe(secret.id);
    const seen = await whatReadersSee(bob, nested.id);
    expect(seen).not.toContain(secret.id);
    expect((await bob.request("GET", `/api/spaces/${nested.id}`)).body.space.locationId).toBeNull();
  });

  it("nested private spaces: moving between them shows the outer space's members locationId null", async () => {
    const [ada, bob] = [await guest("Ada"), await guest("Bob")];
    const outer = await space(ada, { private: true, members: [bob.id] });
    const inner = (await ada.request("POST", "/api/beings", {
      name: "Inner", type: "space", locationId: outer.id, properties: { private: true, members: [] },
    })).body.being;
    await ada.request("POST", `/api/spaces/${outer.id}/enter`);
    await ada.request("POST", `/api/spaces/${inner.id}/enter`);
    const seen = await whatReadersSee(bob, outer.id);
    expect(seen).not.toContain(inner.id);
    expect((await changesOf(bob, outer.id, ada.id)).at(-1).data.locationId).toBeNull();
  });

  it("a space that turns private is deleted from its parent's log, with no row that names its members", async () => {
    const [ada, bob, eve] = [await guest("Ada"), await guest("Bob"), await guest("Eve")];
    const lobby = await space(ada);
    const room = (await ada.request("POST", "/api/beings", { name: "Room", type: "space", locationId: lobby.id })).body.being;
    await ada.request("PATCH", `/api/beings/${room.id}`, { properties: { private: true, members: [eve.id] } });
    const changes = await changesOf(bob, lobby.id, room.id);
    expect(changes.map((c: any) => c.op)).toEqual(["upsert", "delete"]);
    expect(changes[1].data).toBeUndefined();
    expect(await whatReadersSee(bob, lobby.id)).not.toContain(eve.id);
  });

  it("a space that turns private later is not named by rows written while it was public", async () => {
    const [ada, bob] = [await guest("Ada"), await guest("Bob")];
    const parent = await space(ada);
    const child = (await ada.request("POST", "/api/beings", { name: "Child", type: "space", locationId: parent.id })).body.being;
    const lobby = await space(ada);
    await ada.request("POST", `/api/spaces/${lobby.id}/enter`);
    await ada.request("POST", `/api/spaces/${parent.id}/enter`);
    expect((await ada.request("PATCH", `/api/beings/${parent.id}`, { properties: { private: true } })).status).toBe(200);
    expect(await whatReadersSee(bob, child.id)).not.toContain(parent.id);
    expect(await whatReadersSee(bob, lobby.id)).not.toContain(parent.id);
  });

  it("scrubs nothing a reader may see: a move between public spaces names both", async () => {
    const [ada, bob] = [await guest("Ada"), await guest("Bob")];
    const [one, two] = [await space(ada), await space(ada)];
    await ada.request("POST", `/api/spaces/${one.id}/enter`);
    await ada.request("POST", `/api/spaces/${two.id}/enter`);
    expect((await changesOf(bob, one.id, ada.id)).at(-1).data.locationId).toBe(two.id);
  });
});

describe("which spaces a being write touches", () => {
  it("the statements report exactly the spaces whose logs grew, for every kind of being write", async () => {
    const ada = await guest("Ada");
    const sessionId = crypto.randomUUID();
    await db(sql`INSERT INTO sessions (id, being_id, expires_at) VALUES (${sessionId}, ${ada.id}, now() + interval '1 hour')`);
    const viewer = { sessionId, superuserIds: [] };
    const store = createDb(env);
    const seqs = async () =>
      new Map((await db<{ space_id: string; last_seq: string }>(sql`SELECT space_id, last_seq FROM space_sync`)).map((r) => [r.space_id, r.last_seq]));
    /** Runs a write and checks that the spaces it reports are those whose seq moved. */
    const check = async (write: () => Promise<BeingId[]>) => {
      const before = await seqs();
      const touched = await write();
      const grown = [...(await seqs())].filter(([id, seq]) => before.get(id) !== seq).map(([id]) => id);
      expect([...touched].sort()).toEqual(grown.sort());
      expect(grown.length).toBeGreaterThan(0);
    };
    const [one, two] = [await space(ada), await space(ada)];
    const secret = await space(ada, { private: true });
    const bot = newBeingId("bot") as BeingId;
    const room = newBeingId("room") as BeingId;
    await check(async () => (await createBeing(store, viewer, bot, { name: "Bot", type: "bot", locationId: one.id })).touched);
    await check(async () => (await createBeing(store, viewer, room, { name: "Room", type: "space", locationId: one.id })).touched);
    await check(async () => (await patchBeing(store, viewer, bot, { locationId: two.id })).touched);
    await check(async () => (await patchBeing(store, viewer, bot, { locationId: secret.id })).touched);
    await check(async () => (await patchBeing(store, viewer, room, { properties: { private: true } })).touched);
    await check(async () => (await patchBeing(store, viewer, room, { properties: {} })).touched);
    await check(async () => (await enterSpace(store, viewer, two.id)).touched);
    await check(async () => (await enterSpace(store, viewer, secret.id)).touched);
    await ada.request("POST", `/api/spaces/${one.id}/intentions`, { content: "mine" });
    await check(() => deleteBeing(store, viewer, ada.id));
  });
});
