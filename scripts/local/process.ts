import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

/** A child process started in its own process group, with a promise of its exit. */
export interface Running {
  child: ChildProcess;
  pid: number;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  hasExited(): boolean;
}

/** Spawns a command in a new process group so stopGroup() also reaches its grandchildren
 * (wrangler's workerd) and a terminal's Ctrl-C reaches only our own handler, which stops
 * things in order. */
export function startProcess(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; stdio: ["ignore", number | "pipe", number | "pipe"] },
): Running {
  const child = spawn(command, args, { ...options, detached: true });
  let done = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("exit", (code, signal) => {
      done = true;
      resolve({ code, signal });
    });
    child.once("error", () => {
      done = true;
      resolve({ code: null, signal: null });
    });
  });
  if (child.pid === undefined) done = true;
  return { child, pid: child.pid ?? -1, exited, hasExited: () => done };
}

/** Polls `url` until it answers with any HTTP status; throws if the process exits first, time runs out or `signal` aborts. */
export async function waitForHttp(url: string, running: Running, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    signal?.throwIfAborted();
    if (running.hasExited()) {
      const exit = await running.exited;
      throw new Error(`exited (code ${exit.code}, signal ${exit.signal}) before ${url} answered`);
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await response.body?.cancel();
      return;
    } catch {
      await sleep(100);
    }
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

function signalGroup(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false; // ESRCH: the whole group is gone
  }
}

// Zombies still answer kill(pid, 0), and an orphaned workerd is reaped by PID 1 only if PID 1
// reaps (not every container init does), so on Linux count only members that are not zombies.
function groupAlive(pgid: number): boolean {
  if (!signalGroup(pgid, 0)) return false;
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return true;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const [state, , group] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(group) === pgid && state !== "Z") return true;
    } catch {
      // the process ended while we looked
    }
  }
  return false;
}

async function groupGone(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!groupAlive(pgid)) return true;
    await sleep(50);
  }
  return !groupAlive(pgid);
}

/** Stops a process group: each of `signals` (SIGTERM by default) with graceMs to act, then SIGKILL;
 * never hangs. Waits for every member, not just the leader: a dead wrangler can leave workerd. */
export async function stopGroup(
  running: Running,
  options: { graceMs?: number; signals?: NodeJS.Signals[] } = {},
): Promise<void> {
  if (running.pid < 0) return;
  for (const signal of options.signals ?? ["SIGTERM"]) {
    signalGroup(running.pid, signal);
    if (await groupGone(running.pid, options.graceMs ?? 5_000)) return;
  }
  signalGroup(running.pid, "SIGKILL");
  await groupGone(running.pid, 2_000);
}
