// Smoke test of `npm run dev`'s embedded stack: PGlite behind the Neon endpoint, wrangler dev,
// no LiveKit. Proves a fresh clone can sign in and post; and that the benchmarks' runtime, the same
// worker bundled and served by Miniflare directly, does too.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, startStack } from "../../scripts/local/stack.ts";

describe.each(["wrangler", "miniflare"] as const)("the worker in %s", (runtime) => {
  let stack: Stack;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "spaces-dev-stack-"));
    stack = await startStack({ database: { kind: "pglite", dataDir }, livekit: "off", buildWeb: false, runtime });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await rm(dataDir, { recursive: true, force: true });
  }, 30_000);

  it("runs the sweeper on request, as the cron would", async () => {
    const response = await fetch(`${stack.url}/cdn-cgi/local/scheduled`);
    expect(response.status).toBe(200);
    await response.body?.cancel();
  }, 30_000);

  it("signs in a guest and posts an intention to @intraliminal", async () => {
    const signIn = await fetch(`${stack.url}/api/auth/guest`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: stack.url },
      body: JSON.stringify({ name: "Smoke" }),
    });
    expect(signIn.status).toBe(201);
    const { being } = await signIn.json();
    expect(being).toMatchObject({ name: "Smoke", type: "guest" });
    const cookie = signIn.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    expect(cookie).not.toBe("");

    const post = await fetch(`${stack.url}/api/spaces/@intraliminal/intentions`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: stack.url, cookie },
      body: JSON.stringify({ content: "hello from the smoke test" }),
    });
    expect(post.status).toBe(201);
    const { intention, seq } = await post.json();
    expect(intention).toMatchObject({ ownerId: being.id, locationId: "@intraliminal" });
    expect(seq).toBeGreaterThan(0);

    const space = await (await fetch(`${stack.url}/api/spaces/@intraliminal`, { headers: { cookie } })).json();
    expect(space.intentions.map((i: { id: string }) => i.id)).toContain(intention.id);
    expect(stack.neonEndpoint!.stats().requests).toBeGreaterThan(0);
  }, 30_000);
});
