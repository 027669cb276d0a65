// Managing what one owns: a private space's members change (or it turns private) and every removed
// reader loses it at once, LiveKit connections included (one RemoveParticipant call each); a being is
// handed over to another person (POST /api/beings/:id/owner), and a bot moved to another space.
import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import type { BeingId } from "../../src/shared/entities.ts";
import { newBeingId } from "../../src/shared/ids.ts";
import { Client, databaseFingerprint, db, guest, space, superuser } from "./client.ts";
import { callWithLivekit as call, interceptLivekit } from "./livekit-env.ts";
import { occupy } from "./occupancy.ts";

let livekit: ReturnType<typeof interceptLivekit> | undefined;
afterEach(() => livekit?.restore());

/** A private space of Olga's with Ada and Bob as members, each connected to its room (Bob twice). */
async function privateRoom() {
  const olga = await guest("Olga");
  const ada = await guest("Ada");
  const bob = await guest("Bob");
  const room = await space(olga, { private: true, members: [ada.id, bob.id] });
  const connections = { olga: `${olga.id}#olga000001`, ada: `${ada.id}#ada0000001`, bob: [`${bob.id}#bob0000001`, `${bob.id}#bob0000002`] };
  for (const identity of [connections.olga, connections.ada, ...connections.bob]) await occupy(room.id, identity);
  return { olga, ada, bob, room, connections };
}

const patch = (client: Client, id: BeingId, body: unknown) => call(client, "PATCH", `/api/beings/${id}`, body);

describe("a private space's members change", () => {
  it("ends every connection of a removed member with one RemoveParticipant call each, and nobody else's", async () => {
    const { olga, ada, bob, room, connections } = await privateRoom();
    livekit = interceptLivekit();
    const reply = await patch(olga, room.id, { properties: { private: true, members: [ada.id] }, ifVersion: room.version });
    expect(reply.status).toBe(200);
    expect(livekit.removals).toEqual(connections.bob.map((identity) => ({ room: room.id, identity })));
    // Bob no longer reads it: the snapshot, the catch-up and a token all answer 404.
    for (const path of [`/api/spaces/${room.id}`, `/api/spaces/${room.id}/changes?after=0`]) {
      expect((await bob.request("GET", path)).status).toBe(404);
    }
    expect((await call(bob, "POST", `/api/spaces/${room.id}/token`)).status).toBe(404);
    expect((await ada.request("GET", `/api/spaces/${room.id}`)).status).toBe(200);
  });

  it("a public space turning private ends the connections of everyone who is not a member", async () => {
    const olga = await guest("Olga");
    const ada = await guest("Ada");
    const sam = await guest("Sam");
    const room = await space(olga);
    await occupy(room.id, `${ada.id}#ada0000001`);
    await occupy(room.id, `${sam.id}#sam0000001`);
    await occupy(room.id, `${olga.id}#olga000001`);
    livekit = interceptLivekit();
    expect((await patch(olga, room.id, { properties: { private: true, members: [ada.id] } })).status).toBe(200);
    expect(livekit.removals).toEqual([{ room: room.id, identity: `${sam.id}#sam0000001` }]);
  });

  it("a change that takes nobody's access (a rename, a member added) removes nobody", async () => {
    const { olga, ada, bob, room } = await privateRoom();
    const sam = await guest("Sam");
    livekit = interceptLivekit();
    expect((await patch(olga, room.id, { name: "Renamed" })).status).toBe(200);
    expect((await patch(olga, room.id, { properties: { private: true, members: [ada.id, bob.id, sam.id] } })).status).toBe(200);
    expect(livekit.removals).toEqual([]);
  });

  it("a superuser connected to the room keeps it, member or not", async () => {
    const { olga, ada, room } = await privateRoom();
    const root = await superuser();
    await occupy(room.id, `${root.id}#root000001`);
    livekit = interceptLivekit();
    await patch(olga, room.id, { properties: { private: true, members: [ada.id] } });
    expect(livekit.removals.map((removal) => removal.identity)).not.toContain(`${root.id}#root000001`);
  });

  it("a stale ifVersion changes nothing and ends nobody's connection", async () => {
    const { olga, ada, room } = await privateRoom();
    livekit = interceptLivekit();
    const reply = await patch(olga, room.id, { properties: { private: true, members: [ada.id] }, ifVersion: room.version + 5 });
    expect(reply.status).toBe(409);
    expect(livekit.removals).toEqual([]);
  });
});

describe("POST /api/beings/:id/owner: handing a being over", () => {
  const handOver = (client: Client, id: BeingId, ownerId: BeingId, ifVersion?: number) =>
    call(client, "POST", `/api/beings/${id}/owner`, { ownerId, ifVersion });

  it("an owner hands a space to a person: the new owner may change it, the old one no longer", async () => {
    const olga = await guest("Olga");
    const ada = await guest("Ada");
    const room = await space(olga);
    const reply = await handOver(olga, room.id, ada.id, room.version);
    expect(reply.status).toBe(200);
    expect(reply.body.being).toMatchObject({ id: room.id, ownerId: ada.id, version: room.version + 1 });
    expect((await patch(ada, room.id, { name: "Ada's now" })).status).toBe(200);
    expect((await patch(olga, room.id, { name: "Olga's again" })).status).toBe(403);
  });

  it("a private space handed over ends the former owner's connections when it is not a member", async () => {
    const { olga, ada, room, connections } = await privateRoom();
    livekit = interceptLivekit();
    expect((await handOver(olga, room.id, ada.id)).status).toBe(200);
    expect(livekit.removals).toEqual([{ room: room.id, identity: connections.olga }]);
  });

  it("an owner moves a bot to another space it may read, and hands it over without its API key", async () => {
    const olga = await guest("Olga");
    const ada = await guest("Ada");
    const here = await space(olga);
    const there = await space(olga);
    const bot = (
      await olga.request("POST", "/api/beings", {
        id: newBeingId("bot"), name: "Helper", type: "bot", locationId: here.id,
        properties: { bot: { model: "m", prompt: "", replyTo: "all" } }, secrets: { apiKey: "sk-olga" },
      })
    ).body.being;
    expect(bot.properties.bot.hasKey).toBe(true);
    expect((await patch(olga, bot.id, { locationId: there.id })).body.being.locationId).toBe(there.id);
    const given = await handOver(olga, bot.id, ada.id);
    expect(given.body.being).toMatchObject({ ownerId: ada.id, properties: { bot: { hasKey: false } } });
    expect(await db(sql`SELECT 1 FROM bot_secrets WHERE being_id = ${bot.id}`)).toEqual([]);
    expect((await patch(ada, bot.id, { name: "Ada's helper" })).status).toBe(200);
  });

  it("refuses, changing nothing: a stranger (403), a non-person heir or one who may not see it (400), a person handed over (403), an unknown heir (404), a stale version (409)", async () => {
    const olga = await guest("Olga");
    const ada = await guest("Ada");
    const sam = await guest("Sam");
    const hidden = await space(olga, { private: true, members: [ada.id] });
    const other = await space(olga);
    const before = await databaseFingerprint();
    const cases: Array<[Client, BeingId, BeingId, number | undefined, number]> = [
      [sam, other.id, sam.id, undefined, 403],
      [olga, other.id, hidden.id, undefined, 400],
      [olga, hidden.id, sam.id, undefined, 400],
      [olga, olga.id, ada.id, undefined, 403],
      [olga, other.id, "@nobody-here" as BeingId, undefined, 404],
      [olga, other.id, ada.id, other.version + 3, 409],
      [new Client(), other.id, ada.id, undefined, 401],
    ];
    for (const [caller, id, heir, version, status] of cases) {
      expect([id, heir, (await handOver(caller, id, heir, version)).status]).toEqual([id, heir, status]);
    }
    expect(await databaseFingerprint()).toBe(before);
  });

  it("ownerId in PATCH stays a superuser's", async () => {
    const olga = await guest("Olga");
    const ada = await guest("Ada");
    const room = await space(olga);
    expect((await patch(olga, room.id, { ownerId: ada.id })).status).toBe(403);
  });
});
