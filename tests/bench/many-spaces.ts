// Many spaces under LiveKit's API budget, on the local stack with the real livekit-server: 200 spaces
// (busy, quiet and empty rooms), one receiver in each occupied room, and an offered load that would need
// ten times the budget with one LiveKit call per write. A counting proxy between the worker and
// livekit-server stands in for LiveKit Cloud's limit (tests/bench/livekit-proxy.ts).
// Run: npm run bench:many-spaces [-- --over-limit]   (prints markdown tables; about 7 minutes, 10 with --over-limit)
//
// The budget is scaled to the run: LIVEKIT_CALLS_PER_MINUTE = 120 instead of production's 900, so that
// ten times it (20 writes/s to occupied rooms) is a load 2 cores can offer while serving 40 receivers.
// The fair share scales with it: 40 occupied rooms at 120/min wait 40 ÷ (0.9 · 120 / 60) = 22.2 s
// between calls under pressure, as 300 occupied rooms would at 900/min.
import pg from "pg";
import { freePort } from "../../scripts/local/free-port.ts";
import { startLivekit } from "../../scripts/local/livekit.ts";
import { newIntentionId } from "../../src/shared/ids.ts";
import { eventually, StackClient } from "../integration/http.ts";
import { Receiver, truth } from "../integration/receiver.ts";
import { maxPerWindow, startLivekitProxy, type ApiCall } from "./livekit-proxy.ts";
import { benchConfig, counters, createSpace, fmt, load, percentile, signInAdmin, sleep, startBenchStack, stopOnExit } from "./support.ts";

const BUDGET = 120;
const WRITE_SECONDS = 120;
/** Rooms by kind: how many, writes per second to each, and whether a receiver is in it. */
const KINDS = {
  busy: { rooms: 10, rate: 1.2, occupied: true },
  quiet: { rooms: 30, rate: 8 / 30, occupied: true },
  empty: { rooms: 160, rate: 5 / 160, occupied: false },
} as const;
type Kind = keyof typeof KINDS;
const OWNERS = 4;
/** The rule of take_livekit_call (drizzle/0007): under pressure a room gets one call per occupied rooms ÷ refill rate. */
const totalRooms = Object.values(KINDS).reduce((sum, kind) => sum + kind.rooms, 0);
const occupiedRooms = Object.values(KINDS).reduce((sum, kind) => sum + (kind.occupied ? kind.rooms : 0), 0);
const fairShareSeconds = occupiedRooms / ((0.9 * BUDGET) / 60);

interface Scenario {
  label: string;
  /** LIVEKIT_CALLS_PER_MINUTE for the worker; 0 = unlimited. */
  workerBudget: number;
  /** The limit the proxy enforces, as LiveKit Cloud would; null = none (a self-hosted server). */
  proxyLimit: number | null;
}

const SCENARIOS: Scenario[] = [
  { label: `budget ${BUDGET}/min, LiveKit limit ${BUDGET}/min`, workerBudget: BUDGET, proxyLimit: BUDGET },
  { label: "budget unlimited (0), no LiveKit limit", workerBudget: 0, proxyLimit: null },
  ...(process.argv.includes("--over-limit")
    ? [{ label: `budget unlimited (0), LiveKit limit ${BUDGET}/min`, workerBudget: 0, proxyLimit: BUDGET }]
    : []),
];

interface Room {
  space: string;
  kind: Kind;
  owner: StackClient;
  receiver: Receiver | null;
}

interface Write {
  room: Room;
  sentAt: number;
  seq: number | null;
}

/** A seeded generator (mulberry32): every scenario offers the very same writes. */
function seeded(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Poisson arrivals per room at its kind's rate over the run: [ms from the start, room index]. */
function schedule(rooms: readonly Room[]): Array<[number, number]> {
  const random = seeded(20261130);
  const events: Array<[number, number]> = [];
  rooms.forEach((room, index) => {
    for (let t = -Math.log(1 - random()) / KINDS[room.kind].rate; t < WRITE_SECONDS; t += -Math.log(1 - random()) / KINDS[room.kind].rate) {
      events.push([t * 1000, index]);
    }
  });
  return events.sort((a, b) => a[0] - b[0]);
}

/** Runs `work` over `items`, `width` at a time. */
async function inChunks<T, R>(items: readonly T[], width: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += width) results.push(...(await Promise.all(items.slice(i, i + width).map((item, j) => work(item, i + j)))));
  return results;
}

/** How far each receiver's applied seq has come, sampled every 10 ms: when each seq became visible. */
function trackVisibility(receivers: readonly Receiver[]) {
  const seen = new Map(receivers.map((r) => [r, { last: r.last, at: new Map<number, number>() }]));
  const timer = setInterval(() => {
    const now = Date.now();
    for (const [receiver, track] of seen) {
      for (let seq = track.last + 1; seq <= receiver.last; seq++) track.at.set(seq, now);
      track.last = Math.max(track.last, receiver.last);
    }
  }, 10);
  return { visibleAt: (receiver: Receiver, seq: number) => seen.get(receiver)!.at.get(seq), stop: () => clearInterval(timer) };
}

/** Intentions a receiver lacks or holds differently from the database, plus any it holds that the database does not. */
async function lostChanges(room: Room): Promise<{ converged: boolean; lost: number }> {
  const expected = await truth(room.owner, room.space);
  const held = room.receiver!.intentions();
  let lost = 0;
  for (const [id, intention] of Object.entries(expected.intentions)) if (JSON.stringify(held[id]) !== JSON.stringify(intention)) lost++;
  for (const id of Object.keys(held)) if (!(id in expected.intentions)) lost++;
  return { converged: lost === 0 && room.receiver!.last === expected.seq, lost };
}

interface Result {
  scenario: Scenario;
  offered: number;
  achieved: number;
  failedWrites: number;
  sendData: number;
  listRooms: number;
  rejected: number;
  /** Calls the worker sent per minute while the writes went on, those the proxy refused included. */
  meanPerMinute: number;
  /** The most calls the worker sent in any 60 s, those the proxy refused included. */
  maxPerMinute: number;
  emptyRoomCalls: number;
  rateLimited: number;
  deferred: number;
  changesPerCall: number;
  unconverged: number;
  lost: number;
  invisible: number;
  latency: Record<"all" | Kind, number[]>;
  /** Seconds between one occupied room's consecutive SendData calls while writes went on. */
  gaps: number[];
  drainSeconds: number;
}

async function runScenario(scenario: Scenario): Promise<Result> {
  // The worker's port is known before it starts, so livekit-server's webhooks can go straight to it.
  const port = await freePort();
  const livekit = await startLivekit({ webhookUrl: `http://127.0.0.1:${port}/api/livekit/webhook` });
  const proxy = await startLivekitProxy({ upstream: livekit.url, callsPerMinute: scenario.proxyLimit });
  const stops: Array<() => Promise<void>> = [stopOnExit(livekit.stop), stopOnExit(proxy.close)];
  try {
    const stack = await startBenchStack({
      database: { kind: "postgres" },
      livekit: "off",
      runtime: "miniflare",
      port,
      wranglerConfig: await benchConfig(0),
      // The sweeper on production's schedule: it reconciles occupancy with one ListRooms a run.
      cronIntervalMs: 60_000,
      vars: {
        LIVEKIT_URL: proxy.url,
        LIVEKIT_API_KEY: livekit.apiKey,
        LIVEKIT_API_SECRET: livekit.apiSecret,
        LIVEKIT_CALLS_PER_MINUTE: String(scenario.workerBudget),
      },
    });
    stops.push(stack.stop);
    const db = new pg.Client({ connectionString: stack.databaseUrl });
    await db.connect();
    stops.push(() => db.end());

    const admin = await signInAdmin(stack.url, stack.databaseUrl);
    const owners = await Promise.all(Array.from({ length: OWNERS }, (_, i) => StackClient.guest(stack.url, `Owner ${i}`)));
    const kinds = (Object.keys(KINDS) as Kind[]).flatMap((kind) => Array.from({ length: KINDS[kind].rooms }, () => kind));
    const rooms = await inChunks(kinds, 20, async (kind, index): Promise<Room> => {
      const owner = owners[index % OWNERS]!;
      return { space: await createSpace(owner, `${kind} ${index}`), kind, owner, receiver: null };
    });
    const occupied = rooms.filter((room) => KINDS[room.kind].occupied);
    await inChunks(occupied, 10, async (room, index) => {
      room.receiver = await Receiver.join(stack.url, room.space, `Receiver ${index}`);
    });
    const receivers = occupied.map((room) => room.receiver!);
    stops.push(async () => void (await Promise.all(receivers.map((r) => r.close()))));
    const settled = async () => {
      const { rows: [row] } = await db.query(
        "SELECT count(*) FILTER (WHERE occupied)::int AS occupied, count(*) FILTER (WHERE last_seq > broadcast_seq)::int AS pending FROM space_sync",
      );
      return row.occupied === occupiedRooms && row.pending === 0;
    };
    // The joins' webhooks mark the rooms occupied, and each room's first broadcast follows.
    if (!(await eventually(settled, 90_000, 500))) throw new Error("rooms did not settle: occupancy or the joins' broadcasts are missing");

    const before = await counters(admin);
    const visibility = trackVisibility(receivers);
    const writes: Write[] = [];
    const inflight: Promise<void>[] = [];
    let failedWrites = 0;
    const events = schedule(rooms);
    const started = Date.now();
    for (const [offset, index] of events) {
      const wait = started + offset - Date.now();
      if (wait > 0) await sleep(wait);
      const room = rooms[index]!;
      const write: Write = { room, sentAt: Date.now(), seq: null };
      writes.push(write);
      const content = `${room.kind} room, message ${writes.length}`;
      inflight.push(room.owner.request("POST", `/api/spaces/${room.space}/intentions`, { id: newIntentionId(), content }).then((reply) => {
        if (reply.status === 201) write.seq = reply.body.seq;
        else failedWrites++;
      }));
    }
    await Promise.all(inflight);
    const writesEnded = Date.now();

    let verdicts: Array<{ converged: boolean; lost: number }> = [];
    await eventually(async () => {
      verdicts = await inChunks(occupied, 10, lostChanges);
      return verdicts.every((v) => v.converged);
    }, 180_000, 2_000);
    const drainSeconds = (Date.now() - writesEnded) / 1000;
    visibility.stop();
    const after = await counters(admin);
    const delta = (name: string) => (after[name] ?? 0) - (before[name] ?? 0);

    const latency: Result["latency"] = { all: [], busy: [], quiet: [], empty: [] };
    let invisible = 0;
    for (const write of writes) {
      if (!write.room.receiver || write.seq === null) continue;
      const at = visibility.visibleAt(write.room.receiver, write.seq);
      if (at === undefined) {
        invisible++;
        continue;
      }
      latency.all.push(at - write.sentAt);
      latency[write.room.kind].push(at - write.sentAt);
    }
    const occupiedSpaces = new Set(occupied.map((room) => room.space));
    const accepted = proxy.calls.filter((call) => call.accepted);
    const whileWriting = proxy.calls.filter((call) => call.at >= started && call.at < writesEnded);
    const roomCall = (call: ApiCall) => call.room !== "";
    const gaps: number[] = [];
    for (const space of occupiedSpaces) {
      const times = accepted.filter((call) => call.room === space && call.at >= started && call.at <= writesEnded).map((call) => call.at);
      for (let i = 1; i < times.length; i++) gaps.push((times[i]! - times[i - 1]!) / 1000);
    }
    return {
      scenario,
      offered: events.length / WRITE_SECONDS,
      achieved: writes.length / ((writesEnded - started) / 1000),
      failedWrites,
      sendData: accepted.filter((call) => call.method === "SendData").length,
      listRooms: accepted.filter((call) => call.method === "ListRooms").length,
      rejected: proxy.calls.length - accepted.length,
      meanPerMinute: whileWriting.length / ((writesEnded - started) / 60_000),
      maxPerMinute: maxPerWindow(proxy.calls.map((call) => call.at)),
      emptyRoomCalls: proxy.calls.filter((call) => roomCall(call) && !occupiedSpaces.has(call.room)).length,
      rateLimited: delta("rate_limited"),
      deferred: delta("deferred"),
      changesPerCall: delta("changes") / Math.max(1, delta("batches")),
      unconverged: verdicts.filter((v) => !v.converged).length,
      lost: verdicts.reduce((sum, v) => sum + v.lost, 0),
      invisible,
      latency,
      gaps,
      drainSeconds,
    };
  } finally {
    for (const stop of stops.reverse()) await stop().catch((error: unknown) => console.error("stopping failed:", error));
  }
}

const loadAtStart = load();
const results: Result[] = [];
for (const scenario of SCENARIOS) {
  const result = await runScenario(scenario);
  results.push(result);
  console.error(`${scenario.label}: ${result.sendData} SendData, max ${result.maxPerMinute} in 60 s, p99 ${percentile(result.latency.all, 99)} ms, lost ${result.lost}`);
}

const seconds = (values: number[], p: number) => fmt(percentile(values, p) / 1000, 2);
const occupiedRate = KINDS.busy.rooms * KINDS.busy.rate + KINDS.quiet.rooms * KINDS.quiet.rate;
const emptyRate = KINDS.empty.rooms * KINDS.empty.rate;
console.log(`\n### Many spaces: ${totalRooms} spaces (${KINDS.busy.rooms} busy, ${KINDS.quiet.rooms} quiet, ${KINDS.empty.rooms} empty), one receiver in each of the ${occupiedRooms} occupied rooms\n`);
console.log(`Offered for ${WRITE_SECONDS} s (Poisson, the same seed for every row): ${fmt(occupiedRate)} writes/s to occupied rooms`
  + ` (${fmt((occupiedRate * 60) / BUDGET)}× a budget of ${BUDGET} calls/min with one call per write) and ${fmt(emptyRate)} writes/s to empty rooms.`
  + ` Fair-share bound: ${occupiedRooms} occupied rooms ÷ (0.9 · ${BUDGET} / 60) calls/s = ${fmt(fairShareSeconds, 1)} s.`
  + ` Worker in Miniflare; 1-minute load average ${loadAtStart} at the start, ${load()} at the end.\n`);
console.log("| worker budget, LiveKit limit | writes/s offered / achieved (failed writes) | SendData + ListRooms calls | calls/min: mean while writing / most sent in any 60 s | 429s to the worker | calls for empty rooms | changes lost | write → visible p50 / p99 s (occupied rooms) | changes per call | deferred turns | drain after the last write s |");
console.log("|---|---|---|---|---|---|---|---|---|---|---|");
for (const r of results) {
  console.log(`| ${r.scenario.label} | ${fmt(r.offered, 1)} / ${fmt(r.achieved, 1)} (${r.failedWrites}) | ${r.sendData} + ${r.listRooms} | ${fmt(r.meanPerMinute)} / ${r.maxPerMinute} | ${r.rateLimited} (proxy refused ${r.rejected}) | ${r.emptyRoomCalls} | ${r.lost} (rooms not converged: ${r.unconverged}, writes never visible: ${r.invisible}) | ${seconds(r.latency.all, 50)} / ${seconds(r.latency.all, 99)} | ${fmt(r.changesPerCall, 1)} | ${r.deferred} | ${fmt(r.drainSeconds, 1)} |`);
}
console.log("\n| worker budget, LiveKit limit | busy rooms p50 / p99 s | quiet rooms p50 / p99 s | fair-share bound s | between a room's calls p50 / p99 / max s |");
console.log("|---|---|---|---|---|");
for (const r of results) {
  console.log(`| ${r.scenario.label} | ${seconds(r.latency.busy, 50)} / ${seconds(r.latency.busy, 99)} | ${seconds(r.latency.quiet, 50)} / ${seconds(r.latency.quiet, 99)} | ${r.scenario.workerBudget ? fmt(fairShareSeconds, 1) : "–"} | ${fmt(percentile(r.gaps, 50), 1)} / ${fmt(percentile(r.gaps, 99), 1)} / ${fmt(Math.max(...r.gaps), 1)} |`);
}
process.exit(0);
