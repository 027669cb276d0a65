// Web apply benchmark, in Chromium: one batch of 1,000 changes into a space holding 10,000
// intentions, through the app's real sync store and its real, rendered message list; the DOM nodes
// each change touches; and the web bundle's size (gzip) with what dominates it.
//
// Run: sh scripts/node tests/bench/web-apply.ts      (prints markdown tables; about a minute)
//
// Design: tests/bench/web-apply/ is a small vite entry that mounts src/web's createSpaceSync and
// MessageList with src/web/styles.css. It is built into a temp dir and served on loopback by a tiny
// Node server that also answers the two API calls the store makes (the snapshot of 10,000
// intentions and an empty catch-up). Only the LiveKit room is swapped, through the store's own
// `openLink` option, for a link that hands each batch to the store exactly where DataReceived would.
// Nothing in src/web is changed or stubbed for the bench. The real app is built separately (also
// into a temp dir, never dist/web, which a running wrangler serves) for the bundle figures.
import { createReadStream } from "node:fs";
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { chromium } from "playwright-core";
import { CHROMIUM_ARGS } from "../e2e/support.ts";
import { build, type Plugin } from "vite";
import solid from "vite-plugin-solid";
import type { BenchWindow, Figures } from "./web-apply/types.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const INTENTIONS = 10_000;
const WARMUP = 2;
const RUNS = 9;
const KINDS = ["edit", "append", "delete"] as const;
const SPACE = "@bench";

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const ms = (value: number) => `${value.toFixed(1)} ms`;
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

/** The snapshot GET /api/spaces/@bench answers: 10,000 messages by five people, in threes. */
function snapshot(): string {
  const t0 = Date.parse("2026-11-01T09:00:00Z");
  const time = (i: number) => new Date(t0 + i * 20_000).toISOString();
  const people = Array.from({ length: 5 }, (_, n) => ({
    id: `@person-${n}`,
    name: ["Ada Lovelace", "Grace Hopper", "Alan Turing", "Edsger Dijkstra", "Barbara Liskov"][n],
    type: "guest",
    ownerId: null,
    locationId: SPACE,
    properties: {},
    content: [],
    createdAt: time(0),
    modifiedAt: time(0),
  }));
  const intentions = Array.from({ length: INTENTIONS }, (_, i) => ({
    id: `/A${String(i).padStart(8, "0")}`,
    name: "",
    type: "utterance",
    state: "complete",
    ownerId: `@person-${Math.floor(i / 3) % 5}`,
    locationId: SPACE,
    content: [`Message ${i}: a line with **bold**, \`code\` and a [link](https://example.com/${i}).`],
    createdAt: time(i),
    modifiedAt: time(i),
  }));
  const space = { id: SPACE, name: "Bench", type: "space", ownerId: null, locationId: null, properties: {}, content: [], createdAt: time(0), modifiedAt: time(0) };
  return JSON.stringify({ space, beings: people, intentions, hasMore: false, seq: INTENTIONS });
}

/** Serves the built bench page and the two API answers the store asks for, on loopback. */
async function serve(dir: string): Promise<{ url: string; close(): Promise<void> }> {
  const body = snapshot();
  const types: Record<string, string> = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css" };
  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? "/", "http://x");
    const path = decodeURIComponent(url.pathname);
    if (path === `/api/spaces/${SPACE}`) return void response.writeHead(200, { "content-type": "application/json" }).end(body);
    if (path === `/api/spaces/${SPACE}/changes`) {
      const after = Number(url.searchParams.get("after"));
      return void response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ changes: [], seq: after, hasMore: false }));
    }
    if (path.startsWith("/api/")) return void response.writeHead(404, { "content-type": "application/json" }).end('{"error":{"code":"NOT_FOUND","message":"bench"}}');
    const file = join(dir, path === "/" ? "index.html" : path);
    if (!file.startsWith(dir) || !(await stat(file).catch(() => null))?.isFile()) return void response.writeHead(404).end();
    response.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream" });
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Builds the bench page (the real store and message list) into `outDir`. */
async function buildBenchPage(outDir: string): Promise<void> {
  await build({
    configFile: false,
    root: fileURLToPath(new URL("./web-apply", import.meta.url)),
    plugins: [solid()],
    logLevel: "warn",
    // Unminified when profiling, so the profile names functions.
    build: { outDir, emptyOutDir: true, chunkSizeWarningLimit: 2_000, minify: !process.env.PROFILE },
  });
}

interface ModuleSize {
  chunk: string;
  id: string;
  bytes: number;
  code: string;
}

/** Builds the real app (vite.config.ts) into `outDir`, recording how many bytes each module renders to. */
async function buildApp(outDir: string): Promise<ModuleSize[]> {
  const modules: ModuleSize[] = [];
  const record: Plugin = {
    name: "bench-module-sizes",
    generateBundle(_options, bundle) {
      for (const [file, output] of Object.entries(bundle)) {
        if (output.type !== "chunk") continue;
        for (const [id, info] of Object.entries(output.modules)) {
          modules.push({ chunk: file, id, bytes: info.renderedLength, code: info.code ?? "" });
        }
      }
    },
  };
  await build({ configFile: join(root, "vite.config.ts"), plugins: [record], logLevel: "warn", build: { outDir, emptyOutDir: true } });
  return modules;
}

/** "livekit-client", "@scope/name", or the app's own folder. */
function owner(id: string): string {
  const clean = id.replace(/^\0/, "").replace(/\?.*$/, "");
  const match = clean.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/g);
  if (match) return match[match.length - 1]!.replace("node_modules/", "");
  const local = clean.startsWith(root) ? clean.slice(root.length) : clean;
  const parts = local.split("/");
  return parts[0] === "src" ? `${parts[0]}/${parts[1]} (app)` : local;
}

async function bundleReport(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "spaces-bench-app-"));
  try {
    const modules = await buildApp(dir);
    const assets = join(dir, "assets");
    const files = (await readdir(assets)).sort();
    const lines: string[] = [];
    lines.push("| file | loaded | raw | gzip | biggest parts (share of the file's modules, measured before minification) |", "|---|---|---:|---:|---|");
    let total = 0;
    let first = 0;
    const html = await readFile(join(dir, "index.html"), "utf8");
    for (const file of files) {
      const bytes = await readFile(join(assets, file));
      const gzip = gzipSync(bytes).length;
      total += gzip;
      const initial = html.includes(file) || file.endsWith(".css");
      if (initial) first += gzip;
      const inFile = modules.filter((m) => m.chunk === `assets/${file}`);
      const byOwner = new Map<string, number>();
      for (const m of inFile) byOwner.set(owner(m.id), (byOwner.get(owner(m.id)) ?? 0) + m.bytes);
      const sum = [...byOwner.values()].reduce((a, b) => a + b, 0);
      const parts = [...byOwner.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 6)
        .map(([name, size]) => `${name} ${Math.round((100 * size) / sum)}%`)
        .join(", ");
      lines.push(`| ${file} | ${initial ? "at start" : "on demand"} | ${kib(bytes.length)} | ${kib(gzip)} | ${parts || "css"} |`);
    }
    lines.push(`| **all** | | | **${kib(total)}** | at start: ${kib(first)} gzip |`);
    // Which packages weigh most across the whole app: each package's code as rolldown rendered it
    // (before minification), gzipped alone. A relative weight, not a share of the files above.
    const perOwner = new Map<string, string[]>();
    for (const m of modules) perOwner.set(owner(m.id), [...(perOwner.get(owner(m.id)) ?? []), m.code]);
    const weights = [...perOwner.entries()].map(([name, codes]) => [name, gzipSync(codes.join("\n")).length] as const).sort((a, b) => b[1] - a[1]);
    lines.push("", "| part (all chunks) | gzip of its unminified code, alone |", "|---|---:|");
    for (const [name, size] of weights.slice(0, 10)) lines.push(`| ${name} | ${kib(size)} |`);
    return lines.join("\n");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** PROFILE=edit|append|delete: a CPU profile of one more batch of that kind, top functions by self time, on stderr. */
async function profile(page: import("playwright-core").Page, kind: (typeof KINDS)[number]): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 100 });
  // An "append" first when deletes are profiled: they remove what the last append added.
  if (kind === "delete") await page.evaluate(() => (window as unknown as BenchWindow).bench.run("append"));
  await cdp.send("Profiler.start");
  await page.evaluate((k) => (window as unknown as BenchWindow).bench.run(k), kind);
  const { profile } = await cdp.send("Profiler.stop");
  const self = new Map<string, number>();
  const dt = new Map<number, number>();
  profile.samples!.forEach((id, i) => dt.set(id, (dt.get(id) ?? 0) + (profile.timeDeltas![i] ?? 0)));
  for (const node of profile.nodes) {
    const frame = node.callFrame;
    const key = `${frame.functionName || "(anonymous)"} ${frame.url.split("/").pop()}:${frame.lineNumber}`;
    self.set(key, (self.get(key) ?? 0) + (dt.get(node.id) ?? 0));
  }
  const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25);
  console.error(`CPU profile of one "${kind}" batch (self time):`);
  for (const [name, us] of top) console.error(`  ${(us / 1000).toFixed(1).padStart(8)} ms  ${name}`);
}

async function applyReport(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "spaces-bench-web-"));
  const server = await (async () => {
    await buildBenchPage(dir);
    return serve(dir);
  })();
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(String(error)));
    await page.goto(server.url);
    // EXTRA_CSS="…": measure a stylesheet idea (e.g. content-visibility) without touching src/web.
    if (process.env.EXTRA_CSS) await page.addStyleTag({ content: process.env.EXTRA_CSS });
    await page.waitForFunction(() => (window as unknown as BenchWindow).bench?.ready(), undefined, { timeout: 120_000, polling: "raf" }).catch((error) => {
      throw new Error(`the bench page never got ready: ${errors.join("; ") || error}`);
    });
    const mountMs = await page.evaluate(() => (window as unknown as BenchWindow).bench.mountMs());
    const version = browser.version();

    const results: Record<string, Figures[]> = { edit: [], append: [], delete: [] };
    for (let cycle = 0; cycle < WARMUP + RUNS; cycle++) {
      for (const kind of KINDS) {
        const figures = await page.evaluate((k) => (window as unknown as BenchWindow).bench.run(k), kind);
        if (cycle >= WARMUP) results[kind]!.push(figures);
      }
    }
    if (errors.length) throw new Error(`page errors: ${errors.join("; ")}`);
    if (process.env.PROFILE) await profile(page, process.env.PROFILE as (typeof KINDS)[number]);

    const label: Record<string, string> = {
      edit: "1,000 edits (distinct rows, spread out)",
      append: "1,000 new messages (appended)",
      delete: "1,000 deletes",
    };
    const lines: string[] = [];
    lines.push(
      `Chromium ${version}, headless, 1280×800, ${INTENTIONS.toLocaleString("en")} intentions loaded, the newest rows in the DOM (the list is windowed: src/web/components/conversation-scroll.ts).`,
      `Median of ${RUNS} runs after ${WARMUP} warm-up rounds; first render of the ${INTENTIONS.toLocaleString("en")}-row snapshot: ${ms(mountMs)}.`,
      "",
      "| batch | rows before → after | pure apply | store (produce) | store + DOM update | + style & layout | under 16 ms? |",
      "|---|---|---:|---:|---:|---:|---|",
    );
    for (const kind of KINDS) {
      const runs = results[kind]!;
      const m = (pick: (f: Figures) => number) => median(runs.map(pick));
      const total = m((f) => f.layoutMs);
      lines.push(
        `| ${label[kind]} | ${runs[0]!.rowsBefore} → ${runs[0]!.rowsAfter} | ${ms(m((f) => f.pureMs))} | ${ms(m((f) => f.storeMs))} | ${ms(m((f) => f.domMs))} | ${ms(total)} | ${total < 16 ? "yes" : m((f) => f.domMs) < 16 ? "JS yes, with layout no" : "no"} |`,
      );
    }
    lines.push(
      "",
      "| batch | rows touched per change | DOM nodes added + removed per change | attribute / text changes per change | mutation records after the batch's own task |",
      "|---|---:|---:|---:|---:|",
    );
    for (const kind of KINDS) {
      const runs = results[kind]!;
      const m = (pick: (f: Figures) => number) => median(runs.map(pick));
      const n = runs[0]!.changes;
      lines.push(
        `| ${label[kind]} | ${(m((f) => f.rowsTouched) / n).toFixed(2)} | ${((m((f) => f.nodesAdded) + m((f) => f.nodesRemoved)) / n).toFixed(2)} | ${(m((f) => f.attributeChanges) / n).toFixed(2)} / ${(m((f) => f.textChanges) / n).toFixed(2)} | ${Math.max(...runs.map((f) => f.lateRecords))} |`,
      );
    }
    return lines.join("\n");
  } finally {
    await browser.close();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

console.log("## Applying one batch of 1,000 changes (Chromium)\n");
console.log(await applyReport());
console.log("\n## Web bundle (production build, gzip level 6)\n");
console.log(await bundleReport());
