// A 10 MiB file in a message: upload throughput through the worker on loopback, and write → visible to
// another person, p50/p99. Run: npm run bench:attachments [-- --quick]   (prints a markdown table; about a minute)
//
// The writer uploads the file (POST /api/spaces/:id/attachments, its raw bytes), then posts the message that
// carries it, relaying its own signed batch as the page does (relay-writer.ts). Receivers in processes of
// their own (receiver-process.ts) see the message's change over LiveKit: the change carries the file's name,
// type and size, never its bytes. "Visible" is timed twice: the message on the receiver's screen (its change
// applied), and the file itself, downloaded by a reader as soon as the benchmark's process hears the change
// was applied (it hears within 50 ms, the receivers' report interval, counted in the figure).
import { randomBytes } from "node:crypto";
import { StackClient } from "../integration/http.ts";
import { ReceiverProcess } from "./receiver-process.ts";
import { RelayWriter } from "./relay-writer.ts";
import { benchConfig, countFailure, createSpace, fmt, load, percentile, sleep, startBenchStack } from "./support.ts";

const quick = process.argv.includes("--quick");
const RECEIVERS = 3;
const FILES = quick ? 5 : 20;
const SIZE = 10 * 1024 * 1024;

interface Sample {
  uploadMs: number;
  postMs: number;
  /** Write started (the upload's first byte) → the message applied at each receiver. */
  messageVisible: number[];
  /** Write started → the file's last byte at a reader. */
  fileVisible?: number;
}

const loadAtStart = load();
const stack = await startBenchStack({ database: { kind: "postgres" }, livekit: "required", runtime: "miniflare", wranglerConfig: await benchConfig(0) });
const samples: Sample[] = [];
const participants: Array<{ close(): Promise<void> }> = [];
try {
  const space = await createSpace(await StackClient.guest(stack.url, "Bench owner"), "Files");
  const writer = await RelayWriter.join(stack.url, space, "Ada");
  participants.push(writer);
  const receivers = await Promise.all(Array.from({ length: RECEIVERS }, (_, i) => ReceiverProcess.join(stack.url, space, `Receiver ${i}`)));
  participants.push(...receivers);
  const reader = await StackClient.guest(stack.url, "Bob");
  for (let i = 0; i < 5; i++) await writer.write(`warm-up ${i}`, "relay");

  for (let i = 0; i < FILES; i++) {
    const bytes = randomBytes(SIZE);
    const started = Date.now();
    const upload = await writer.client.upload(space, `file ${i}.bin`, bytes);
    const uploaded = Date.now();
    if (upload.status !== 201) {
      countFailure(`upload ${i} answered ${upload.status} ${JSON.stringify(upload.body)}`);
      continue;
    }
    const { attachment } = upload.body as { attachment: { id: string } };
    const post = await writer.write(`file ${i}`, "relay", [attachment.id]);
    const posted = Date.now();
    if (post.status !== 201) {
      countFailure(`post ${i} answered ${post.status} ${JSON.stringify(post.body)}`);
      continue;
    }
    const seq: number = post.body.seq;
    const sample: Sample = { uploadMs: uploaded - started, postMs: posted - uploaded, messageVisible: [] };
    samples.push(sample);
    const seen = await new Promise<boolean>((resolve) => {
      const timeout = setTimeout(() => resolve(false), 30_000);
      const poll = setInterval(() => {
        if (!receivers[0]!.visibleAt.has(seq)) return;
        clearInterval(poll);
        clearTimeout(timeout);
        resolve(true);
      }, 5);
    });
    if (!seen) {
      countFailure(`file ${i}'s message was not seen within 30 s`);
      continue;
    }
    const file = await fetch(`${stack.url}/api/attachments/${attachment.id}`, { headers: { Cookie: reader.cookie ?? "" } });
    const received = file.ok ? (await file.arrayBuffer()).byteLength : 0;
    if (received === SIZE) sample.fileVisible = Date.now() - started;
    else countFailure(`file ${i} downloaded ${file.status}, ${received} bytes`);
    await sleep(300);
    for (const receiver of receivers) {
      const at = receiver.visibleAt.get(seq);
      if (at === undefined) countFailure(`a receiver never saw file ${i}'s message`);
      else sample.messageVisible.push(at - started);
    }
  }
} finally {
  await Promise.all(participants.map((participant) => participant.close()));
  await stack.stop();
}

const column = (values: readonly number[]) => `${fmt(percentile(values, 50))} / ${fmt(percentile(values, 99))}`;
const uploads = samples.map((s) => s.uploadMs);
const throughput = uploads.map((ms) => SIZE / 1024 / 1024 / (ms / 1000));
console.log(`\n### A 10 MiB file in a message (${samples.length} files, 1 writer relaying, ${RECEIVERS} receivers, local stack in Miniflare, real livekit-server and R2 as Miniflare keeps it, 2 cores)\n`);
console.log(`1-minute load average: ${loadAtStart} at the start, ${load()} at the end.\n`);
console.log("| what | p50 / p99 |");
console.log("|---|---|");
console.log(`| upload through the worker, ms | ${column(uploads)} |`);
console.log(`| upload throughput, MiB/s (p50 / worst) | ${fmt(percentile(throughput, 50), 1)} / ${fmt(Math.min(...throughput), 1)} |`);
console.log(`| post of the message that carries it, ms | ${column(samples.map((s) => s.postMs))} |`);
console.log(`| write → message visible to another person, ms | ${column(samples.flatMap((s) => s.messageVisible))} |`);
console.log(`| write → file downloaded by another person, ms | ${column(samples.flatMap((s) => (s.fileVisible === undefined ? [] : [s.fileVisible])))} |`);
process.exit(0);
