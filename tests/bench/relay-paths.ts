/**
 * The fast path against the server path in one space, for bench:sync: one writer in the room
 * (relay-writer.ts) writes at a paced rate, the server's way or relaying its own batches, and every
 * receiver (room-receiver.ts: signatures verified, the 500 ms hold-back), each in a process of its own
 * (receiver-process.ts), notes when each change became visible. Then the flood: the same relayed
 * writes while another participant publishes junk on `sync` as fast as it can, from a process of its
 * own (flooder.ts).
 */
import type { BeingId } from "../../src/shared/entities.ts";
import type { SignedBatch } from "../../src/shared/signing.ts";
import { eventually, StackClient } from "../integration/http.ts";
import { flood } from "./flooder.ts";
import { RelayWriter, type WriteMode } from "./relay-writer.ts";
import { ReceiverProcess } from "./receiver-process.ts";
import { countsSince, sumCounts, type ReceiverCounts } from "./room-receiver.ts";
import { counters, countFailure, fmt, load, percentile, sleep } from "./support.ts";

export interface PathOptions {
  receivers: number;
  /** Writes per measured row, by target rate. */
  writes: Record<number, number>;
  /** How long the flooder publishes junk; the relayed writes at 20/s go on as long. */
  floodMs: number;
}

interface PathRow {
  label: string;
  rate: number;
  achieved: number;
  /** Writes that were not committed, by the status they were answered with ("no answer" for none). */
  failed: Record<string, number>;
  /** Committed changes some receiver never got, summed over the receivers. */
  undelivered: number;
  load: string;
  /** Send → answer of each write. */
  roundTrip: number[];
  /** Send → visible at a receiver, per write and receiver. */
  visible: number[];
  /** Answer → visible at a receiver: what the path adds to the write's own round trip. */
  afterAnswer: number[];
  /** LiveKit server API calls the worker made during the row. */
  calls: number;
  receivers: ReceiverCounts;
  /** The flood row's junk packets, published and dropped per receiver. */
  junk?: { sent: number; seconds: number; droppedPerReceiver: number; revokedAfterMs: number | null };
}

const RATES = [20, 200];
const FLOOD_RATE = 20;
/** The receivers left in the room for the flood row. */
const FLOOD_RECEIVERS = 2;

/** Paced writes by `writer`, the `mode` way, measured at every receiver. */
async function measure(label: string, writer: RelayWriter, receivers: readonly ReceiverProcess[], admin: StackClient, rate: number, count: number, mode: WriteMode): Promise<PathRow> {
  const before = { counters: await counters(admin), receivers: sumCounts(receivers) };
  const writes: Array<{ sentAt: number; answeredAt: number; seq: number }> = [];
  const failed: Record<string, number> = {};
  const fail = (why: string, reason: unknown) => {
    failed[why] = (failed[why] ?? 0) + 1;
    countFailure(reason);
  };
  const inflight: Promise<void>[] = [];
  const started = Date.now();
  for (let i = 0; i < count; i++) {
    const wait = started + (i * 1000) / rate - Date.now();
    if (wait > 0) await sleep(wait);
    const sentAt = Date.now();
    inflight.push(writer.write(`${label}: message ${i} at ${rate}/s`, mode).then((reply) => {
      if (reply.status !== 201) return fail(String(reply.status), `write answered ${reply.status} ${JSON.stringify(reply.body)}`);
      writes.push({ sentAt, answeredAt: Date.now(), seq: reply.body.seq });
    }, (error: unknown) => fail("no answer", error)));
  }
  await Promise.all(inflight);
  const achieved = writes.length / ((Date.now() - started) / 1000);
  const lastSeq = Math.max(...writes.map((write) => write.seq));
  if (!(await eventually(() => receivers.every((r) => r.last >= lastSeq), 30_000, 20))) countFailure(`${label}: receivers did not catch up within 30 s`);
  const after = await counters(admin);
  const row: PathRow = {
    label,
    rate,
    achieved,
    failed,
    undelivered: 0,
    load: load(),
    roundTrip: writes.map((write) => write.answeredAt - write.sentAt),
    visible: [],
    afterAnswer: [],
    calls: (after.calls ?? 0) - (before.counters.calls ?? 0),
    receivers: countsSince(receivers, before.receivers),
  };
  for (const receiver of receivers) {
    for (const write of writes) {
      const at = receiver.visibleAt.get(write.seq);
      if (at === undefined) row.undelivered++;
      else row.visible.push(at - write.sentAt), row.afterAnswer.push(at - write.answeredAt);
    }
  }
  return row;
}

/** A packet that looks like a batch and fails only at its signature: the junk that costs a receiver most. */
function forged(signed: SignedBatch): Uint8Array {
  const sig = (signed.sig.startsWith("A") ? "B" : "A") + signed.sig.slice(1);
  return new TextEncoder().encode(JSON.stringify({ ...signed, sig }));
}

/** Runs the rows on a stack at `url`: a space, its receivers, a writer and a flooder in its room. */
export async function measurePaths(url: string, admin: StackClient, space: BeingId, options: PathOptions): Promise<PathRow[]> {
  const writer = await RelayWriter.join(url, space, "Relaying writer");
  const flooder = await StackClient.guest(url, "Flooder");
  const receivers = await Promise.all(Array.from({ length: options.receivers }, (_, i) => ReceiverProcess.join(url, space, `Receiver ${i}`)));
  try {
    // Warm-up, not measured: the first relays pay for the data channel's and the keyring's first use.
    await measure("warm-up", writer, receivers, admin, 20, 20, "relay");
    const rows: PathRow[] = [];
    for (const rate of RATES) {
      for (const mode of ["server", "relay"] as const) {
        const row = await measure(mode === "relay" ? "writer relays" : "server path (writer in the room)", writer, receivers, admin, rate, options.writes[rate]!, mode);
        rows.push(row);
        console.error(`${row.label}, ${rate}/s: visible p99 ${fmt(percentile(row.visible, 99))} ms, round trip p99 ${fmt(percentile(row.roundTrip, 99))} ms, load ${row.load}`);
      }
    }
    const junk = forged((await flooder.request("POST", `/api/spaces/${space}/intentions`, { content: "the flooder's own message" })).body.sync[0]);
    const { body: token } = await flooder.request("POST", `/api/spaces/${space}/token`);
    // Every receiver verifies every forged packet, and here they share the machine's 2 cores: twenty
    // would need twenty devices' CPU, so the flood is read by a few (the others leave the room).
    await Promise.all(receivers.splice(FLOOD_RECEIVERS).map((receiver) => receiver.close()));
    const rejectedBefore = sumCounts(receivers).rejected;
    const flooding = flood(token.url, token.token, junk, options.floodMs);
    await flooding.ready;
    const floodStarted = Date.now();
    const row = await measure(`writer relays, while another participant floods \`sync\` with forged packets (${FLOOD_RECEIVERS} receivers)`, writer, receivers, admin, FLOOD_RATE, (options.floodMs / 1000) * FLOOD_RATE, "relay");
    const sent = await flooding.sent;
    // What reached the receivers is counted a while later: the count of drops settles first. Once a receiver
    // reported the flooder, LiveKit drops the rest of its packets before any receiver gets them.
    const dropped = () => sumCounts(receivers).rejected - rejectedBefore;
    let settled = -1;
    await eventually(() => settled === (settled = dropped()), 10_000, 1_000);
    const revocation = (await admin.request("GET", "/api/admin/stats")).body.revocations.find((r: { space: string }) => r.space === space);
    const revokedAfterMs = revocation ? new Date(revocation.revokedAt).getTime() - floodStarted : null;
    row.junk = { sent, seconds: options.floodMs / 1000, droppedPerReceiver: dropped() / receivers.length, revokedAfterMs };
    rows.push(row);
    return rows;
  } finally {
    await Promise.all([writer, ...receivers].map((participant) => participant.close()));
  }
}

/** Prints the rows as a markdown table, with what the flood sent under it. */
export function printPaths(rows: readonly PathRow[], receivers: number): void {
  console.log(`\n### The fast path in one space: 1 writer in the room, ${receivers} receivers verifying every packet, with the 500 ms hold-back\n`);
  const failures = (r: PathRow) => Object.entries(r.failed).map(([why, n]) => `${n} × ${why}`).join(", ") || "0";
  console.log("| path | target writes/s | achieved (failed writes) | load | write round trip p50 / p99 ms | write → visible p50 / p99 ms | answer → visible p50 / p99 ms | LiveKit calls | batches relayed / from the server / catch-ups | undelivered |");
  console.log("|---|---|---|---|---|---|---|---|---|---|");
  for (const r of rows) {
    const pair = (values: number[]) => `${fmt(percentile(values, 50))} / ${fmt(percentile(values, 99))}`;
    console.log(`| ${r.label} | ${r.rate} | ${fmt(r.achieved, 1)} (${failures(r)}) | ${r.load} | ${pair(r.roundTrip)} | ${pair(r.visible)} | ${pair(r.afterAnswer)} | ${r.calls} | ${r.receivers.relayed} / ${r.receivers.server} / ${r.receivers.catchUps} | ${r.undelivered} |`);
  }
  const short = rows.filter((row) => row.achieved < 0.9 * row.rate);
  if (short.length) console.log("\nRows below 90% of their target rate (their latencies are those of the writes committed):");
  for (const r of short) console.log(`- ${r.label} at ${r.rate} writes/s: ${fmt(r.achieved, 1)}/s achieved, failed writes: ${failures(r)}`);
  const flood = rows.find((r) => r.junk)?.junk;
  if (flood) {
    console.log(
      `\nThe flooder published ${flood.sent} forged packets in ${fmt(flood.seconds, 1)} s (${fmt(flood.sent / flood.seconds)}/s); ` +
        `${fmt(flood.droppedPerReceiver)} reached each receiver left in the room on average and were dropped (their signature fails); ` +
        (flood.revokedAfterMs === null
          ? "its publishing was never taken back."
          : `its publishing was taken back ${fmt(flood.revokedAfterMs)} ms after it began (a receiver's report, one UpdateParticipant call), and LiveKit dropped the rest.`),
    );
  }
  console.log("Target with relay: answer → visible p99 ≤ 50 ms (write → visible within the write's own round trip + 50 ms).");
}
