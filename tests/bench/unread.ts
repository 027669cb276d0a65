// Unread counts: a being in 200 spaces holding 100,000 messages in all, the latency of the space list
// (GET /api/spaces, which carries each space's unread and mention counts) through the worker.
// Run: npm run bench:unread   (prints a markdown table; about a minute)
//
// The messages are written straight into the bench stack's database (triggers off for the seeding session,
// so created_seq is set as the trigger would: the n-th message of a space is its n-th change), 500 a space,
// one in 20 the reader's own, one in 100 mentioning the reader. The reader's read point in each space is
// drawn between none and all of it, so most spaces are behind and most of those more than the count's cap behind.
import { UNREAD_COUNT_CAP, type SpaceList } from "../../src/shared/responses.ts";
import { StackClient } from "../integration/http.ts";
import { fmt, load, percentile, startSeededStack } from "./support.ts";

const SPACES = 200;
const MESSAGES = 100_000;
const PER_SPACE = MESSAGES / SPACES;
const REQUESTS = 200;

const loadAtStart = load();
const { stack, db } = await startSeededStack();
try {
  const reader = await StackClient.guest(stack.url, "Reader");
  // A member of the same spaces who never read any: its list costs the listing and no counts, the baseline.
  const newcomer = await StackClient.guest(stack.url, "Newcomer");
  const seedStart = performance.now();
  await db.query("SET session_replication_role = replica");
  await db.query(`INSERT INTO beings (id, name, type, owner_id, properties) VALUES ('@bench-writer', 'Writer', 'guest', NULL, '{}')`);
  await db.query(
    `INSERT INTO beings (id, name, type, owner_id, properties)
     SELECT '@bench-s' || g, 'Bench space ' || g, 'space', '@bench-writer', jsonb_build_object('private', true, 'members', jsonb_build_array($1::text, $2::text))
     FROM generate_series(1, ${SPACES}) g`,
    [reader.id, newcomer.id],
  );
  await db.query(
    `INSERT INTO intentions (id, owner_id, location_id, content, seq, created_seq, created_at, modified_at)
     SELECT '/bench' || g, CASE WHEN g % 20 = 0 THEN $1 ELSE '@bench-writer' END, '@bench-s' || (g % ${SPACES} + 1),
            CASE WHEN g % 100 = 7 THEN jsonb_build_array(jsonb_build_object('type', 'mention', 'props', jsonb_build_object('id', $1::text), 'content', jsonb_build_array('@Reader')), ' look')
                 ELSE jsonb_build_array('message ' || g) END,
            g / ${SPACES} + 1, g / ${SPACES} + 1,
            now() - (${MESSAGES} - g) * interval '1 second', now() - (${MESSAGES} - g) * interval '1 second'
     FROM generate_series(1, ${MESSAGES}) g`,
    [reader.id],
  );
  await db.query(`INSERT INTO space_sync (space_id, last_seq) SELECT '@bench-s' || g, ${PER_SPACE} FROM generate_series(1, ${SPACES}) g`);
  await db.query(
    `INSERT INTO space_reads (being_id, space_id, read_seq) SELECT $1, '@bench-s' || g, floor(random() * ${PER_SPACE + 1}) FROM generate_series(1, ${SPACES}) g`,
    [reader.id],
  );
  await db.query("RESET session_replication_role");
  // As autovacuum leaves a table at rest: statistics, and the visibility map that lets counts read the index
  // alone. Twice: here the first pass right after the seeding leaves the map empty (relallvisible 0).
  await db.query("VACUUM ANALYZE intentions, space_reads");
  await db.query("VACUUM intentions");
  const seedSeconds = (performance.now() - seedStart) / 1000;

  const list = async (who = reader) => {
    const started = performance.now();
    const reply = await who.request<SpaceList>("GET", "/api/spaces");
    if (reply.status !== 200) throw new Error(`the space list failed: ${reply.status} ${JSON.stringify(reply.body)}`);
    return { ms: performance.now() - started, body: reply.body };
  };
  const { body } = await list(); // warm-up: the worker's first request compiles and connects
  await list(newcomer);
  const counts = Object.values(body.unread ?? {});
  // Alternated, so the two rows meet the same load on a shared machine.
  const timings: number[] = [];
  const baseline: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    timings.push((await list()).ms);
    baseline.push((await list(newcomer)).ms);
  }

  console.log(`\n### Unread counts: a reader in ${SPACES} spaces, ${MESSAGES.toLocaleString("en")} messages in all\n`);
  console.log(
    `GET /api/spaces, sequentially, ${REQUESTS} requests each after one warm-up; seeded in ${fmt(seedSeconds, 1)} s. ` +
      `The list held ${body.spaces.length} spaces with counts for ${counts.length}: ${counts.filter((c) => c.unread > 0).length} with unread messages ` +
      `(${counts.filter((c) => c.unread >= UNREAD_COUNT_CAP).length} at the cap of ${UNREAD_COUNT_CAP}), ${counts.reduce((n, c) => n + c.mentions, 0)} unread mentions. ` +
      `1-minute load average ${loadAtStart} at the start, ${load()} at the end.\n`,
  );
  console.log("| request | n | p50 ms | p99 ms | max ms |");
  console.log("|---|---:|---:|---:|---:|");
  for (const [label, values] of [["the reader's list, with its counts", timings], ["a newcomer's list (no read points: the listing alone)", baseline]] as const) {
    console.log(`| GET /api/spaces, ${label} | ${values.length} | ${fmt(percentile(values, 50))} | ${fmt(percentile(values, 99))} | ${fmt(Math.max(...values))} |`);
  }
} finally {
  await db.end();
  await stack.stop();
}
process.exit(0);
