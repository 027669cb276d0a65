// A benchmark's run: it ends with its report whatever one request does (a failure is counted, not
// thrown), and it stops what it started however it ends. The stack's children run in process groups
// of their own (scripts/local/process.ts): a benchmark that died without stopping them left
// livekit-server and PostgreSQL running. So every stop also runs on Ctrl-C, a hangup and when the
// benchmark's main flow throws.
const running = new Set<() => Promise<void>>();
const starting = new Set<Promise<unknown>>();
const interrupted = new AbortController();
const failures: string[] = [];
let guarded = false;
let stoppingEverything: Promise<void> | undefined;

function guard(): void {
  if (guarded) return;
  guarded = true;
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.once(signal, () => void stopEverything(signal, 130));
  // A top-level await that rejects arrives here as "unhandledRejection": the main flow is over. A throw
  // from a callback (rtc-node drops a failed room's handles so) is one failure, as is a promise nobody
  // awaits (a request fired and forgotten): neither may end the run before its report.
  process.on("uncaughtException", (error, origin) => {
    if (origin === "unhandledRejection") void stopEverything(error, 1);
    else countFailure(error);
  });
  process.on("unhandledRejection", countFailure);
  process.on("exit", () => {
    if (failures.length) console.log(`\n${failures.length} failure(s), counted in the figures above, not thrown. The first: ${failures[0]}`);
  });
}

function stopEverything(reason: unknown, exitCode: number): Promise<void> {
  console.error(typeof reason === "string" ? `\n${reason}: stopping what the benchmark started…` : reason);
  stoppingEverything ??= (async () => {
    interrupted.abort();
    await Promise.allSettled(starting);
    for (const stop of [...running].reverse()) await stop().catch((error: unknown) => console.error("stopping failed:", error));
    process.exit(exitCode);
  })();
  return stoppingEverything;
}

const messageOf = (reason: unknown): string =>
  reason instanceof Error ? `${reason.message}${reason.cause instanceof Error ? ` (${reason.cause.message})` : ""}` : String(reason);

/** Counts a failure (a request without an answer, a part that broke) instead of throwing it; the run's end reports the count. */
export function countFailure(reason: unknown): void {
  guard();
  failures.push(messageOf(reason));
  if (failures.length <= 3) console.error(`counted as failed: ${messageOf(reason)}`);
}

/** The failures counted in this process so far, oldest first: a benchmark's child process passes them on to its parent. */
export const countedFailures = (): readonly string[] => failures;

/** Runs one part of a benchmark; a failure is counted and yields undefined, so the report still prints ("–" in its place). */
export async function tryPart<T>(what: string, work: () => Promise<T>): Promise<T | undefined> {
  try {
    return await work();
  } catch (error) {
    countFailure(`${what}: ${messageOf(error)}`);
    return undefined;
  }
}

/** Registers `stop` to run also if the benchmark is interrupted or crashes; returns the stop to call as usual. */
export function stopOnExit(stop: () => Promise<void>): () => Promise<void> {
  guard();
  // A stop under way stays registered until it ends, so that exiting waits for it rather than cutting it short.
  let stopped: Promise<void> | undefined;
  const once = () => (stopped ??= stop().finally(() => running.delete(once)));
  running.add(once);
  return once;
}

/** Starts something with the run's abort signal (Ctrl-C mid-start stops what it had started) and registers its stop. */
export async function startGuarded<T extends { stop(): Promise<void> }>(start: (signal: AbortSignal) => Promise<T>): Promise<T> {
  guard();
  const started = start(interrupted.signal);
  starting.add(started);
  try {
    const parts = await started;
    return { ...parts, stop: stopOnExit(parts.stop) };
  } finally {
    starting.delete(started);
  }
}
