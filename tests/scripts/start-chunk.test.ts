// The web app's start chunk stays within its budget: what a phone must fetch, parse and run before
// the first paint (docs/benchmarks.md, Lighthouse). Heavy parts load on demand instead.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, expect, it } from "vitest";
import { startChunk } from "../../scripts/start-chunk.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const outDir = mkdtempSync(join(tmpdir(), "spaces-web-"));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

const BUDGET_GZIP_BYTES = 40 * 1024;

it("keeps the start chunk (the entry script and what it imports statically) within 40 KiB gzip", () => {
  const build = spawnSync(process.execPath, [join(root, "node_modules/vite/bin/vite.js"), "build", "--outDir", outDir, "--emptyOutDir"], {
    cwd: root,
    // What ships: vitest's NODE_ENV=test would make the bundler pick Solid's development build (about 1 KiB more).
    env: { ...process.env, NODE_ENV: "production" },
    encoding: "utf8",
    timeout: 120_000,
  });
  expect(build.status, build.stderr).toBe(0);
  const chunk = startChunk(outDir);
  console.log(`start chunk: ${chunk.files.join(" + ")}: ${(chunk.gzipBytes / 1024).toFixed(1)} KiB gzip`);
  expect(chunk.gzipBytes).toBeLessThanOrEqual(BUDGET_GZIP_BYTES);
  // Never at start: the schema library (the server validates), the Markdown renderer and LiveKit (on demand).
  const code = chunk.files.map((file) => readFileSync(join(outDir, file), "utf8")).join("\n");
  expect(code).not.toContain("ZodError");
  expect(chunk.files.join(" ")).not.toMatch(/micromark|livekit/);
}, 130_000);
