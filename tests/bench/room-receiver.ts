/**
 * A receiver for the relay benchmarks that reads a space's room as the web page does
 * (src/web/sync/pump.ts): every packet through the contract's receive rule, the signature first
 * (src/shared/sync.ts), and a batch past a gap held up to 500 ms by the page's hold-back
 * (src/web/sync/hold-back.ts) while the missing seqs arrive in other packets (relays from several
 * writers, or from one writer's concurrent writes, arrive out of order) before it catches up over
 * HTTP. It notes when each seq became visible and which path brought it, and mutes a flooder as the
 * page does; tests/integration/receiver.ts keeps every packet and change for the tests' assertions.
 */
import { Room, RoomEvent, type RemoteParticipant } from "@livekit/rtc-node";
import superjson from "superjson";
import type { BeingId } from "../../src/shared/entities.ts";
import { createMute, judge, openPacket, SYNC_TOPIC, type Change, type PacketReader, type SyncBatch, type Verdict } from "../../src/shared/sync.ts";
import { createHoldBack } from "../../src/web/sync/hold-back.ts";
import { StackClient, stackReader } from "../integration/http.ts";
import { countFailure } from "./run.ts";

/** How a batch reached the receiver: from a participant LiveKit could name (a writer relaying), or from the server. */
type Path = "relayed" | "server";

/** What a receiver has counted: batches applied by path, catch-ups, gaps held, and packets it ignored or dropped. */
export interface ReceiverCounts {
  relayed: number;
  server: number;
  catchUps: number;
  gaps: number;
  duplicates: number;
  rejected: number;
  reconnects: number;
}

export class RoomReceiver {
  last = 0;
  /** When each seq became visible here (ms since the epoch). */
  readonly visibleAt = new Map<number, number>();
  readonly counts = emptyCounts();
  readonly client: StackClient;
  readonly space: BeingId;
  private readonly rows = new Map<string, unknown>();
  private readonly holdBack = createHoldBack({
    judge: (batch) => judge(batch, this.point()),
    act: (verdict) => this.act(verdict),
    catchUp: () => this.enqueue(() => this.catchUp()),
    count: (name) => {
      if (name === "gaps") this.counts.gaps += 1;
    },
  });
  /** How each batch read came, for the count by path once it applies (held batches apply later). */
  private readonly pathOf = new WeakMap<SyncBatch, Path>();
  private readonly reader: PacketReader;
  /** Named senders whose junk this receiver stopped reading (the page's rule, createMute). */
  private readonly flooders = createMute();
  private room: Room | undefined;
  /** Packets that came before the snapshot; null once it is loaded. */
  private early: Array<{ packet: Uint8Array; path: Path }> | null = [];
  private work: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(client: StackClient, space: BeingId) {
    this.client = client;
    this.space = space;
    this.reader = stackReader(client);
  }

  /** Signs in a guest, joins the space's room, then loads the snapshot and reads what arrived meanwhile. */
  static async join(baseUrl: string, space: BeingId, name: string): Promise<RoomReceiver> {
    const receiver = new RoomReceiver(await StackClient.guest(baseUrl, name), space);
    await receiver.connect();
    const snapshot = (await receiver.client.request("GET", `/api/spaces/${space}`)).body;
    for (const row of [snapshot.space, ...snapshot.beings, ...snapshot.intentions]) receiver.rows.set(row.id, row);
    receiver.last = snapshot.seq;
    const early = receiver.early ?? [];
    receiver.early = null;
    for (const { packet, path } of early) receiver.enqueue(() => receiver.read(packet, path));
    await receiver.work;
    return receiver;
  }

  private async connect(): Promise<void> {
    const { body } = await this.client.request("POST", `/api/spaces/${this.space}/token`);
    const room = new Room();
    room.on(RoomEvent.DataReceived, (payload: Uint8Array, participant?: RemoteParticipant, _kind?: unknown, topic?: string) => {
      if (topic !== SYNC_TOPIC) return;
      // The sender decides nothing but the count and muting a flooder (as the page does): a packet is trusted for its signature alone.
      const path: Path = participant ? "relayed" : "server";
      if (participant && this.flooders.muted(participant.identity)) return void (this.counts.rejected += 1);
      if (this.early) this.early.push({ packet: payload, path });
      else this.enqueue(() => this.read(payload, path, participant?.identity));
    });
    room.on(RoomEvent.Reconnected, () => this.enqueue(() => this.catchUp()));
    room.on(RoomEvent.Disconnected, () => {
      if (this.closed) return;
      this.counts.reconnects += 1;
      this.enqueue(async () => {
        await this.connect();
        await this.catchUp();
      });
    });
    await room.connect(body.url, body.token, { autoSubscribe: false, dynacast: false });
    this.room = room;
  }

  private async reportMuted(identity: string): Promise<void> {
    const { status } = await this.client.request("POST", `/api/spaces/${this.space}/muted`, { identity });
    if (status !== 200) countFailure(new Error(`POST muted answered ${status}`));
  }

  /** Runs `step` after everything before it: packets, catch-ups and held batches never interleave. */
  private enqueue(step: () => Promise<void>): void {
    this.work = this.work.then(step).catch(countFailure);
  }

  private async read(packet: Uint8Array, path: Path, sender?: string): Promise<void> {
    const opened = await openPacket(packet, this.reader);
    if ("fault" in opened) {
      // As the page does: a sender it mutes is reported, and the server takes its publishing back.
      if (sender && this.flooders.refused(sender, opened.fault)) void this.reportMuted(sender);
      return void (this.counts.rejected += 1);
    }
    this.pathOf.set(opened.batch, path);
    this.act(judge(opened.batch, this.point()));
  }

  private point() {
    return { space: this.space, last: this.last };
  }

  /** Does what a verdict says; once something applied, the held batches that now connect follow. */
  private act(verdict: Verdict): void {
    switch (verdict.kind) {
      case "rejected":
        this.counts.rejected += 1;
        return;
      case "duplicate":
        this.counts.duplicates += 1;
        return;
      case "gap":
        return this.holdBack.hold(verdict.batch);
      case "ref":
        return this.enqueue(() => this.catchUp());
      case "apply":
        this.apply(verdict.batch.changes, verdict.batch.to);
        this.counts[this.pathOf.get(verdict.batch)!] += 1;
        return this.holdBack.release();
    }
  }

  /** Fetches every change after the last applied seq (following hasMore), then applies what it held. */
  private async catchUp(): Promise<void> {
    this.counts.catchUps += 1;
    for (let more = true; more;) {
      const { status, body } = await this.client.request("GET", `/api/spaces/${this.space}/changes?after=${this.last}`);
      if (status !== 200) throw new Error(`catch-up answered ${status}`);
      if (body.changes.length) this.apply(body.changes, body.changes.at(-1).seq);
      more = body.hasMore;
    }
    this.holdBack.release();
  }

  /** Applies changes that connect, covering every seq up to `to` (a batch may have coalesced some). */
  private apply(changes: readonly Change[], to: number): void {
    const now = Date.now();
    for (const change of changes) {
      if (change.seq <= this.last) continue;
      if (change.op === "delete") this.rows.delete(change.id);
      // As the snapshot reads it: dates as JSON strings.
      else this.rows.set(change.id, JSON.parse(JSON.stringify(change.data)));
    }
    for (let seq = this.last + 1; seq <= to; seq++) this.visibleAt.set(seq, now);
    this.last = Math.max(this.last, to);
  }

  /** The intentions this receiver holds, by id, ordered as `truth` (tests/integration/receiver.ts) orders them. */
  intentions(): Record<string, unknown> {
    return Object.fromEntries([...this.rows].filter(([id]) => id.startsWith("/")).sort(([a], [b]) => a.localeCompare(b)));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.holdBack.close();
    await this.room?.disconnect();
  }
}

/** Counts before anything arrived. */
export const emptyCounts = (): ReceiverCounts => ({ relayed: 0, server: 0, catchUps: 0, gaps: 0, duplicates: 0, rejected: 0, reconnects: 0 });

/** Whatever holds a receiver's counts: the receiver, or its process (receiver-process.ts). */
type Counted = { readonly counts: ReceiverCounts };

/** The sum of receivers' counts. */
export function sumCounts(receivers: readonly Counted[]): ReceiverCounts {
  const sum = emptyCounts();
  for (const { counts } of receivers) for (const name of Object.keys(sum) as Array<keyof ReceiverCounts>) sum[name] += counts[name];
  return sum;
}

/** What the receivers counted since `before` (a sumCounts taken earlier). */
export function countsSince(receivers: readonly Counted[], before: ReceiverCounts): ReceiverCounts {
  const since = sumCounts(receivers);
  for (const name of Object.keys(since) as Array<keyof ReceiverCounts>) since[name] -= before[name];
  return since;
}
