// A read point that moves is announced to the reader's own connections only (its other devices drop their
// counts live): one signed SendData per room it is connected in, on the personal topic, at most one per gap.
import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import type { Being } from "../../src/shared/entities.ts";
import { openPersonalNotice, PERSONAL_TOPIC } from "../../src/shared/personal-notice.ts";
import { createKeyring } from "../../src/shared/signing.ts";
import { NOTICE_GAP_SECONDS } from "../../src/worker/sync/personal-notice.ts";
import { syncSigner } from "../../src/worker/sync/signer.ts";
import { mentionNode } from "../../src/shared/content.ts";
import { db, guest, space, type Client } from "./client.ts";
import { callWithLivekit as call, interceptLivekit, livekitEnv } from "./livekit-env.ts";
import { consume } from "./queue.ts";

let livekit: ReturnType<typeof interceptLivekit> | undefined;
afterEach(() => livekit?.restore());

const connect = (room: Being, identity: string, present = true) =>
  db(sql`INSERT INTO room_participants (space_id, identity, present, at) VALUES (${room.id}, ${identity}, ${present}, now())`);

const forget = (who: Client) => db(sql`DELETE FROM personal_notices WHERE being_id = ${who.id}`);

describe("personal notices", () => {
  it("reach only the reader's own connections, in each room it is in, signed, on their own topic", async () => {
    const ada = await guest("Ada");
    const bob = await guest("Bob");
    const here = await space(ada);
    const elsewhere = await space(bob);
    await connect(here, `${ada.id}#phone`);
    await connect(elsewhere, `${ada.id}#laptop`);
    await connect(elsewhere, `${ada.id}#gone`, false);
    await connect(here, `${bob.id}#desk`);
    livekit = interceptLivekit();

    const reply = await call(ada, "POST", `/api/spaces/${here.id}/read`, { seq: 0 });
    expect(reply.status).toBe(200);
    const sent = livekit.sent.map(({ room, topic, destinationIdentities, verified }) => ({ room, topic, destinationIdentities, verified }));
    expect(sent.sort((a, b) => a.room.localeCompare(b.room))).toEqual(
      [
        { room: here.id, topic: PERSONAL_TOPIC, destinationIdentities: [`${ada.id}#phone`], verified: true },
        { room: elsewhere.id, topic: PERSONAL_TOPIC, destinationIdentities: [`${ada.id}#laptop`], verified: true },
      ].sort((a, b) => a.room.localeCompare(b.room)),
    );
    const keyring = createKeyring(async () => (await syncSigner(livekitEnv)).keys);
    const packet = new TextEncoder().encode(JSON.stringify({ kid: livekit.sent[0]!.kid, payload: livekit.sent[0]!.payload, sig: "" }));
    expect(await openPersonalNotice(packet, keyring, ada.id)).toBeUndefined();
    const signed = await (await syncSigner(livekitEnv)).sign(livekit.sent[0]!.payload);
    const genuine = new TextEncoder().encode(JSON.stringify(signed));
    expect(await openPersonalNotice(genuine, keyring, ada.id)).toMatchObject({ to: ada.id, kind: "reads" });
    // Addressed to Ada: nobody else's page takes it.
    expect(await openPersonalNotice(genuine, keyring, bob.id)).toBeUndefined();
  });

  it("leave out the connection that read (it knows), and cost no call when it is the only one", async () => {
    const ada = await guest("Ada");
    const room = await space(ada);
    const elsewhere = await space(ada);
    await connect(room, `${ada.id}#reading`);
    livekit = interceptLivekit();
    await call(ada, "POST", `/api/spaces/${room.id}/read`, { seq: 0, by: `${ada.id}#reading` });
    expect(livekit.calls()).toBe(0);

    await forget(ada);
    await connect(elsewhere, `${ada.id}#idle`);
    const { body } = await ada.request("POST", `/api/spaces/${room.id}/intentions`, { content: "hi" });
    await call(ada, "POST", `/api/spaces/${room.id}/read`, { seq: body.seq, by: `${ada.id}#reading` });
    expect(livekit.sent.map(({ room, destinationIdentities }) => ({ room, destinationIdentities }))).toEqual([
      { room: elsewhere.id, destinationIdentities: [`${ada.id}#idle`] },
    ]);
    expect((await ada.request("POST", `/api/spaces/${room.id}/read`, { seq: 0, by: "not an identity" })).status).toBe(400);
  });

  it("follow a read through a message as they follow a seq: to the other connections, and only when it moved", async () => {
    const ada = await guest("Ada");
    const bob = await guest("Bob");
    const room = await space(ada);
    const { body } = await bob.request("POST", `/api/spaces/${room.id}/intentions`, { content: "read me" });
    await connect(room, `${ada.id}#reading`);
    await connect(room, `${ada.id}#phone`);
    livekit = interceptLivekit();
    const through = { through: body.intention.id, by: `${ada.id}#reading` };
    expect((await call(ada, "POST", `/api/spaces/${room.id}/read`, through)).status).toBe(200);
    expect(livekit.sent.map(({ room, destinationIdentities }) => ({ room, destinationIdentities }))).toEqual([{ room: room.id, destinationIdentities: [`${ada.id}#phone`] }]);

    await forget(ada);
    const calls = livekit.calls();
    await call(ada, "POST", `/api/spaces/${room.id}/read`, through);
    expect(livekit.calls()).toBe(calls);
  });

  it("are coalesced: one inside the gap goes at its end, only when the read point moved, and none with nobody connected", async () => {
    const ada = await guest("Ada");
    const room = await space(ada);
    await connect(room, `${ada.id}#one`);
    livekit = interceptLivekit();
    const sentAt: number[] = [];
    const read = async (seq: number) => {
      await call(ada, "POST", `/api/spaces/${room.id}/read`, { seq });
      while (sentAt.length < livekit!.sent.length) sentAt.push(Date.now());
    };
    const started = Date.now();
    await read(0);
    expect(livekit.sent).toHaveLength(1);
    const { body } = await ada.request("POST", `/api/spaces/${room.id}/intentions`, { content: "hi" });
    await read(body.seq);
    expect(livekit.sent).toHaveLength(2);
    expect(sentAt[1]! - started).toBeGreaterThanOrEqual(NOTICE_GAP_SECONDS * 1000 - 100);

    // The read point did not move: nothing to announce.
    await forget(ada);
    await read(0);
    expect(livekit.sent).toHaveLength(2);

    const alone = await guest("Cy");
    const calls = livekit.calls();
    await call(alone, "POST", `/api/spaces/${room.id}/read`, { seq: 0 });
    expect(livekit.calls()).toBe(calls);
  });

  it("tell a mentioned being's pages in other spaces that its inbox changed: once, from the sync consumer", async () => {
    const ada = await guest("Ada");
    const bob = await guest("Bob");
    const here = await space(ada);
    const elsewhere = await space(bob);
    await connect(elsewhere, `${bob.id}#laptop`);
    // A page in the space of the mention sees the message itself: no notice to it.
    await connect(here, `${bob.id}#phone`);
    await connect(here, `${ada.id}#desk`);
    const { status } = await ada.request("POST", `/api/spaces/${here.id}/intentions`, { content: ["hey ", mentionNode(bob.id, "Bob")] });
    expect(status).toBe(201);
    livekit = interceptLivekit();
    await consume([here.id], livekitEnv);
    const notices = livekit.sent.filter(({ topic }) => topic === PERSONAL_TOPIC);
    expect(notices.map(({ room, destinationIdentities, verified }) => ({ room, destinationIdentities, verified }))).toEqual([
      { room: elsewhere.id, destinationIdentities: [`${bob.id}#laptop`], verified: true },
    ]);
    expect(JSON.parse(notices[0]!.payload)).toMatchObject({ personal: { to: bob.id, kind: "inbox" } });
    // Taken: the next batch of that space tells nobody again.
    await consume([here.id], livekitEnv);
    expect(livekit.sent.filter(({ topic }) => topic === PERSONAL_TOPIC)).toHaveLength(1);
  });
});
