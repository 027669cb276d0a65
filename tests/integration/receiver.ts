/**
 * A sync receiver in Node that follows the contract's receive rule over a real LiveKit room:
 * subscribe first, then snapshot; apply each batch once; a batch past a gap waits up to 500 ms for
 * the seqs before it (the web pump's own hold-back, src/web/sync/hold-back.ts), then a catch-up over
 * HTTP; a ref means catch-up; any reconnect means catch-up; a lost connection means rejoin with a
 * fresh token. It can also write as the web app does when it relays (`write`): its own batch applied,
 * published on `sync`, confirmed.
 */
import { Room, RoomEvent, type RemoteParticipant } from "@livekit/rtc-node";
import superjson from "superjson";
import type { BeingId } from "../../src/shared/entities.ts";
import type { SignedBatch } from "../../src/shared/signing.ts";
import { judge, receive, SYNC_TOPIC, type Change, type PacketReader, type SyncBatch, type Verdict } from "../../src/shared/sync.ts";
import { createHoldBack } from "../../src/web/sync/hold-back.ts";
import { StackClient, stackReader, type StackReply } from "./http.ts";

/** A sync packet as it arrived: who LiveKit said sent it (a hint, never trusted), and when. */
interface Arrival {
  packet: Uint8Array;
  from: string | undefined;
  at: number;
}

/**
 * How far a relaying write goes: published and confirmed (the fast path), published with its
 * confirmation lost, or neither (the tab closed between the answer and the publish).
 */
export type RelayMode = "publish and confirm" | "publish only" | "neither";

export class Receiver {
  last = 0;
  readonly rows = new Map<string, unknown>();
  readonly batches: SyncBatch[] = [];
  /** The batches that verified and arrived with no sender named (the server's, or a writer not announced yet), when they arrived. */
  readonly arrivals: Array<{ at: number; bytes: number; batch: SyncBatch }> = [];
  /** Packets on the sync topic that the receive rule refused (not signed by a listed key, another space, junk): never applied. */
  readonly rejected: Array<{ reason: string; from: string | undefined }> = [];
  /** Every change applied, by any path, when: a seq applied twice would show here twice. */
  readonly applied: Array<{ seq: number; at: number }> = [];
  duplicates = 0;
  /** Gaps a batch arrived past (held by the page's hold-back while they last), and catch-ups over HTTP. */
  gaps = 0;
  catchUps = 0;
  private readonly holdBack = createHoldBack({
    judge: (batch) => judge(batch, this.point()),
    act: (verdict) => this.act(verdict),
    catchUp: () => this.enqueueCatchUp(),
    count: (name) => {
      if (name === "gaps") this.gaps += 1;
    },
  });
  private room: Room | null = null;
  private work: Promise<void> = Promise.resolve();
  private buffered: Arrival[] | null = [];
  private closed = false;

  readonly client: StackClient;
  readonly space: string;
  private readonly reader: PacketReader;

  private constructor(client: StackClient, space: string) {
    this.client = client;
    this.space = space;
    this.reader = stackReader(client);
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
    for (const arrival of early) receiver.enqueue(arrival);
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
      const arrival = { packet: payload, from: participant?.identity, at: Date.now() };
      if (this.buffered) this.buffered.push(arrival);
      else this.enqueue(arrival);
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

  private enqueue(arrival: Arrival): void {
    this.work = this.work.then(() => this.receive(arrival)).catch(() => undefined);
  }

  private enqueueCatchUp(): void {
    this.work = this.work.then(() => this.catchUp()).then(() => this.holdBack.release()).catch(() => undefined);
  }

  private async receive({ packet, from, at }: Arrival): Promise<void> {
    const verdict = await receive(packet, this.point(), this.reader);
    if (verdict.kind === "rejected") return void this.rejected.push({ reason: verdict.reason, from });
    if (!from) this.arrivals.push({ at, bytes: packet.length, batch: verdict.batch });
    this.batches.push(verdict.batch);
    this.act(verdict);
  }

  private point() {
    return { space: this.space as BeingId, last: this.last };
  }

  /** Does what a seq verdict says; once something applied, the held batches that now connect follow. */
  private act(verdict: Verdict): void {
    switch (verdict.kind) {
      case "rejected":
        return;
      case "duplicate":
        this.duplicates += 1;
        return;
      case "gap":
        return this.holdBack.hold(verdict.batch);
      case "ref":
        return this.enqueueCatchUp();
      case "apply":
        for (const change of verdict.batch.changes) if (change.seq > this.last) this.applyChange(change);
        this.last = verdict.batch.to;
        return this.holdBack.release();
    }
  }

  /** Publishes `packet` on the sync topic, reliable, as this participant. */
  async publish(packet: string | Uint8Array): Promise<void> {
    const bytes = typeof packet === "string" ? new TextEncoder().encode(packet) : packet;
    await this.room!.localParticipant!.publishData(bytes, { reliable: true, topic: SYNC_TOPIC });
  }

  /** Writes as the web app does while in the room: `write` then `relay`. */
  async write(method: string, path: string, body: unknown, mode: RelayMode = "publish and confirm"): Promise<StackReply> {
    const reply = await this.writeRelaying(method, path, body);
    await this.relay(reply, mode);
    return reply;
  }

  /** Sends a write that says `Sync-Relay: 1`, and applies the batch of this space it answered with at once. */
  async writeRelaying(method: string, path: string, body: unknown): Promise<StackReply> {
    const reply = await this.client.request(method, path, body, { "Sync-Relay": "1" });
    for (const signed of syncOf(reply)) if (batchOf(signed).space === this.space) this.enqueue({ packet: packetOf(signed), from: this.identity, at: Date.now() });
    return reply;
  }

  /** By `mode`: publishes each signed batch a write answered with, unchanged, then confirms up to its highest seq here. */
  async relay(reply: StackReply, mode: RelayMode = "publish and confirm"): Promise<void> {
    if (mode === "neither") return;
    for (const signed of syncOf(reply)) await this.publish(packetOf(signed));
    const mine = syncOf(reply).map(batchOf).filter((batch) => batch.space === this.space);
    if (mode === "publish only" || mine.length === 0) return;
    const confirmed = await this.client.request("POST", `/api/spaces/${this.space}/relayed`, { to: Math.max(...mine.map((batch) => batch.to)) });
    if (confirmed.status !== 204) throw new Error(`confirmation refused: ${confirmed.status}`);
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
    this.applied.push({ seq: change.seq, at: Date.now() });
    if (change.op === "delete") this.rows.delete(change.id);
    else this.rows.set(change.id, JSON.parse(JSON.stringify(change.data)));
  }

  /** The intentions this receiver holds, by id. */
  intentions(): Record<string, unknown> {
    return Object.fromEntries([...this.rows].filter(([id]) => id.startsWith("/")).sort(([a], [b]) => a.localeCompare(b)));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.holdBack.close();
    await this.room?.disconnect();
  }
}

/** The signed batches a write answered with. */
export const syncOf = (reply: StackReply): SignedBatch[] => reply.body?.sync ?? [];
/** A signed batch as a sync packet: the UTF-8 JSON text of the envelope. */
export const packetOf = (signed: SignedBatch): Uint8Array => new TextEncoder().encode(JSON.stringify(signed));
/** The batch a signed batch carries (read without checking its signature). */
export const batchOf = (signed: SignedBatch): SyncBatch => superjson.parse<SyncBatch>(signed.payload);

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
