// The space page's long tasks (over 50 ms) in the ten seconds from its first paint, at 4x CPU
// throttling in Chromium, each with what ran in it: the trace's own events (scripts evaluated, timers,
// layout, garbage collection) and the functions its CPU profile samples were in. Each task is put down
// to LiveKit (most of its samples in livekit-client's chunk) or to the app: what LiveKit's code and
// connect cost on the first screen, apart from the app's own work. Minified names read better after
// `vite build --minify false` (the stack serves whatever dist/web holds: this script does not build).
// Run: sh scripts/node tests/bench/long-tasks.ts [--runs 3] [--livekit off]
//      sh scripts/node tests/bench/long-tasks.ts --trace FILE [--scale 4]   (a saved trace, e.g. Lighthouse's
//      from `npm run bench:lighthouse -- --traces DIR`: taken unthrottled, each task counted 4x as Lighthouse does)
import { readFileSync } from "node:fs";
import type { CDPSession } from "playwright-core";
import { launchBrowser } from "../e2e/support.ts";
import { StackClient } from "../integration/http.ts";
import { benchConfig, createSpace, fmt, load, option, seedMessages, startBenchStack } from "./support.ts";

const RUNS = Number(option("runs") ?? 3);
const LIVEKIT = (option("livekit") ?? "auto") as "auto" | "off";
const SCALE = Number(option("scale") ?? 1);
const TRACE = option("trace");
const MESSAGES = 100;
// Tasks are looked at from the first paint to this long after it (the page is traced this long after its load).
const AFTER_MS = 10_000;
const LONG_MS = 50;

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  id?: string;
  args?: { name?: string; data?: Record<string, any> };
}

interface Frame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface Task {
  /** ms after the first contentful paint. */
  start: number;
  /** ms, times SCALE. */
  duration: number;
  whose: "livekit" | "app";
  /** The trace events inside it and the functions its samples were in, as lines to print. */
  details: string[];
}

/** Traces the page (with a CPU profile) while `during` runs. */
async function trace(cdp: CDPSession, during: () => Promise<void>): Promise<TraceEvent[]> {
  const events: TraceEvent[] = [];
  cdp.on("Tracing.dataCollected", ({ value }) => events.push(...(value as unknown as TraceEvent[])));
  const complete = new Promise<void>((resolve) => cdp.once("Tracing.tracingComplete", () => resolve()));
  await cdp.send("Tracing.start", {
    transferMode: "ReportEvents",
    traceConfig: {
      includedCategories: ["devtools.timeline", "disabled-by-default-devtools.timeline", "v8.execute", "v8", "disabled-by-default-v8.cpu_profiler", "loading", "toplevel"],
    },
  });
  await during();
  await cdp.send("Tracing.end");
  await complete;
  return events;
}

const scriptName = (url: string | undefined) => (url ?? "").replace(/^https?:\/\/[^/]+/, "").replace(/^\/assets\//, "");
const frameName = (frame: Frame) => `${frame.functionName || "(anonymous)"} ${scriptName(frame.url)}:${frame.lineNumber}`;

/** The CPU profile of one thread: its call tree's nodes and each sample's time and node. */
function profileOf(events: TraceEvent[], pid: number, tid: number) {
  const nodes = new Map<number, { frame: Frame; parent?: number }>();
  const samples: Array<{ ts: number; node: number }> = [];
  // The profile starts on the thread it samples; its chunks come from the profiler's own thread, by id.
  const clocks = new Map<string, number>();
  for (const event of events) if (event.name === "Profile" && event.pid === pid && event.tid === tid) clocks.set(event.id!, event.args!.data!.startTime);
  for (const event of events) {
    if (event.name !== "ProfileChunk" || event.pid !== pid || !clocks.has(event.id!)) continue;
    const { cpuProfile = {}, timeDeltas = [] } = event.args!.data!;
    for (const node of cpuProfile.nodes ?? []) nodes.set(node.id, { frame: node.callFrame, parent: node.parent });
    let ts = clocks.get(event.id!)!;
    (cpuProfile.samples ?? []).forEach((node: number, i: number) => {
      ts += timeDeltas[i] ?? 0;
      samples.push({ ts, node });
    });
    clocks.set(event.id!, ts);
  }
  const stack = (node: number) => {
    const frames: Frame[] = [];
    for (let id: number | undefined = node; id !== undefined; id = nodes.get(id)?.parent) if (nodes.get(id)) frames.push(nodes.get(id)!.frame);
    return frames;
  };
  return { samples, stack };
}

// Trace events worth naming inside a task; scripts and calls by their url.
const PARTS = new Set(["TimerFire", "FireAnimationFrame", "RunMicrotasks", "ParseHTML", "Layout", "UpdateLayoutTree", "Paint", "MinorGC", "MajorGC"]);
function partName(event: TraceEvent): string | undefined {
  const data = event.args?.data ?? {};
  if (["EvaluateScript", "v8.evaluateModule", "v8.compileModule", "v8.compile"].includes(event.name)) return `${event.name} ${scriptName(data.url ?? data.fileName)}`;
  if (event.name === "FunctionCall") return `FunctionCall ${data.functionName || "(anonymous)"} ${scriptName(data.url)}`;
  if (event.name === "EventDispatch") return `EventDispatch ${data.type}`;
  return PARTS.has(event.name) ? event.name : undefined;
}

/** Counts per key, largest first, as indented lines. */
function top(counts: Map<string, number>, n: number, show: (count: number) => string): string[] {
  return [...counts].sort((a, b) => b[1] - a[1]).slice(0, n).map(([key, count]) => `      ${show(count).padStart(5)}  ${key}`);
}

const add = (counts: Map<string, number>, key: string, by = 1) => counts.set(key, (counts.get(key) ?? 0) + by);

/** The long tasks of the page's main thread (the renderer thread that ran most), from its first contentful paint on. */
function longTasks(events: TraceEvent[]): Task[] {
  const busiest = events
    .filter((event) => event.ph === "M" && event.name === "thread_name" && event.args?.name === "CrRendererMain")
    .map((thread) => ({
      thread,
      busy: events.filter((e) => e.pid === thread.pid && e.tid === thread.tid && e.name === "RunTask").reduce((sum, e) => sum + (e.dur ?? 0), 0),
    }))
    .sort((a, b) => b.busy - a.busy)[0]!.thread;
  const main = events.filter((event) => event.pid === busiest.pid && event.tid === busiest.tid);
  const fcp = (main.find((event) => event.name === "firstContentfulPaint") ?? events.find((event) => event.name === "firstContentfulPaint"))!.ts;
  const { samples, stack } = profileOf(events, busiest.pid, busiest.tid);
  const tasks: Task[] = [];
  for (const task of main) {
    const end = task.ts + (task.dur ?? 0);
    if (task.name !== "RunTask" || ((task.dur ?? 0) * SCALE) / 1000 <= LONG_MS || end < fcp || task.ts > fcp + AFTER_MS * 1000) continue;
    const parts = new Map<string, number>();
    for (const event of main) {
      if (event.ph !== "X" || event === task || event.ts < task.ts || event.ts >= end) continue;
      const name = partName(event);
      if (name) add(parts, name, (event.dur ?? 0) * SCALE);
    }
    const self = new Map<string, number>();
    const inclusive = new Map<string, number>();
    let inLivekit = 0;
    let inOthers = 0;
    const within = samples.filter((sample) => sample.ts >= task.ts && sample.ts < end);
    for (const sample of within) {
      const frames = stack(sample.node);
      if (frames[0]) add(self, frameName(frames[0]));
      for (const name of new Set(frames.filter((frame) => frame.url).map(frameName))) add(inclusive, name);
      // A sample is in the script whose function runs nearest the top of its stack (the app's code calls
      // LiveKit's, and LiveKit's calls back). Much of evaluating a module is the VM's own time, with no
      // script on the stack: a task is LiveKit's when more of its samples are in LiveKit's chunk than in others.
      const running = frames.find((frame) => frame.url)?.url;
      if (running?.includes("livekit-client")) inLivekit += 1;
      else if (running) inOthers += 1;
    }
    const share = (count: number) => `${fmt((100 * count) / Math.max(1, within.length))}%`;
    tasks.push({
      start: (task.ts - fcp) / 1000,
      duration: ((task.dur ?? 0) * SCALE) / 1000,
      whose: inLivekit > inOthers ? "livekit" : "app",
      details: [
        "    trace events (ms):",
        ...top(parts, 8, (us) => fmt(us / 1000)),
        "    samples, self:",
        ...top(self, 6, share),
        "    samples, inclusive (functions with a script):",
        ...top(inclusive, 10, share),
      ],
    });
  }
  return tasks;
}

/** Blocking time (each task's part over 50 ms) after the first paint, of every task or of one side's. */
const blocking = (tasks: Task[], whose?: Task["whose"]) =>
  tasks.filter((task) => task.start >= 0 && (!whose || task.whose === whose)).reduce((sum, task) => sum + task.duration - LONG_MS, 0);

/** Prints a trace's long tasks; returns its row for the summary table. */
function report(events: TraceEvent[], title: string): string {
  const tasks = longTasks(events);
  console.log(`\n## ${title}: ${tasks.length} long tasks`);
  for (const task of tasks) console.log(`  FCP${task.start >= 0 ? "+" : ""}${fmt(task.start)} ms: ${fmt(task.duration)} ms, ${task.whose}\n${task.details.join("\n")}`);
  const list = (whose: Task["whose"]) => tasks.filter((task) => task.whose === whose).map((task) => fmt(task.duration)).join(", ") || "none";
  return `| ${title} | ${fmt(blocking(tasks))} | ${fmt(blocking(tasks, "livekit"))} (${list("livekit")}) | ${fmt(blocking(tasks, "app"))} (${list("app")}) |`;
}

const TABLE = "| run | blocking after FCP (ms) | LiveKit's (its long tasks, ms) | the app's (its long tasks, ms) |\n|---|---|---|---|";

if (TRACE) {
  const row = report(JSON.parse(readFileSync(TRACE, "utf8")), TRACE);
  console.log(`\n${TABLE}\n${row}`);
  process.exit(0);
}

const stack = await startBenchStack({ database: { kind: "postgres" }, livekit: LIVEKIT, wranglerConfig: await benchConfig(0) });
const browser = await launchBrowser();
try {
  const writer = await StackClient.guest(stack.url, "Long tasks");
  const space = await createSpace(writer, "Long tasks");
  await seedMessages(writer, space, MESSAGES);
  const [name, value] = writer.cookie!.split(";")[0]!.split("=");
  const rows: string[] = [];
  for (let run = 1; run <= RUNS; run++) {
    // A phone's screen, as Lighthouse's mobile settings have it.
    const context = await browser.newContext({ viewport: { width: 412, height: 823 }, isMobile: true, deviceScaleFactor: 1.75 });
    await context.addCookies([{ name: name!, value: value!, url: stack.url }]);
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
    const events = await trace(cdp, async () => {
      await page.goto(`${stack.url}/${space}`, { waitUntil: "load" });
      await page.waitForTimeout(AFTER_MS);
    });
    rows.push(report(events, `run ${run}, LiveKit ${LIVEKIT}, load ${load()}`));
    await context.close();
  }
  console.log(`\n${TABLE}\n${rows.join("\n")}`);
} finally {
  await browser.close();
  await stack.stop();
}
