/**
 * A sync receiver in Node that follows the contract's receive rule over a real LiveKit room:
 * subscribe first, then snapshot; apply each batch once; a gap or a ref means catch-up over HTTP;
 * any reconnect means catch-up; a lost connection means rejoin with a fresh token.
 */
import { Room, RoomEvent, type RemoteParticipant } from "@livekit/rtc-node";
import superjson from "superjson";
import type { BeingId } from "../../src/shared/entities.ts";
import { createKeyring, parseSignedBatch, type SyncKey } from "../../src/shared/signing.ts";
import { receive, SYNC_TOPIC, type Change, type PacketReader, type SyncBatch } from "../../src/shared/sync.ts";
import { StackClient } from "./http.ts";

export class Receiver {
  last = 0;
  readonly rows = new Map<string, unknown>();
  readonly batches: SyncBatch[] = [];
  readonly arrivals: Array<{ at: number; bytes: number; batch: SyncBatch }> = [];
  /** Packets on the sync topic that the receive rule refused (not signed by a listed key, another space, junk): never applied. */
  readonly rejected: Array<{ reason: string; from: string | undefined }> = [];
  catchUps = 0;
  private room: Room | null = null;
  private work: Promise<void> = Promise.resolve();
  private buffered: Uint8Array[] | null = [];
  private closed = false;

  readonly client: StackClient;
  readonly space: string;
  private readonly reader: PacketReader;

  private constructor(client: StackClient, space: string) {
    this.client = client;
    this.space = space;
    const keys = async () => (await client.request("GET", "/api/sync/keys")).body.keys as SyncKey[];
    this.reader = { parse: (text) => superjson.parse(text), keyring: createKeyring(keys) };
  }

  /** Signs in a guest, joins the space's room, then loads the snapshot and applies what arrived meanwhile. */
  static async join(baseUrl: string, space: string, name: string): Promise<Receiver> {
    const receiver = new Receiver(await StackClient.guest(baseUrl, name), space);
    await receiver.connect();
    const snapshot = (await receiver.client.request("GET", `/api/spaces/${space}`)).body;
    receiver.rows.set(snapshot.space.id, snapshot.space);
    for (const being of snapshot.beings) receiver.rows.set(being.id, being);
    for (const intention of snapshot.intentions) receiver.rows.set(intention.id, intention);
    receiver.last = snapshot.seq;
    const early = receiver.buffered ?? [];
    receiver.buffered = null;
    for (const packet of early) receiver.enqueue(packet, undefined);
    await receiver.work;
    return receiver;
  }

  get identity(): string {
    return this.client.id;
  }

  /** The LiveKit room, for tests that try to misuse it. */
  get livekitRoom(): Room {
    return this.room!;
  }

  private async connect(): Promise<void> {
    const { body } = await this.client.request("POST", `/api/spaces/${this.space}/token`);
    const room = new Room();
    room.on(RoomEvent.DataReceived, (payload: Uint8Array, participant?: RemoteParticipant, _kind?: unknown, topic?: string) => {
      if (topic !== SYNC_TOPIC) return;
      // Whoever sent it: the receive rule trusts the signature alone.
      const signed = parseSignedBatch(new TextDecoder().decode(payload));
      if (signed && !participant) this.arrivals.push({ at: Date.now(), bytes: payload.length, batch: superjson.parse<SyncBatch>(signed.payload) });
      if (this.buffered) this.buffered.push(payload);
      else this.enqueue(payload, participant?.identity);
    });
    room.on(RoomEvent.Reconnected, () => this.enqueueCatchUp());
    room.on(RoomEvent.Disconnected, () => {
      if (!this.closed) void this.rejoin();
    });
    await room.connect(body.url, body.token, { autoSubscribe: false, dynacast: false });
    this.room = room;
  }

  private async rejoin(): Promise<void> {
    for (let delay = 250; !this.closed; delay = Math.min(delay * 2, 2000)) {
      try {
        await this.connect();
        this.enqueueCatchUp();
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  private enqueue(packet: Uint8Array, from: string | undefined): void {
    this.work = this.work.then(() => this.receive(packet, from)).catch(() => undefined);
  }

  private enqueueCatchUp(): void {
    this.work = this.work.then(() => this.catchUp()).catch(() => undefined);
  }

  private async receive(packet: Uint8Array, from: string | undefined): Promise<void> {
    const verdict = await receive(packet, { space: this.space as BeingId, last: this.last }, this.reader);
    if (verdict.kind === "rejected") return void this.rejected.push({ reason: verdict.reason, from });
    this.batches.push(verdict.batch);
    if (verdict.kind === "duplicate") return;
    if (verdict.kind === "gap" || verdict.kind === "ref") {
      await this.catchUp();
      return;
    }
    for (const change of verdict.batch.changes) if (change.seq > this.last) this.applyChange(change);
    this.last = verdict.batch.to;
  }

  /** Fetches every change after the last applied seq (following hasMore). */
  async catchUp(): Promise<void> {
    this.catchUps += 1;
    for (;;) {
      const { body } = await this.client.request("GET", `/api/spaces/${this.space}/changes?after=${this.last}`);
      for (const change of body.changes as Change[]) this.applyChange(change);
      if (body.changes.length) this.last = body.changes.at(-1).seq;
      if (!body.hasMore) return;
    }
  }

  private applyChange(change: Change): void {
    if (change.op === "delete") this.rows.delete(change.id);
    else this.rows.set(change.id, JSON.parse(JSON.stringify(change.data)));
  }

  /** The intentions this receiver holds, by id. */
  intentions(): Record<string, unknown> {
    return Object.fromEntries([...this.rows].filter(([id]) => id.startsWith("/")).sort(([a], [b]) => a.localeCompare(b)));
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.room?.disconnect();
  }
}

/** The database's truth for a space: the snapshot's seq and every intention (paging back past the snapshot's newest). */
export async function truth(client: StackClient, space: string): Promise<{ seq: number; intentions: Record<string, unknown> }> {
  const { body } = await client.request("GET", `/api/spaces/${space}`);
  const all: Array<{ id: string }> = [...body.intentions];
  for (let hasMore = body.hasMore; hasMore && all.length > 0;) {
    const page = (await client.request("GET", `/api/spaces/${space}/intentions?before=${encodeURIComponent(all[0]!.id)}&limit=100`)).body;
    all.unshift(...page.intentions);
    hasMore = page.hasMore;
  }
  const intentions = Object.fromEntries(all.map((i) => [i.id, i] as const).sort(([a], [b]) => a.localeCompare(b)));
  return { seq: body.seq, intentions };
}
