/**
 * A writer in a space's room, as the web page is while the space is open (src/web/sync/relay.ts): it
 * writes with `Sync-Relay: 1`, publishes the signed batches its write answered with unchanged on
 * `sync`, and confirms them batched as the page batches them (one confirmation under way at a time,
 * covering the highest seq published). It can also write
 * the server's way (no header), or say it will relay and never publish (a tab closed right after its
 * write), and it can flood the room's `sync` topic with junk.
 */
import { Room } from "@livekit/rtc-node";
import superjson from "superjson";
import type { BeingId, IntentionId } from "../../src/shared/entities.ts";
import { newIntentionId } from "../../src/shared/ids.ts";
import type { SignedBatch } from "../../src/shared/signing.ts";
import { SYNC_TOPIC, type SyncBatch } from "../../src/shared/sync.ts";
import { StackClient, type StackReply } from "../integration/http.ts";
import { countFailure } from "./run.ts";

/** How a write goes: `server` without the header; `relay` published and confirmed; `vanish` says it will relay, then never does. */
export type WriteMode = "server" | "relay" | "vanish";

export class RelayWriter {
  readonly client: StackClient;
  readonly space: BeingId;
  private readonly room: Room;
  /** The highest seq published, and the confirmation under way (src/web/sync/relay.ts's `createConfirmations` in the page). */
  private published = 0;
  private confirming: Promise<void> | undefined;

  private constructor(client: StackClient, space: BeingId, room: Room) {
    this.client = client;
    this.space = space;
    this.room = room;
  }

  /** Signs in a guest and joins the space's room as a participant that may publish data. */
  static async join(baseUrl: string, space: BeingId, name: string): Promise<RelayWriter> {
    const client = await StackClient.guest(baseUrl, name);
    const { body } = await client.request("POST", `/api/spaces/${space}/token`);
    const room = new Room();
    await room.connect(body.url, body.token, { autoSubscribe: false, dynacast: false });
    return new RelayWriter(client, space, room);
  }

  /** Posts an intention `mode`'s way; `attachments` are ids of files this writer uploaded to the space. */
  write(content: string, mode: WriteMode, attachments?: readonly string[]): Promise<StackReply> {
    return this.send("POST", `/api/spaces/${this.space}/intentions`, { id: newIntentionId(), content, ...(attachments ? { attachments } : {}) }, mode);
  }

  /** Adds (`on`) or takes back a reaction to an intention `mode`'s way. */
  react(id: IntentionId, emoji: string, on: boolean, mode: WriteMode): Promise<StackReply> {
    return this.send(on ? "PUT" : "DELETE", `/api/intentions/${encodeURIComponent(id)}/reactions/${encodeURIComponent(emoji)}`, undefined, mode);
  }

  /** Sends a write; with `relay`, its batches are published and confirmed after the answer, as the page does. */
  private async send(method: string, path: string, body: unknown, mode: WriteMode): Promise<StackReply> {
    const headers: Record<string, string> = mode === "server" ? {} : { "Sync-Relay": "1" };
    const reply = await this.client.request(method, path, body, headers);
    if (reply.status < 300 && mode === "relay") this.publish(reply.body.sync).catch(countFailure);
    return reply;
  }

  private async publish(sync: readonly SignedBatch[]): Promise<void> {
    for (const signed of sync) {
      await this.room.localParticipant!.publishData(new TextEncoder().encode(JSON.stringify(signed)), { reliable: true, topic: SYNC_TOPIC });
      this.published = Math.max(this.published, superjson.parse<SyncBatch>(signed.payload).to);
      this.confirming ??= this.confirm();
    }
  }

  /** Confirms every seq published so far, one request at a time: the publishes of a burst share one. */
  private async confirm(): Promise<void> {
    for (let confirmed = 0; confirmed < this.published;) {
      const to = this.published;
      const reply = await this.client.request("POST", `/api/spaces/${this.space}/relayed`, { to });
      if (reply.status !== 204) countFailure(`confirming relays answered ${reply.status}`);
      confirmed = to;
    }
    this.confirming = undefined;
  }

  async close(): Promise<void> {
    await this.room.disconnect();
  }
}
