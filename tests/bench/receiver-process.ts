/**
 * A room receiver (room-receiver.ts) in a process of its own, as it would be on a device of its own.
 * In the benchmark's process, twenty receivers at 200 relayed writes/s starved its event loop (rtc-node
 * hands every native event to every Room of its process), and that loop also runs the local Neon
 * endpoint, through which every statement of every write passes: the writes measured waited on their
 * own receivers. The child reports what its receiver saw to the parent every REPORT_MS: each seq's
 * visible time, read from the clock both processes share (Date.now()), its counts and the failures it
 * counted. `ReceiverProcess.join` runs this file as the child; run alone it reads its orders from argv[2].
 */
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { BeingId } from "../../src/shared/entities.ts";
import { emptyCounts, RoomReceiver, type ReceiverCounts } from "./room-receiver.ts";
import { countedFailures, countFailure } from "./run.ts";

interface Orders {
  url: string;
  space: BeingId;
  name: string;
}

/** What the receiver saw since the last report: the seqs it made visible, and when. */
interface Report {
  last: number;
  visible: Array<[seq: number, at: number]>;
  counts: ReceiverCounts;
  failures: string[];
}

type FromChild = { joined: true } | { report: Report } | { failedToJoin: string };

/** How often a child reports; what it measures is timed in the child, so this delays only the parent's view. */
const REPORT_MS = 50;

/** The parent's view of a receiver in a child process: what the benchmarks read of a RoomReceiver. */
export class ReceiverProcess {
  last = 0;
  /** When each seq became visible at the receiver (ms since the epoch). */
  readonly visibleAt = new Map<number, number>();
  counts: ReceiverCounts = emptyCounts();
  private readonly child: ChildProcess;
  private readonly exited: Promise<number | null>;
  private closing = false;

  private constructor(child: ChildProcess, name: string) {
    this.child = child;
    child.on("message", (message: FromChild) => {
      if (!("report" in message)) return;
      const { last, visible, counts, failures } = message.report;
      for (const [seq, at] of visible) this.visibleAt.set(seq, at);
      this.last = last;
      this.counts = counts;
      for (const failure of failures) countFailure(`${name}: ${failure}`);
    });
    this.exited = new Promise((resolve) => child.on("exit", resolve));
  }

  /** Starts a child process whose receiver signs in as a guest called `name` and joins the space's room. */
  static async join(url: string, space: BeingId, name: string): Promise<ReceiverProcess> {
    const orders: Orders = { url, space, name };
    // The child's stdout goes to the parent's stderr: the parent's stdout is the report's tables.
    const child = fork(fileURLToPath(import.meta.url), [JSON.stringify(orders)], { stdio: ["ignore", 2, 2, "ipc"] });
    const receiver = new ReceiverProcess(child, name);
    await new Promise<void>((resolve, reject) => {
      child.on("message", (message: FromChild) => {
        if ("joined" in message) resolve();
        if ("failedToJoin" in message) reject(new Error(`${name} could not join: ${message.failedToJoin}`));
      });
      void receiver.exited.then((code) => reject(new Error(`${name}'s process exited with ${code} while joining`)));
    });
    void receiver.exited.then((code) => {
      if (!receiver.closing) countFailure(`${name}'s process exited with ${code} before it was closed`);
    });
    return receiver;
  }

  /** Leaves the room; resolves once the child has sent its last report and exited. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.child.connected) this.child.send("close");
    await this.exited;
  }
}

async function receiveAsOrdered({ url, space, name }: Orders): Promise<void> {
  let receiver: RoomReceiver;
  try {
    receiver = await RoomReceiver.join(url, space, name);
  } catch (error) {
    process.send!({ failedToJoin: String(error) } satisfies FromChild, () => process.exit(1));
    return;
  }
  let reportedLast = 0;
  let reportedCounts = "";
  let reportedFailures = 0;
  const report = (force = false): FromChild | undefined => {
    const counts = JSON.stringify(receiver.counts);
    const failures = countedFailures().slice(reportedFailures);
    if (!force && receiver.last === reportedLast && counts === reportedCounts && failures.length === 0) return undefined;
    const visible: Report["visible"] = [];
    for (let seq = reportedLast + 1; seq <= receiver.last; seq++) {
      const at = receiver.visibleAt.get(seq);
      if (at !== undefined) visible.push([seq, at]);
    }
    reportedLast = receiver.last;
    reportedCounts = counts;
    reportedFailures += failures.length;
    return { report: { last: receiver.last, visible, counts: receiver.counts, failures } };
  };
  const reporting = setInterval(() => {
    const message = report();
    if (message) process.send!(message);
  }, REPORT_MS);
  process.on("message", async (message: "close") => {
    if (message !== "close") return;
    clearInterval(reporting);
    await receiver.close();
    process.send!(report(true)!, () => process.exit(0));
  });
  process.send!({ joined: true } satisfies FromChild);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // An orphan has nobody to report to: a parent that died takes its receivers with it.
  process.on("disconnect", () => process.exit(1));
  await receiveAsOrdered(JSON.parse(process.argv[2]!) as Orders);
}
