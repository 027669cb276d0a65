// Lighthouse (its default mobile settings: simulated slow 4G, 4x CPU slowdown) in Debian's Chromium
// against the app as `npm run dev` serves it (wrangler dev, the built web app, livekit-server when
// installed), on the sign-in page, on a space holding 100 messages and on one holding 100 pictures (PNGs
// of several shapes, uploaded as the page uploads them, previews and all: their room is reserved from the
// sizes the messages carry); the median of RUNS runs.
// The 100-message space is measured again with no LiveKit configured, to tell LiveKit's cost from the app's.
// Run: npm run bench:lighthouse [-- --runs 5] [-- --details]   (prints markdown tables; about two minutes)
// --details also prints each run's layout shifts, longest main-thread tasks and the scripts that cost most;
// --traces DIR saves each run's trace, with a CPU profile, for tests/bench/long-tasks.ts --trace FILE --scale 4.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";
import { type StartChunk, startChunk } from "../../scripts/start-chunk.ts";
import { CHROMIUM_PATH } from "../e2e/support.ts";
import { StackClient } from "../integration/http.ts";
import { png } from "../support/images.ts";
import { pagePreparer } from "./page-prepare.ts";
import { benchConfig, createSpace, fmt, load, option, percentile, seedMessages, startBenchStack } from "./support.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const RUNS = Number(option("runs") ?? 3);
const DETAILS = process.argv.includes("--details");
const TRACES = option("traces");
const MESSAGES = 100;
/** The pictures' shapes, in turn: landscape, portrait, wide, square. */
const PICTURES = [[640, 480], [480, 640], [1024, 400], [500, 500]] as const;
/** The pictures' noise (tests/support/images.ts): their PNGs, re-encoded by the page, weigh 390-640 KB, as photos do. */
const GRAIN = 2;

let built: StartChunk | undefined;
/** The web build's start chunk, measured once: after the first stack has built the app (buildWeb). */
const chunk = () => (built ??= startChunk(join(root, "dist/web")));

interface Figures {
  score: number;
  tbt: number;
  cls: number;
  lcp: number;
  fcp: number;
}

type Audits = Record<string, { numericValue?: number; details?: { items?: Array<Record<string, unknown>> } }>;

async function measure(url: string, headers: Record<string, string>, traceFile?: string): Promise<{ figures: Figures; audits: Audits }> {
  const chrome = await chromeLauncher.launch({
    chromePath: CHROMIUM_PATH,
    chromeFlags: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
  try {
    const result = await lighthouse(url, {
      port: chrome.port,
      output: "json",
      logLevel: "error",
      onlyCategories: ["performance"],
      extraHeaders: headers,
    }, traceFile ? { extends: "lighthouse:default", settings: { additionalTraceCategories: "disabled-by-default-v8.cpu_profiler" } } : undefined);
    if (!result) throw new Error(`lighthouse returned nothing for ${url}`);
    if (traceFile) writeFileSync(traceFile, JSON.stringify((result.artifacts as unknown as { Trace: { traceEvents: unknown[] } }).Trace.traceEvents));
    const { lhr } = result;
    if (lhr.runtimeError) throw new Error(`lighthouse: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`);
    const audits = lhr.audits as unknown as Audits;
    const value = (id: string) => audits[id]?.numericValue ?? NaN;
    return {
      figures: {
        score: (lhr.categories.performance?.score ?? NaN) * 100,
        tbt: value("total-blocking-time"),
        cls: value("cumulative-layout-shift"),
        lcp: value("largest-contentful-paint"),
        fcp: value("first-contentful-paint"),
      },
      audits,
    };
  } finally {
    chrome.kill();
  }
}

const median = (runs: Figures[], key: keyof Figures) => percentile(runs.map((run) => run[key]), 50);

interface Page {
  name: string;
  url: string;
  headers: Record<string, string>;
}

/**
 * Posts `count` messages each carrying one picture, in turn of PICTURES' shapes, into `space`: each as the page
 * uploads it (re-encoded, with the preview it makes for a heavy picture), by the page's own code in Chromium.
 */
async function seedPictures(writer: StackClient, space: string, count: number): Promise<void> {
  const preparer = await pagePreparer();
  try {
    for (let i = 0; i < count; i++) {
      const [width, height] = PICTURES[i % PICTURES.length]!;
      const { body, preview } = await preparer.prepare(png(width, height, { hue: i * 7, grain: GRAIN }));
      const uploaded = await writer.upload(space, `picture ${i}.png`, body);
      if (uploaded.status !== 201) throw new Error(`uploading failed: ${uploaded.status} ${JSON.stringify(uploaded.body)}`);
      const id = uploaded.body.attachment.id;
      const previewed = preview && (await writer.putPreview(id, preview));
      if (previewed && previewed.status !== 200) throw new Error(`the preview failed: ${previewed.status} ${JSON.stringify(previewed.body)}`);
      const posted = await writer.request("POST", `/api/spaces/${encodeURIComponent(space)}/intentions`, { content: `picture ${i}`, attachments: [id] });
      if (posted.status !== 201) throw new Error(`seeding failed: ${posted.status} ${JSON.stringify(posted.body)}`);
    }
  } finally {
    await preparer.close();
  }
}

/** The spaces a stack's pages are measured on. */
interface Spaces {
  messages: string;
  pictures: string;
}

/** Measures the pages `pagesOf` names on a stack of its own (LiveKit as given); one table row per page. */
async function measureOn(livekit: "auto" | "off", pagesOf: (url: string, spaces: Spaces, cookie: string) => Page[]): Promise<string[]> {
  const stack = await startBenchStack({
    database: { kind: "postgres" },
    livekit,
    buildWeb: true,
    // The write limit (120 a minute) would refuse the seeding.
    wranglerConfig: await benchConfig(0),
  });
  try {
    const writer = await StackClient.guest(stack.url, "Lighthouse");
    const spaces = { messages: await createSpace(writer, "Lighthouse bench"), pictures: await createSpace(writer, "Lighthouse pictures") };
    await seedMessages(writer, spaces.messages, MESSAGES);
    if (livekit === "auto") await seedPictures(writer, spaces.pictures, MESSAGES);
    const rows: string[] = [];
    for (const page of pagesOf(stack.url, spaces, writer.cookie!)) {
      const runs: Figures[] = [];
      for (let i = 0; i < RUNS; i++) {
        const traceFile = TRACES && join(TRACES, `${page.name.replace(/\W+/g, "-")}-${i + 1}.json`);
        const { figures, audits } = await measure(page.url, page.headers, traceFile);
        runs.push(figures);
        console.error(`${page.name} run ${i + 1}: ${JSON.stringify(figures)} (load ${load()})`);
        if (DETAILS) printDetails(audits);
      }
      rows.push(
        `| ${page.name} | ${fmt(median(runs, "score"))} | ${fmt(median(runs, "tbt"))} ms | ${fmt(median(runs, "cls"), 3)} | ` +
          `${fmt(median(runs, "lcp"))} ms | ${fmt(median(runs, "fcp"))} ms | ${fmt(chunk().gzipBytes / 1024, 1)} KiB gzip |`,
      );
    }
    return rows;
  } finally {
    await stack.stop();
  }
}

/** The space, opened by its author. */
const spacePage = (name: string, url: string, space: string, cookie: string): Page => ({ name, url: `${url}/${space}`, headers: { Cookie: cookie } });
if (TRACES) mkdirSync(TRACES, { recursive: true });
const rows = await measureOn("auto", (url, spaces, cookie) => [
  { name: "sign-in", url: `${url}/`, headers: {} },
  spacePage(`a space (${MESSAGES} messages)`, url, spaces.messages, cookie),
  spacePage(`a space (${MESSAGES} pictures)`, url, spaces.pictures, cookie),
]);
// The same page where no LiveKit is configured (the app polls): what LiveKit's code and connect cost, apart from the app's own.
rows.push(...(await measureOn("off", (url, spaces, cookie) => [spacePage(`a space (${MESSAGES} messages), no LiveKit configured`, url, spaces.messages, cookie)])));
console.log(`\nLighthouse ${RUNS} runs per page, median; load average ${load()} at the end`);
const { files, bytes, gzipBytes } = chunk();
console.log(`start chunk: ${files.join(" + ")} = ${fmt(bytes / 1024, 1)} KiB, ${fmt(gzipBytes / 1024, 1)} KiB gzip\n`);
console.log("| page | performance | total blocking time | layout shift | LCP | FCP | start chunk |\n|---|---|---|---|---|---|---|");
for (const row of rows) console.log(row);

/** A page's layout shifts, longest main-thread tasks and the scripts that spent most time, as Lighthouse saw them. */
function printDetails(audits: Audits): void {
  console.error("  layout shifts (score, element):");
  for (const shift of audits["layout-shifts"]?.details?.items ?? []) {
    const node = shift.node as { snippet?: string } | undefined;
    console.error(`    ${fmt(shift.score as number, 3)}  ${node?.snippet ?? "(unknown)"}`);
  }
  console.error("  long tasks (ms, url):");
  for (const task of (audits["long-tasks"]?.details?.items ?? []).slice(0, 5)) {
    console.error(`    ${fmt(task.duration as number)}  start ${fmt(task.startTime as number)}  ${task.url}`);
  }
  console.error("  script bootup (total / scripting / parse+compile ms, url):");
  for (const script of (audits["bootup-time"]?.details?.items ?? []).slice(0, 5)) {
    console.error(`    ${fmt(script.total as number)} / ${fmt(script.scripting as number)} / ${fmt(script.scriptParseCompile as number)}  ${script.url}`);
  }
  console.error("  main thread by category (ms):");
  for (const group of (audits["mainthread-work-breakdown"]?.details?.items ?? []).slice(0, 6)) {
    console.error(`    ${fmt(group.duration as number)}  ${group.groupLabel}`);
  }
}
