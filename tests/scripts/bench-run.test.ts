// The benchmarks' run (tests/bench/run.ts): a failed request is counted, not thrown, and what a
// benchmark started is stopped however it ends. Run as a child process: the guard is process-wide.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const fixture = fileURLToPath(new URL("./fixtures/bench-run.ts", import.meta.url));

function run(end: string): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [fixture, end], { timeout: 20_000 }, (error, stdout) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : null) : 0, stdout });
    });
  });
}

const summary = "3 failure(s), counted in the figures above, not thrown. The first: a part: it broke";

describe("a benchmark's run", () => {
  it("counts a broken part, a dropped request and a throwing callback, and still ends with its report", async () => {
    const { code, stdout } = await run("report");
    expect(code).toBe(0);
    expect(stdout).toContain("report: the part gave undefined");
    expect(stdout).toContain(summary);
  }, 30_000);

  it.each([["reject", 1], ["signal", 130]])("stops what it started when it ends by %s", async (end, exitCode) => {
    const { code, stdout } = await run(end as string);
    expect(code).toBe(exitCode);
    expect(stdout).toContain("stopped what it started");
    expect(stdout).not.toContain("not stopped in time");
    expect(stdout).toContain(summary);
  }, 30_000);
});
