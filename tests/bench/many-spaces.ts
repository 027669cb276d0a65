// Many spaces under LiveKit's API budget, on the local stack with the real livekit-server: 200 spaces
// (busy, quiet and empty rooms), a writer and a receiver in each occupied room, and an offered load
// that would need ten times the budget with one LiveKit call per write. A counting proxy between the
// worker and livekit-server stands in for LiveKit Cloud's limit (tests/bench/livekit-proxy.ts).
// Run: npm run bench:many-spaces [-- --over-limit] [-- --quick]   (prints markdown tables; about 7
// minutes, 9 with --over-limit; --quick: a fifth of everything, the scaled budget's modes only, 2 minutes)
//
// The budget is scaled to the run: LIVEKIT_CALLS_PER_MINUTE = 120 instead of production's 900, so that
// ten times it (20 writes/s to occupied rooms) is a load 2 cores can offer while serving 40 rooms' writers
// and receivers. The fair share scales with it: 40 occupied rooms at 120/min wait
// 40 ÷ (0.9 · 120 / 60) = 22.2 s between calls under pressure, as 300 occupied rooms would at 900/min.
// Each row is a mode on one stack: the writers in the occupied rooms (relay-writer.ts) write the
// server's way, or relay their own signed batches, or relay but for every tenth writer, who says it
// will and never publishes (its changes wait for the grace, then the budget).
import pg from "pg";
import { freePort } from "../../scripts/local/free-port.ts";
import { startLivekit } from "../../scripts/local/livekit.ts";
import type { BeingId } from "../../src/shared/entities.ts";
import { newIntentionId } from "../../src/shared/ids.ts";
import { eventually, StackClient } from "../integration/http.ts";
import { truth } from "../integration/receiver.ts";
import { maxPerWindow, startLivekitProxy, type ApiCall, type LivekitProxy } from "./livekit-proxy.ts";
import { RelayWriter, type WriteMode } from "./relay-writer.ts";
import { countsSince, RoomReceiver, sumCounts, type ReceiverCounts } from "./room-receiver.ts";
import { benchConfig, counters, createSpace, fmt, load, percentile, signInAdmin, sleep, startBenchStack, stopOnExit } from "./support.ts";

const quick = process.argv.includes("--quick");
/** --quick divides the rooms and the budget alike, so the offered load is still ten times the budget and the fair share the same. */
const SCALE = quick ? 5 : 1;
const BUDGET = 120 / SCALE;
const WRITE_SECONDS = quick ? 10 : 60;
/** Rooms by kind: how many, writes per second to each, and whether a writer and a receiver are in it. */
const KINDS = {
  busy: { rooms: 10 / SCALE, rate: 1.2, occupied: true },
  quiet: { rooms: 30 / SCALE, rate: 8 / 30, occupied: true },
  empty: { rooms: 160 / SCALE, rate: 5 / 160, occupied: false },
};
type Kind = keyof typeof KINDS;
const OWNERS = 4;
/** The contract's relay grace (SYNC_RELAY_GRACE_SECONDS in src/worker/settings.ts): an unpublished relay waits this long, then for the budget. */
const RELAY_GRACE_SECONDS = 2;
/** The rule of take_livekit_call (drizzle/0007): under pressure a room gets one call per occupied rooms ÷ refill rate. */
const totalRooms = Object.values(KINDS).reduce((sum, kind) => sum + kind.rooms, 0);
const occupiedRooms = Object.values(KINDS).reduce((sum, kind) => sum + (kind.occupied ? kind.rooms : 0), 0);
const fairShareSeconds = occupiedRooms / ((0.9 * BUDGET) / 60);
/** The pause between two modes on one stack: the bucket holds a tenth of the budget and refills at nine tenths a minute, 6.7 s from empty. */
const REFILL_MS = 7_000;

interface Mode {
  label: string;
  /** How the writer in the `index`-th occupied room writes. */
  writeMode(index: number): WriteMode;
}

const SERVER_PATH: Mode = { label: "server path", writeMode: () => "server" };
const RELAY: Mode = { label: "writers relay", writeMode: () => "relay" };
const SOME_NEVER_PUBLISH: Mode = { label: "writers relay, 1 in 10 never publishes", writeMode: (index) => (index % 10 === 5 ? "vanish" : "relay") };

interface Scenario {
  label: string;
  /** LIVEKIT_CALLS_PER_MINUTE for the worker; 0 = unlimited. */
  workerBudget: number;
  /** The limit the proxy enforces, as LiveKit Cloud would; null = none (a self-hosted server). */
  proxyLimit: number | null;
  /** Run one after the other on the scenario's stack, in the same rooms. */
  modes: Mode[];
}

const SCENARIOS: Scenario[] = [
  { label: `budget ${BUDGET}/min, LiveKit limit ${BUDGET}/min`, workerBudget: BUDGET, proxyLimit: BUDGET, modes: [SERVER_PATH, RELAY, SOME_NEVER_PUBLISH] },
  ...(quick ? [] : [{ label: "budget unlimited (0), no LiveKit limit", workerBudget: 0, proxyLimit: null, modes: [SERVER_PATH] }]),
  ...(process.argv.includes("--over-limit")
    ? [{ label: `budget unlimited (0), LiveKit limit ${BUDGET}/min`, workerBudget: 0, proxyLimit: BUDGET, modes: [SERVER_PATH] }]
    : []),
];

interface Room {
  space: BeingId;
  kind: Kind;
  owner: StackClient;
  /** An occupied room's writer and receiver, and its place among the occupied rooms. */
  occupants: { writer: RelayWriter; receiver: RoomReceiver; index: number } | null;
}

interface Write {
  room: Room;
  mode: WriteMode;
  sentAt: number;
  seq: number | null;
}

/** A seeded generator (mulberry32): every mode offers the very same writes. */
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

/** Intentions a receiver lacks or holds differently from the database, plus any it holds that the database does not. */
async function lostChanges(room: Room): Promise<{ converged: boolean; lost: number }> {
  const expected = await truth(room.owner, room.space);
  const { receiver } = room.occupants!;
  const held = receiver.intentions();
  let lost = 0;
  for (const [id, intention] of Object.entries(expected.intentions)) if (JSON.stringify(held[id]) !== JSON.stringify(intention)) lost++;
  for (const id of Object.keys(held)) if (!(id in expected.intentions)) lost++;
  return { converged: lost === 0 && receiver.last === expected.seq, lost };
}

interface Result {
  scenario: Scenario;
  mode: Mode;
  offered: number;
  achieved: number;
  failedWrites: number;
  sendData: number;
  listRooms: number;
  rejected: number;
  /** Calls the worker sent per minute while the writes went on, those the proxy refused included. */
  meanPerMinute: number;
  /** The most calls the worker sent in any 60 s of the mode, those the proxy refused included. */
  maxPerMinute: number;
  emptyRoomCalls: number;
  rateLimited: number;
  deferred: number;
  changesPerCall: number;
  /** Changes the server confirmed as published by their writers (the `relayed` counter). */
  relayedChanges: number;
  unconverged: number;
  lost: number;
  invisible: number;
  /** Write → visible at the room's receiver, ms: by kind of room, and by how the write went. */
  latency: Record<"all" | Kind | WriteMode, number[]>;
  /** Seconds between one occupied room's consecutive SendData calls while writes went on. */
  gaps: number[];
  drainSeconds: number;
  receivers: ReceiverCounts;
  /** The machine's 1-minute load average as the mode ended (the machine is shared). */
  load: string;
}

/** What one scenario's modes share: its stack's rooms, its admin and its proxy. */
interface Stage {
  scenario: Scenario;
  rooms: Room[];
  occupied: Room[];
  admin: StackClient;
  proxy: LivekitProxy;
}

async function runMode({ scenario, rooms, occupied, admin, proxy }: Stage, mode: Mode): Promise<Result> {
  const receivers = occupied.map((room) => room.occupants!.receiver);
  const before = { counters: await counters(admin), receivers: sumCounts(receivers), calls: proxy.calls.length };
  const writes: Write[] = [];
  const inflight: Promise<void>[] = [];
  let failedWrites = 0;
  const events = schedule(rooms);
  const started = Date.now();
  for (const [offset, index] of events) {
    const wait = started + offset - Date.now();
    if (wait > 0) await sleep(wait);
    const room = rooms[index]!;
    const how = room.occupants ? mode.writeMode(room.occupants.index) : "server";
    const write: Write = { room, mode: how, sentAt: Date.now(), seq: null };
    writes.push(write);
    const content = `${room.kind} room, ${mode.label}, message ${writes.length}`;
    const sent = room.occupants
      ? room.occupants.writer.write(content, how)
      : room.owner.request("POST", `/api/spaces/${room.space}/intentions`, { id: newIntentionId(), content });
    inflight.push(sent.then((reply) => {
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
  }, 180_000, 1_000);
  const drainSeconds = (Date.now() - writesEnded) / 1000;
  const after = await counters(admin);
  const delta = (name: string) => (after[name] ?? 0) - (before.counters[name] ?? 0);

  const latency: Result["latency"] = { all: [], busy: [], quiet: [], empty: [], server: [], relay: [], vanish: [] };
  let invisible = 0;
  for (const write of writes) {
    if (!write.room.occupants || write.seq === null) continue;
    const at = write.room.occupants.receiver.visibleAt.get(write.seq);
    if (at === undefined) {
      invisible++;
      continue;
    }
    for (const group of ["all", write.room.kind, write.mode] as const) latency[group].push(at - write.sentAt);
  }
  const occupiedSpaces = new Set<string>(occupied.map((room) => room.space));
  const calls = proxy.calls.slice(before.calls);
  const accepted = calls.filter((call) => call.accepted);
  const whileWriting = calls.filter((call) => call.at < writesEnded);
  const roomCall = (call: ApiCall) => call.room !== "";
  const gaps: number[] = [];
  for (const space of occupiedSpaces) {
    const times = accepted.filter((call) => call.room === space && call.at <= writesEnded).map((call) => call.at);
    for (let i = 1; i < times.length; i++) gaps.push((times[i]! - times[i - 1]!) / 1000);
  }
  return {
    scenario,
    mode,
    offered: events.length / WRITE_SECONDS,
    achieved: writes.length / ((writesEnded - started) / 1000),
    failedWrites,
    sendData: accepted.filter((call) => call.method === "SendData").length,
    listRooms: accepted.filter((call) => call.method === "ListRooms").length,
    rejected: calls.length - accepted.length,
    meanPerMinute: whileWriting.length / ((writesEnded - started) / 60_000),
    maxPerMinute: maxPerWindow(calls.map((call) => call.at)),
    emptyRoomCalls: calls.filter((call) => roomCall(call) && !occupiedSpaces.has(call.room)).length,
    rateLimited: delta("rate_limited"),
    deferred: delta("deferred"),
    changesPerCall: delta("changes") / Math.max(1, delta("batches")),
    relayedChanges: delta("relayed"),
    unconverged: verdicts.filter((v) => !v.converged).length,
    lost: verdicts.reduce((sum, v) => sum + v.lost, 0),
    invisible,
    latency,
    gaps,
    drainSeconds,
    receivers: countsSince(receivers, before.receivers),
    load: load(),
  };
}

async function runScenario(scenario: Scenario): Promise<Result[]> {
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
      return { space: await createSpace(owner, `${kind} ${index}`), kind, owner, occupants: null };
    });
    const occupied = rooms.filter((room) => KINDS[room.kind].occupied);
    const participants: Array<{ close(): Promise<void> }> = [];
    stops.push(async () => void (await Promise.all(participants.map((participant) => participant.close()))));
    await inChunks(occupied, 10, async (room, index) => {
      const writer = await RelayWriter.join(stack.url, room.space, `Writer ${index}`);
      const receiver = await RoomReceiver.join(stack.url, room.space, `Receiver ${index}`);
      participants.push(writer, receiver);
      room.occupants = { writer, receiver, index };
    });
    const settled = async () => {
      const { rows: [row] } = await db.query(
        "SELECT count(*) FILTER (WHERE occupied)::int AS occupied, count(*) FILTER (WHERE last_seq > broadcast_seq)::int AS pending FROM space_sync",
      );
      return row.occupied === occupiedRooms && row.pending === 0;
    };
    const results: Result[] = [];
    for (const mode of scenario.modes) {
      // The joins' webhooks mark the rooms occupied, and each room's first broadcast follows; a mode
      // before leaves nothing pending, and the bucket full again.
      if (!(await eventually(settled, 90_000, 500))) throw new Error("rooms did not settle: occupancy or broadcasts are missing");
      if (results.length) await sleep(REFILL_MS);
      const result = await runMode({ scenario, rooms, occupied, admin, proxy }, mode);
      results.push(result);
      console.error(`${scenario.label}, ${mode.label}: ${result.sendData} SendData, p99 ${percentile(result.latency.all, 99)} ms, lost ${result.lost}, load ${result.load}`);
    }
    return results;
  } finally {
    for (const stop of stops.reverse()) await stop().catch((error: unknown) => console.error("stopping failed:", error));
  }
}

const loadAtStart = load();
const results: Result[] = [];
for (const scenario of SCENARIOS) results.push(...(await runScenario(scenario)));

const ms = (values: number[]) => `${fmt(percentile(values, 50))} / ${fmt(percentile(values, 99))}`;
const seconds = (values: number[]) => `${fmt(percentile(values, 50) / 1000, 2)} / ${fmt(percentile(values, 99) / 1000, 2)}`;
const occupiedRate = KINDS.busy.rooms * KINDS.busy.rate + KINDS.quiet.rooms * KINDS.quiet.rate;
const emptyRate = KINDS.empty.rooms * KINDS.empty.rate;
console.log(`\n### Many spaces: ${totalRooms} spaces (${KINDS.busy.rooms} busy, ${KINDS.quiet.rooms} quiet, ${KINDS.empty.rooms} empty), a writer and a receiver in each of the ${occupiedRooms} occupied rooms\n`);
console.log(`Offered for ${WRITE_SECONDS} s per mode (Poisson, the same seed for every row): ${fmt(occupiedRate)} writes/s to occupied rooms by their writers`
  + ` (${fmt((occupiedRate * 60) / BUDGET)}× a budget of ${BUDGET} calls/min with one call per write) and ${fmt(emptyRate)} writes/s to empty rooms.`
  + ` Fair-share bound: ${occupiedRooms} occupied rooms ÷ (0.9 · ${BUDGET} / 60) calls/s = ${fmt(fairShareSeconds, 1)} s.`
  + ` Worker in Miniflare; 1-minute load average ${loadAtStart} at the start, ${load()} at the end.${quick ? " A --quick run: a smoke test, not figures to publish." : ""}\n`);
console.log(`| worker budget, LiveKit limit | mode | writes/s offered / achieved (failed writes) | load at its end | SendData + ListRooms calls | calls/min: mean while writing / most sent in any 60 s | 429s to the worker | changes lost | write → visible p50 / p99 ms (occupied rooms) | relayed writes p50 / p99 ms | never-published writes p50 / p99 ms (bound ${fmt(RELAY_GRACE_SECONDS + fairShareSeconds, 1)} s) | batches at the receivers: relayed / from the server / catch-ups (rejected) | drain after the last write s |`);
console.log("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
for (const r of results) {
  console.log(`| ${r.scenario.label} | ${r.mode.label} | ${fmt(r.offered, 1)} / ${fmt(r.achieved, 1)} (${r.failedWrites}) | ${r.load} | ${r.sendData} + ${r.listRooms} | ${fmt(r.meanPerMinute)} / ${r.maxPerMinute} | ${r.rateLimited} (proxy refused ${r.rejected}) | ${r.lost} (rooms not converged: ${r.unconverged}, writes never visible: ${r.invisible}) | ${ms(r.latency.all)} | ${ms(r.latency.relay)} | ${ms(r.latency.vanish)} | ${r.receivers.relayed} / ${r.receivers.server} / ${r.receivers.catchUps} (${r.receivers.rejected}) | ${fmt(r.drainSeconds, 1)} |`);
}
console.log("\n| worker budget, LiveKit limit | mode | busy rooms p50 / p99 s | quiet rooms p50 / p99 s | fair-share bound s | between a room's calls p50 / p99 / max s | changes per call | deferred turns | calls for empty rooms | changes confirmed as relayed |");
console.log("|---|---|---|---|---|---|---|---|---|---|");
for (const r of results) {
  console.log(`| ${r.scenario.label} | ${r.mode.label} | ${seconds(r.latency.busy)} | ${seconds(r.latency.quiet)} | ${r.scenario.workerBudget ? fmt(fairShareSeconds, 1) : "–"} | ${fmt(percentile(r.gaps, 50), 1)} / ${fmt(percentile(r.gaps, 99), 1)} / ${fmt(Math.max(...r.gaps), 1)} | ${fmt(r.changesPerCall, 1)} | ${r.deferred} | ${r.emptyRoomCalls} | ${r.relayedChanges} |`);
}
process.exit(0);
