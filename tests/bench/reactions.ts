// A reaction beside a message: write → visible to the other people in the space, p50/p99, in one run.
// Run: npm run bench:reactions [-- --quick]   (prints a markdown table; about a minute)
//
// One writer in the room relays its own signed batches as the web page does (relay-writer.ts); receivers,
// each in a process of its own (receiver-process.ts: signatures verified, the 500 ms hold-back), note when
// each change became visible. Messages and reactions alternate at one paced rate, so both meet the same
// load: a reaction is one change of its message, the same path as an edit.
import type { IntentionId } from "../../src/shared/entities.ts";
import { eventually, StackClient } from "../integration/http.ts";
import { ReceiverProcess } from "./receiver-process.ts";
import { RelayWriter } from "./relay-writer.ts";
import { benchConfig, countFailure, createSpace, fmt, load, percentile, sleep, startBenchStack } from "./support.ts";

const quick = process.argv.includes("--quick");
const RECEIVERS = 5;
/** Writes a second, messages and reactions alternating. */
const RATE = 10;
const PAIRS = quick ? 50 : 200;
const EMOJI = ["👍", "🎉", "👩🏽‍💻"];

type Kind = "message" | "reaction";
interface Write {
  kind: Kind;
  sentAt: number;
  answeredAt: number;
  seq: number;
}

const loadAtStart = load();
const stack = await startBenchStack({ database: { kind: "postgres" }, livekit: "required", runtime: "miniflare", wranglerConfig: await benchConfig(0) });
const writes: Write[] = [];
const receivers: ReceiverProcess[] = [];
/** Everyone in the room, to close however the run ends. */
const participants: Array<{ close(): Promise<void> }> = [];
try {
  const space = await createSpace(await StackClient.guest(stack.url, "Bench owner"), "Reactions");
  const writer = await RelayWriter.join(stack.url, space, "Ada");
  participants.push(writer);
  receivers.push(...(await Promise.all(Array.from({ length: RECEIVERS }, (_, i) => ReceiverProcess.join(stack.url, space, `Receiver ${i}`)))));
  participants.push(...receivers);
  const posted: IntentionId[] = [];
  const reacted = new Set<string>();
  const send = async (kind: Kind, write: () => Promise<{ status: number; body: any }>) => {
    const sentAt = Date.now();
    const reply = await write().catch((error: unknown) => ({ status: 0, body: String(error) }));
    if (reply.status >= 300 || reply.status === 0) return countFailure(`${kind} answered ${reply.status} ${JSON.stringify(reply.body)}`);
    // A write that appended nothing has no change of its own to see: it would time another's.
    if (reply.body.sync.length === 0) return countFailure(`${kind} changed nothing`);
    if (kind === "message") posted.push(reply.body.intention.id);
    writes.push({ kind, sentAt, answeredAt: Date.now(), seq: reply.body.seq });
  };
  // Warm-up, not measured: the first relays pay for the data channel's and the keyring's first use.
  for (let i = 0; i < 10; i++) await writer.write(`warm-up ${i}`, "relay");

  const started = Date.now();
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < 2 * PAIRS; i++) {
    const wait = started + (i * 1000) / RATE - Date.now();
    if (wait > 0) await sleep(wait);
    if (i % 2 === 0) inflight.push(send("message", () => writer.write(`message ${i / 2}`, "relay")));
    else {
      // On one of the last few messages, each emoji on and off in turn: every reaction is an effective toggle.
      const round = (i - 1) / 2;
      const target = posted[Math.max(0, posted.length - 1 - (round % 5))];
      if (!target) continue;
      const emoji = EMOJI[round % EMOJI.length]!;
      const key = `${target} ${emoji}`;
      const on = !reacted.delete(key);
      if (on) reacted.add(key);
      inflight.push(send("reaction", () => writer.react(target, emoji, on, "relay")));
    }
  }
  await Promise.all(inflight);
  const lastSeq = Math.max(...writes.map((write) => write.seq));
  if (!(await eventually(() => receivers.every((r) => r.last >= lastSeq), 30_000, 20))) countFailure("receivers did not catch up within 30 s");
  await sleep(200);
} finally {
  await Promise.all(participants.map((participant) => participant.close()));
  await stack.stop();
}

console.log(`\n### A reaction beside a message: write → visible to another person (1 writer relaying, ${RECEIVERS} receivers, ${RATE} writes/s alternating, local stack, real livekit-server, 2 cores)\n`);
console.log(`1-minute load average: ${loadAtStart} at the start, ${load()} at the end.\n`);
console.log("| write | count | write round trip p50 / p99 ms | write → visible p50 / p99 ms | undelivered |");
console.log("|---|---|---|---|---|");
for (const kind of ["message", "reaction"] as const) {
  const mine = writes.filter((write) => write.kind === kind);
  const visible: number[] = [];
  const roundTrip = mine.map((write) => write.answeredAt - write.sentAt);
  let undelivered = 0;
  for (const receiver of receivers) {
    for (const write of mine) {
      const at = receiver.visibleAt.get(write.seq);
      if (at === undefined) undelivered++;
      else visible.push(at - write.sentAt);
    }
  }
  console.log(`| ${kind} | ${mine.length} | ${fmt(percentile(roundTrip, 50))} / ${fmt(percentile(roundTrip, 99))} | ${fmt(percentile(visible, 50))} / ${fmt(percentile(visible, 99))} | ${undelivered} |`);
}
process.exit(0);
