// The LiveKit budget's token bucket (take_livekit_call, drizzle/0007) on its own: callers take calls
// for a minute and more, and the grants are counted per 60-s window against the budget. The rule
// promises at most `per_minute` grants in any 60 s (a bucket of a tenth, refilled at nine tenths a
// minute), whoever calls and however many at once.
// Run: npm run bench:budget-bucket   (prints a markdown table; about 70 seconds)
import pg from "pg";
import { applyMigrations } from "../../scripts/local/migrate.ts";
import { startPostgres } from "../../scripts/local/postgres.ts";
import { maxPerWindow } from "./livekit-proxy.ts";
import { load, sleep, stopOnExit } from "./support.ts";

const BUDGET = 120;
const SECONDS = 65;

interface Case {
  label: string;
  takers: number;
  /** Pause after a refused take, ms; a granted take is followed at once by the next. */
  pauseMs: number;
}

const CASES: Case[] = [
  { label: "1 caller, one take every 10 ms", takers: 1, pauseMs: 10 },
  { label: "20 callers at once, one take every 200 ms each", takers: 20, pauseMs: 200 },
  { label: "20 callers at once, one take every 5 ms each", takers: 20, pauseMs: 5 },
];

const loadAtStart = load();
const server = await startPostgres();
const stopServer = stopOnExit(server.stop);
try {
  await applyMigrations(server.connectionString);
  // The cases run side by side, each on a project of its own: separate buckets, separate row locks.
  const results = await Promise.all(CASES.map(async (testCase, index) => {
    const clients = await Promise.all(Array.from({ length: testCase.takers }, async () => {
      const client = new pg.Client({ connectionString: server.connectionString });
      await client.connect();
      return client;
    }));
    const grants: number[] = [];
    let takes = 0;
    const end = Date.now() + SECONDS * 1000;
    await Promise.all(clients.map(async (client) => {
      while (Date.now() < end) {
        const { rows: [row] } = await client.query("SELECT take_livekit_call($1, '', $2) AS wait", [`project-${index}`, BUDGET]);
        takes++;
        if (Number(row.wait) === 0) grants.push(Date.now());
        else await sleep(testCase.pauseMs);
      }
    }));
    await Promise.all(clients.map((client) => client.end()));
    grants.sort((a, b) => a - b);
    return { testCase, takes, grants: grants.length, most: maxPerWindow(grants) };
  }));

  console.log(`\n### The budget's bucket alone: take_livekit_call at ${BUDGET} calls/min for ${SECONDS} s (PostgreSQL 15, 2 cores)\n`);
  console.log(`At most ${BUDGET} grants may fall in any 60 s; in ${SECONDS} s at most ${BUDGET / 10} + ${(0.9 * BUDGET) / 60} × ${SECONDS} = ${BUDGET / 10 + ((0.9 * BUDGET) / 60) * SECONDS}. 1-minute load average ${loadAtStart} at the start, ${load()} at the end.\n`);
  console.log("| callers | takes | grants | most grants in any 60 s | budget |");
  console.log("|---|---:|---:|---:|---:|");
  for (const r of results) console.log(`| ${r.testCase.label} | ${r.takes} | ${r.grants} | ${r.most} | ${BUDGET} |`);
} finally {
  await stopServer();
}
process.exit(0);
