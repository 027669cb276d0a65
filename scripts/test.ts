// `npm test [-- vitest args]`: every suite, with what the suites need in place first.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildWeb } from "./local/stack.ts";

const root = fileURLToPath(new URL("..", import.meta.url));

// Types first, as four programs: the worker (workerd), the web app (DOM), its service worker and the Node tooling.
for (const project of ["tsconfig.json", "src/web/tsconfig.json", "src/web/service-worker/tsconfig.json", "scripts/tsconfig.json"]) {
  const check = spawnSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", project], { cwd: root, stdio: "inherit" });
  if (check.status !== 0) process.exit(check.status ?? 1);
}

// The stack suite runs against a real LiveKit server; a configured one spares the build.
if (!process.env.LIVEKIT_URL) {
  const install = spawnSync("sh", [join(root, "scripts/install-livekit.sh"), "--required"], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  if (install.status !== 0) process.exit(install.status ?? 1);
}

// wrangler dev in the stack suite serves dist/web; the e2e tests need the real app there.
if (existsSync(join(root, "src/web"))) await buildWeb();

// The JSON report feeds the closing line: one plain "N passed, N failed" that any CI can read.
const report = join(root, "test-results/vitest.json");
const vitest = spawn(
  process.execPath,
  [join(root, "node_modules/vitest/vitest.mjs"), "run", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`, ...process.argv.slice(2)],
  { cwd: root, stdio: "inherit" },
);
// Ctrl-C reaches vitest directly (same process group): wait while its teardown stops the stacks.
process.on("SIGINT", () => undefined);
process.on("SIGTERM", () => vitest.kill("SIGTERM"));
vitest.once("exit", (code, signal) => {
  if (existsSync(report)) {
    const { numPassedTests, numFailedTests, numPendingTests } = JSON.parse(readFileSync(report, "utf8"));
    console.log(`tests: ${numPassedTests} passed, ${numFailedTests} failed, ${numPendingTests} skipped`);
  }
  process.exit(code ?? (signal ? 1 : 0));
});
