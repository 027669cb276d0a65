// The change log's size per 1,000 messages, before and after the sweeper prunes it.
// Run: npm run bench:log-size   (prints a markdown table; about 2 minutes)
//
// One space gets 1,000 messages and a bot-like message rewritten 30 times. The sweeper then runs twice,
// with CHANGE_RETENTION_SECONDS short enough to see both of pruneChanges' passes: first while every
// change is younger than the retention (only versions superseded by a later change to the same row
// go), then once they are all older (everything confirmed goes, and catch-up from before it is GONE).
import pg from "pg";
import { eventually, StackClient } from "../integration/http.ts";
import { benchConfig, createSpace, fmt, load, sleep, startBenchStack } from "./support.ts";

const MESSAGES = 1000;
const REWRITES = 30;
const RETENTION_SECONDS = 45;

const loadAtStart = load();
const stack = await startBenchStack({
  database: { kind: "postgres" },
  // The room is empty, so the consumer confirms every change without a call; only confirmed changes are pruned.
  livekit: "required",
  runtime: "miniflare",
  wranglerConfig: await benchConfig(0),
  vars: { CHANGE_RETENTION_SECONDS: String(RETENTION_SECONDS) },
});
const db = new pg.Client({ connectionString: stack.databaseUrl });
await db.connect();
try {
  const writer = await StackClient.guest(stack.url, "Log writer");
  const space = await createSpace(writer, "Log");
  const post = async (content: string) => {
    const reply = await writer.request("POST", `/api/spaces/${space}/intentions`, { content });
    if (reply.status !== 201) throw new Error(`write failed: ${reply.status}`);
    return reply.body.intention.id as string;
  };
  const bot = await post("build #1 running");
  for (let i = 1; i <= REWRITES; i++) {
    const reply = await writer.request("PATCH", `/api/intentions/${encodeURIComponent(bot)}`, { content: `build #1: step ${i} of ${REWRITES}` });
    if (reply.status !== 200) throw new Error(`edit failed: ${reply.status}`);
  }
  for (let i = 0; i < MESSAGES; i += 10) {
    await Promise.all(Array.from({ length: 10 }, (_, j) => post(`message ${i + j + 1}: a line of chat of ordinary length`)));
  }
  const confirmed = async () =>
    (await db.query("SELECT last_seq = broadcast_seq AS done FROM space_sync WHERE space_id = $1", [space])).rows[0]?.done === true;
  if (!(await eventually(confirmed, 30_000, 100))) throw new Error("the changes were never confirmed");

  const measure = async (stage: string) => {
    const { rows: [row] } = await db.query(
      `SELECT count(*)::int AS rows, coalesce(sum(pg_column_size(c.*)), 0)::int AS bytes,
         count(*) FILTER (WHERE kind = 'intention')::int AS intentions,
         coalesce(extract(epoch FROM now() - min(at)), 0)::float8 AS oldest
       FROM changes c WHERE space_id = $1`,
      [space],
    );
    const catchUp = await writer.request("GET", `/api/spaces/${space}/changes?after=0`);
    return { stage, ...row, catchUp: catchUp.status };
  };
  const sweep = async () => {
    const response = await fetch(`${stack.url}/cdn-cgi/local/scheduled`);
    await response.text();
  };

  const stages = [await measure(`after ${MESSAGES} messages and ${REWRITES} rewrites of one`)];
  await sweep();
  const superseded = await measure(`sweeper, every change younger than the retention (${RETENTION_SECONDS} s)`);
  if (superseded.oldest >= RETENTION_SECONDS) throw new Error(`writing took too long: the oldest change is ${superseded.oldest} s old`);
  stages.push(superseded);
  const { rows: [newest] } = await db.query("SELECT extract(epoch FROM now() - max(at))::float8 AS age FROM changes WHERE space_id = $1", [space]);
  await sleep((RETENTION_SECONDS - newest.age + 1) * 1000);
  await sweep();
  stages.push(await measure(`sweeper, every change older than the retention`));

  console.log(`\n### Change log of one space: ${MESSAGES} messages and one message rewritten ${REWRITES} times\n`);
  console.log(`Rows and bytes: \`SELECT count(*), sum(pg_column_size(c.*)) FROM changes c WHERE space_id = …\`. 1-minute load average ${loadAtStart} at the start, ${load()} at the end.\n`);
  console.log("| stage | change rows | of which intention changes | bytes | bytes per row | catch-up from seq 0 |");
  console.log("|---|---:|---:|---:|---:|---|");
  for (const s of stages) {
    console.log(`| ${s.stage} | ${s.rows} | ${s.intentions} | ${s.bytes} | ${s.rows ? fmt(s.bytes / s.rows) : "–"} | ${s.catchUp}${s.catchUp === 410 ? " GONE" : ""} |`);
  }
} finally {
  await db.end();
  await stack.stop();
}
process.exit(0);
