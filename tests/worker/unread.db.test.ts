// Read points (space_reads) and unread counts on the real database: a read point only moves forward, counts
// are messages by others created after it (an edit is not new), mentions count apart, private spaces stay 404.
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { mentionNode } from "../../src/shared/content.ts";
import type { Being, BeingId } from "../../src/shared/entities.ts";
import { newBeingId } from "../../src/shared/ids.ts";
import { UNREAD_COUNT_CAP, type SpaceList } from "../../src/shared/responses.ts";
import { Client, db, guest, space } from "./client.ts";

const post = async (who: Client, room: Being, content: unknown) => {
  const reply = await who.request("POST", `/api/spaces/${room.id}/intentions`, { content });
  expect(reply.status).toBe(201);
  return reply.body as { intention: { id: string; version: number }; seq: number };
};

const read = (who: Client, room: Being, seq: number) => who.request("POST", `/api/spaces/${room.id}/read`, { seq });

const countsOf = async (who: Client, room: Being) => {
  const reply = await who.request<SpaceList>("GET", "/api/spaces");
  expect(reply.status).toBe(200);
  return reply.body.unread?.[room.id];
};

const storedReadSeq = async (who: Client, room: Being) => {
  const [row] = await db<{ read_seq: string }>(sql`SELECT read_seq FROM space_reads WHERE being_id = ${who.id} AND space_id = ${room.id}`);
  return row ? Number(row.read_seq) : null;
};

describe("read points", () => {
  it("move forward only, never past the space's last change, and concurrent posts keep the highest", async () => {
    const ada = await guest("Ada");
    const room = await space(ada);
    const { seq: first } = await post(ada, room, "one");
    const { seq: second } = await post(ada, room, "two");
    expect((await read(ada, room, second)).body).toEqual({ readSeq: second });
    expect((await read(ada, room, first)).body).toEqual({ readSeq: second });
    expect(await storedReadSeq(ada, room)).toBe(second);
    // Past the log's end: held at the last change, so messages not yet written cannot be read in advance.
    expect((await read(ada, room, second + 1000)).body).toEqual({ readSeq: second });

    const { seq: third } = await post(ada, room, "three");
    const { seq: fourth } = await post(ada, room, "four");
    const replies = await Promise.all([read(ada, room, fourth), read(ada, room, third), read(ada, room, fourth), read(ada, room, third)]);
    expect(replies.map((reply) => reply.status)).toEqual([200, 200, 200, 200]);
    expect(await storedReadSeq(ada, room)).toBe(fourth);
  });

  it("answers 401 signed out, 404 to one who may not read the space, 400 for a bad seq", async () => {
    const ada = await guest("Ada");
    const eve = await guest("Eve");
    const room = await space(ada, { private: true });
    const anonymous = await read(new Client(), room, 1);
    expect(anonymous.status).toBe(401);
    for (const reply of [await read(eve, room, 1), await eve.request("GET", `/api/spaces/${room.id}/read`), await eve.request("PUT", `/api/spaces/${room.id}/mute`, { muted: true })]) {
      expect(reply.status).toBe(404);
      expect(reply.body.error.code).toBe("NOT_FOUND");
    }
    const missing = await read(ada, { id: newBeingId("space") } as Being, 1);
    expect(missing.status).toBe(404);
    for (const body of [{ seq: -1 }, { seq: 1.5 }, { seq: "3" }, {}, { seq: 1, extra: true }]) {
      const reply = await ada.request("POST", `/api/spaces/${room.id}/read`, body);
      expect(reply.status).toBe(400);
      expect(reply.body.error.code).toBe("VALIDATION");
    }
    expect((await ada.request("PUT", `/api/spaces/${room.id}/mute`, { muted: "yes" })).status).toBe(400);
    expect(await storedReadSeq(eve, room)).toBeNull();
  });
});

const readThrough = (who: Client, room: Being, through: string) => who.request("POST", `/api/spaces/${room.id}/read`, { through });

describe("reading through a message", () => {
  it("moves the read point to the message's creation, forward only, and concurrent through and seq posts keep the highest", async () => {
    const ada = await guest("Ada");
    const bob = await guest("Bob");
    const room = await space(ada);
    const first = await post(bob, room, "one");
    const second = await post(bob, room, "two");
    // An edit moves the log, not the message's creation: reading through it reaches its creation only.
    expect((await bob.request("PATCH", `/api/intentions/${encodeURIComponent(first.intention.id)}`, { content: "one, edited" })).status).toBe(200);
    expect((await readThrough(ada, room, second.intention.id)).body).toEqual({ readSeq: second.seq });
    expect((await readThrough(ada, room, first.intention.id)).body).toEqual({ readSeq: second.seq });
    expect(await storedReadSeq(ada, room)).toBe(second.seq);

    const third = await post(bob, room, "three");
    const fourth = await post(bob, room, "four");
    const replies = await Promise.all([
      readThrough(ada, room, third.intention.id),
      read(ada, room, fourth.seq),
      readThrough(ada, room, fourth.intention.id),
      read(ada, room, third.seq),
    ]);
    expect(replies.map((reply) => reply.status)).toEqual([200, 200, 200, 200]);
    expect(await storedReadSeq(ada, room)).toBe(fourth.seq);
  });

  it("counts only the later messages by others after a partial read", async () => {
    const ada = await guest("Ada");
    const bob = await guest("Bob");
    const room = await space(ada);
    await read(ada, room, 0);
    const said = [];
    for (let n = 0; n < 6; n++) said.push(await post(bob, room, `m${n}`));
    await post(ada, room, "mine, late");
    expect(await countsOf(ada, room)).toMatchObject({ unread: 6 });
    await readThrough(ada, room, said[2]!.intention.id);
    expect(await countsOf(ada, room)).toMatchObject({ unread: 3 });
    expect((await ada.request("GET", `/api/spaces/${room.id}/read`)).body.firstUnread).toBe(said[3]!.intention.id);
  });

  it("refuses a message of another space, a deleted or unknown one, alike and without moving anything; 400 for a bad body", async () => {
    const ada = await guest("Ada");
    const bob = await guest("Bob");
    const room = await space(ada);
    const elsewhere = await space(bob, { private: true });
    const secret = await post(bob, elsewhere, "private");
    const mine = await post(bob, room, "here");
    await read(ada, room, mine.seq);
    const gone = await post(bob, room, "soon gone");
    expect((await bob.request("DELETE", `/api/intentions/${encodeURIComponent(gone.intention.id)}`)).status).toBe(204);
    const replies = [await readThrough(ada, room, secret.intention.id), await readThrough(ada, room, gone.intention.id), await readThrough(ada, room, "/unknown")];
    for (const reply of replies) {
      expect(reply.status).toBe(404);
      expect(reply.body).toEqual(replies[0]!.body);
    }
    expect(JSON.stringify(replies[0]!.body)).not.toContain(elsewhere.id);
    // Bob may read the other space, yet a message of it does not move his read point here.
    expect((await readThrough(bob, room, secret.intention.id)).status).toBe(404);
    expect(await storedReadSeq(ada, room)).toBe(mine.seq);
    expect((await readThrough(ada, elsewhere, secret.intention.id)).status).toBe(404);
    expect(await storedReadSeq(ada, elsewhere)).toBeNull();
    for (const body of [{ through: "no-slash" }, { through: mine.intention.id, seq: mine.seq }, { through: 3 }, { by: "@x#1" }]) {
      const reply = await ada.request("POST", `/api/spaces/${room.id}/read`, body);
      expect(reply.status).toBe(400);
      expect(reply.body.error.code).toBe("VALIDATION");
    }
  });
});

describe("unread counts", () => {
  it("count others' messages after the read point, not one's own, not edits of old ones, not deleted ones", async () => {
    const ada = await guest("Ada");
    const bob = await guest("Bob");
    const room = await space(ada);
    const old = await post(bob, room, "before");
    // Never read: no count yet (counts start at one's first read).
    expect(await countsOf(ada, room)).toEqual({ unread: 0, mentions: 0, muted: false });
    await read(ada, room, old.seq);
    await post(bob, room, "new one");
    const gone = await post(bob, room, "new two");
    await post(ada, room, "my own");
    expect((await bob.request("PATCH", `/api/intentions/${encodeURIComponent(old.intention.id)}`, { content: "before, edited" })).status).toBe(200);
    expect(await countsOf(ada, room)).toMatchObject({ unread: 2 });
    expect((await bob.request("DELETE", `/api/intentions/${encodeURIComponent(gone.intention.id)}`)).status).toBe(204);
    expect(await countsOf(ada, room)).toMatchObject({ unread: 1 });
    // Bob wrote them: none is unread for him, though he never read here.
    expect(await countsOf(bob, room)).toEqual({ unread: 0, mentions: 0, muted: false });

    const page = await ada.request("GET", `/api/spaces/${room.id}/read`);
    expect(page.body).toMatchObject({ readSeq: old.seq, muted: false });
    const [first] = await db<{ id: string }>(sql`SELECT id FROM intentions WHERE location_id = ${room.id} AND content = '["new one"]'::jsonb`);
    expect(page.body.firstUnread).toBe(first!.id);

    const { body } = await ada.request("GET", `/api/spaces/${room.id}`);
    await read(ada, room, body.seq);
    expect(await countsOf(ada, room)).toMatchObject({ unread: 0 });
    expect((await ada.request("GET", `/api/spaces/${room.id}/read`)).body.firstUnread).toBeNull();
  });

  it("hold under concurrent writes, and stop at the cap", async () => {
    const ada = await guest("Ada");
    const writers = await Promise.all(["Bob", "Cy", "Di", "Ed"].map((name) => guest(name)));
    const room = await space(ada);
    await read(ada, room, 0);
    await Promise.all(writers.flatMap((writer) => Array.from({ length: 5 }, (_, n) => post(writer, room, `m${n}`))));
    expect(await countsOf(ada, room)).toMatchObject({ unread: 20 });
    // A read point taken while others write: exactly the messages created after it stay unread.
    const [{ seq: point }] = await Promise.all([
      read(ada, room, Number.MAX_SAFE_INTEGER).then((reply) => ({ seq: reply.body.readSeq as number })),
      ...writers.map((writer) => post(writer, room, "during")),
    ]);
    const [after] = await db<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM intentions WHERE location_id = ${room.id} AND owner_id <> ${ada.id} AND created_seq > ${point}`,
    );
    expect(await countsOf(ada, room)).toMatchObject({ unread: after!.n });

    await db(sql`INSERT INTO intentions (id, owner_id, location_id, content)
      SELECT '/cap' || n || ${room.id}, ${writers[0]!.id}, ${room.id}, '["x"]'::jsonb FROM generate_series(1, ${UNREAD_COUNT_CAP + 5}) AS n`);
    expect(await countsOf(ada, room)).toMatchObject({ unread: UNREAD_COUNT_CAP });
  });

  it("count mentions apart, in spaces read or not", async () => {
    const ada = await guest("Ada");
    const bob = await guest("Bob");
    const read_ = await space(bob);
    const unvisited = await space(bob);
    const { seq } = await post(bob, read_, "hello");
    await read(ada, read_, seq);
    await post(bob, read_, ["hi ", mentionNode(ada.id as BeingId, "Ada")]);
    await post(bob, read_, ["for ", mentionNode(bob.id as BeingId, "Bob")]);
    await post(bob, unvisited, [mentionNode(ada.id as BeingId, "Ada"), " look"]);
    await post(ada, unvisited, [mentionNode(ada.id as BeingId, "Ada"), " my own mention"]);
    expect(await countsOf(ada, read_)).toEqual({ unread: 2, mentions: 1, muted: false });
    expect(await countsOf(ada, unvisited)).toEqual({ unread: 0, mentions: 1, muted: false });
  });

  it("are gone with a member removed from a private space", async () => {
    const ada = await guest("Ada");
    const bob = await guest("Bob");
    const room = await space(bob, { private: true, members: [ada.id] });
    await read(ada, room, 0);
    await post(bob, room, ["secret for ", mentionNode(ada.id as BeingId, "Ada")]);
    expect(await countsOf(ada, room)).toEqual({ unread: 1, mentions: 1, muted: false });
    const removed = await bob.request("PATCH", `/api/beings/${room.id}`, { properties: { private: true, members: [] } });
    expect(removed.status).toBe(200);
    expect(await countsOf(ada, room)).toBeUndefined();
    expect((await ada.request("GET", "/api/spaces")).body.spaces.map((s: Being) => s.id)).not.toContain(room.id);
    expect((await read(ada, room, 5)).status).toBe(404);
    expect((await ada.request("GET", `/api/spaces/${room.id}/read`)).status).toBe(404);
  });

  it("are not given to a caller who is signed out", async () => {
    const reply = await new Client().request<SpaceList>("GET", "/api/spaces");
    expect(reply.status).toBe(200);
    expect(reply.body.unread).toBeUndefined();
  });
});

describe("mute", () => {
  it("is stored in space_reads and listed; a first mute starts the read point at the latest change", async () => {
    const ada = await guest("Ada");
    const bob = await guest("Bob");
    const room = await space(bob);
    const { seq } = await post(bob, room, "before the mute");
    const muted = await ada.request("PUT", `/api/spaces/${room.id}/mute`, { muted: true });
    expect(muted.status).toBe(200);
    expect(muted.body).toEqual({ muted: true });
    expect(await storedReadSeq(ada, room)).toBe(seq);
    await post(bob, room, "after");
    expect(await countsOf(ada, room)).toEqual({ unread: 1, mentions: 0, muted: true });
    expect((await ada.request("GET", `/api/spaces/${room.id}/read`)).body).toMatchObject({ muted: true, readSeq: seq });
    await ada.request("PUT", `/api/spaces/${room.id}/mute`, { muted: false });
    expect(await countsOf(ada, room)).toEqual({ unread: 1, mentions: 0, muted: false });
  });
});
