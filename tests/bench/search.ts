// Message search over 100,000 messages in 1,000 spaces: latency of GET /api/search/intentions through the
// worker, by kind of query, and the size of the full-text index.
// Run: npm run bench:search   (prints a markdown table; about a minute)
//
// The messages are written straight into the bench stack's database with generate_series (triggers off for
// the seeding session: the change log plays no part in search), twelve words each from a 2,000-word
// vocabulary drawn with a skew (rank r about r^-2/3 likely), so the commonest word is in most messages, as
// "the" would be under the 'simple' configuration. One space in ten is private and the reader not a member.
import { StackClient } from "../integration/http.ts";
import { SEARCH_WINDOW } from "../../src/shared/limits.ts";
import { fmt, load, percentile, startSeededStack } from "./support.ts";

const SPACES = 1_000;
const MESSAGES = 100_000;
const WORDS = 2_000;
const WORDS_PER_MESSAGE = 12;
const QUERIES_PER_KIND = 50;

/** The vocabulary's word of rank `rank` (1 = commonest): letters only, so the parser keeps it one word. */
const word = (rank: number) => `w${String(rank).replace(/\d/g, (digit) => "abcdefghij"[Number(digit)]!)}`;

const QUERIES: Record<string, string> = {
  "common word (in most messages)": word(1),
  "rare word": word(1_900),
  "two words": `${word(3)} ${word(200)}`,
  "no hit": "nothinglikethis",
};

const loadAtStart = load();
const { stack, db } = await startSeededStack();
try {
  const reader = await StackClient.guest(stack.url, "Reader");
  const seedStart = performance.now();
  await db.query("SET session_replication_role = replica");
  await db.query(
    `INSERT INTO beings (id, name, type, owner_id, properties)
     VALUES ('@bench-owner', 'Bench owner', 'guest', NULL, '{}')`,
  );
  await db.query(
    `INSERT INTO beings (id, name, type, owner_id, properties)
     SELECT '@bench-s' || g, 'Bench space ' || g, 'space', '@bench-owner',
            CASE WHEN g % 10 = 0 THEN '{"private": true, "members": []}'::jsonb ELSE '{}'::jsonb END
     FROM generate_series(1, ${SPACES}) g`,
  );
  // The same words as word() above; `WHERE g > 0` ties the draw to each message, so it is made anew for each.
  await db.query(
    `WITH vocabulary AS (
       SELECT array_agg('w' || translate(r::text, '0123456789', 'abcdefghij') ORDER BY r) AS words FROM generate_series(1, ${WORDS}) r)
     INSERT INTO intentions (id, owner_id, location_id, content, created_at, modified_at)
     SELECT '/bench' || g, '@bench-owner', '@bench-s' || (g % ${SPACES} + 1),
            jsonb_build_array((SELECT string_agg(x.word, ' ') FROM (
              SELECT v.words[1 + floor(${WORDS} * random() ^ 3)::int] AS word FROM generate_series(1, ${WORDS_PER_MESSAGE}) k WHERE g > 0) x)),
            now() - (${MESSAGES} - g) * interval '1 second', now() - (${MESSAGES} - g) * interval '1 second'
     FROM generate_series(1, ${MESSAGES}) g, vocabulary v`,
  );
  await db.query("RESET session_replication_role");
  await db.query("ANALYZE intentions");
  const seedSeconds = (performance.now() - seedStart) / 1000;

  const { rows: [sizes] } = await db.query(
    `SELECT pg_relation_size('intentions_search_idx') AS index, pg_relation_size('intentions_created_idx') AS created,
            pg_relation_size('intentions') AS heap,
            (SELECT count(*) FROM intentions WHERE search @@ websearch_to_tsquery('simple', $1))::int AS common,
            (SELECT count(*) FROM intentions WHERE search @@ websearch_to_tsquery('simple', $2))::int AS rare,
            (SELECT count(*) FROM intentions WHERE search @@ websearch_to_tsquery('simple', $3))::int AS two`,
    [QUERIES["common word (in most messages)"], QUERIES["rare word"], QUERIES["two words"]],
  );
  const hits: Record<string, number> = {
    "common word (in most messages)": sizes.common,
    "rare word": sizes.rare,
    "two words": sizes.two,
    "no hit": 0,
  };

  const timings: Record<string, number[]> = Object.fromEntries(Object.keys(QUERIES).map((kind) => [kind, []]));
  const ask = async (q: string) => {
    const started = performance.now();
    const reply = await reader.request("GET", `/api/search/intentions?q=${encodeURIComponent(q)}`);
    if (reply.status !== 200) throw new Error(`search failed: ${reply.status} ${JSON.stringify(reply.body)}`);
    return performance.now() - started;
  };
  for (const q of Object.values(QUERIES)) await ask(q); // warm-up: the worker's first requests compile and connect
  for (let round = 0; round < QUERIES_PER_KIND; round++) {
    for (const [kind, q] of Object.entries(QUERIES)) timings[kind]!.push(await ask(q));
  }
  const all = Object.values(timings).flat();

  console.log(`\n### Message search: ${MESSAGES.toLocaleString("en")} messages in ${SPACES.toLocaleString("en")} spaces\n`);
  console.log(
    `GET /api/search/intentions (first page of 20) as a guest who may read 900 of the spaces, sequentially, ${QUERIES_PER_KIND} queries per kind after one warm-up each; ` +
      `seeded in ${fmt(seedSeconds, 1)} s. GIN index \`intentions_search_idx\`: ${fmt(sizes.index / 2 ** 20, 1)} MiB, with \`intentions_created_idx\` ` +
      `(the newest ${SEARCH_WINDOW} matches are ranked): ${fmt(sizes.created / 2 ** 20, 1)} MiB; table ${fmt(sizes.heap / 2 ** 20, 1)} MiB. Matching: in all spaces. ` +
      `1-minute load average ${loadAtStart} at the start, ${load()} at the end.\n`,
  );
  console.log("| query | messages matching | n | p50 ms | p99 ms | max ms |");
  console.log("|---|---:|---:|---:|---:|---:|");
  for (const [kind, values] of Object.entries(timings)) {
    console.log(`| ${kind} | ${hits[kind]!.toLocaleString("en")} | ${values.length} | ${fmt(percentile(values, 50))} | ${fmt(percentile(values, 99))} | ${fmt(Math.max(...values))} |`);
  }
  console.log(`| all | | ${all.length} | ${fmt(percentile(all, 50))} | ${fmt(percentile(all, 99))} | ${fmt(Math.max(...all))} |`);
} finally {
  await db.end();
  await stack.stop();
}
process.exit(0);
