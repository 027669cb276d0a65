// `wrangler deploy --dry-run` must succeed: the production bundle builds with every binding declared.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { afterAll, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
const outdir = mkdtempSync(join(tmpdir(), "spaces-bundle-"));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

// The budget: 165 KiB gzip before accounts; passkeys added about 88 KiB (@simplewebauthn/server with its
// attestation formats and X.509 parsing, which it does not let a bundler drop) and OpenID Connect about 14 KiB
// (oauth4webapi). Workers allow 3 MiB (free) / 10 MiB (paid) compressed; the budget catches accidental growth.
it("builds the production worker with wrangler deploy --dry-run, minified under 300 KiB gzip", () => {
  const run = spawnSync(process.execPath, [join(root, "node_modules/wrangler/bin/wrangler.js"), "deploy", "--dry-run", "--minify", "--outdir", outdir], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
    timeout: 120_000,
  });
  expect(run.status, run.stderr).toBe(0);
  expect(run.stdout).toContain("--dry-run: exiting now.");
  for (const binding of ["SYNC_QUEUE", "WRITE_LIMITER", "ASSETS"]) expect(run.stdout).toContain(binding);
  const bundle = readdirSync(outdir).filter((file) => file.endsWith(".js")).map((file) => readFileSync(join(outdir, file)));
  const raw = bundle.reduce((n, b) => n + b.length, 0);
  const gzip = bundle.reduce((n, b) => n + gzipSync(b).length, 0);
  console.log(`worker bundle (minified): ${(raw / 1024).toFixed(0)} KiB, ${(gzip / 1024).toFixed(0)} KiB gzip`);
  expect(gzip).toBeLessThan(300 * 1024);
}, 130_000);
