// Smoke test of `npm run dev`'s embedded stack: PGlite behind the Neon endpoint, wrangler dev,
// no LiveKit. Proves a fresh clone can sign in and post, and that a setting given as the README gives
// it (`BOT_API_BASE_URL=… npm run dev`) reaches the worker; and that the benchmarks' runtime, the same
// worker bundled and served by Miniflare directly, does too.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type Stack, startStack } from "../../scripts/local/stack.ts";
import type { Intention } from "../../src/shared/entities.ts";
import { StackClient, eventually } from "../integration/http.ts";
import { type FakeModelProvider, fakeModel, fakeText, startFakeModelProvider } from "../support/fake-model-provider.ts";

describe.each(["wrangler", "miniflare"] as const)("the worker in %s", (runtime) => {
  let stack: Stack;
  let dataDir: string;
  let provider: FakeModelProvider;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "spaces-dev-stack-"));
    provider = await startFakeModelProvider();
    vi.stubEnv("BOT_API_BASE_URL", provider.url);
    stack = await startStack({
      database: { kind: "pglite", dataDir }, livekit: "off", buildWeb: false, runtime, settingsFromEnvironment: true,
    });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await provider?.close();
    vi.unstubAllEnvs();
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

  it("lets a bot reply from the model provider named in the environment", async () => {
    const owner = await StackClient.guest(stack.url, "Bot owner");
    const space = (await owner.request("POST", "/api/beings", { name: "Bots", type: "space" })).body.being.id as string;
    const tag = `dev-stack-${runtime}`;
    const bot = await owner.request("POST", "/api/beings", {
      name: "Sage", type: "bot", locationId: space,
      properties: { bot: { model: fakeModel({ tokens: 3, tag }), prompt: "Answer.", replyTo: "all" } }, secrets: { apiKey: "dev-key" },
    });
    expect(bot.status).toBe(201);
    expect((await owner.request("POST", `/api/spaces/${space}/intentions`, { content: "Sage, hello." })).status).toBe(201);

    let reply: Intention | undefined;
    await eventually(async () => {
      const { intentions } = (await owner.request("GET", `/api/spaces/${space}`)).body as { intentions: Intention[] };
      reply = intentions.find((i) => i.ownerId === bot.body.being.id);
      return reply?.state === "complete" || reply?.state === "failed";
    }, 20_000, 200);
    expect(reply).toMatchObject({ state: "complete", content: [fakeText(3)] });
    const received = await (await fetch(`${new URL(provider.url).origin}/__requests?tag=${tag}`)).json();
    expect(received).toHaveLength(1);
  }, 30_000);
});
