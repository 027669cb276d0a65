// The fast path in Chromium (issue 18): a writer's page relays its own signed change into the room,
// and the server's broadcast after the grace stands in when the page never could. LiveKit server calls
// are counted at the stack's proxy (tests/setup/stack.ts).
import { describe, expect, inject, it } from "vitest";
import { livekitCalls } from "../integration/http.ts";
import { isPostOfMessage, live, message, say, useScene } from "./support.ts";

const scene = useScene();
const control = inject("stackControl");
const { newSpace, join } = scene;

/** The server's grace for a relayed write's confirmation (SYNC_RELAY_GRACE_SECONDS), and what we allow past it. */
const GRACE_MS = 2_000;
const MARGIN_MS = 2_500;


describe("writers relay their own messages", () => {
  it("two people: Bob sees Ada's message by her relay, with 0 LiveKit server calls for it", async () => {
    const space = await newSpace("Relay room");
    const ada = await join("Ada", space, "Relay room");
    const bob = await join("Bob", space, "Relay room");
    await live(ada, bob);

    const relayHeaders: Array<string | undefined> = [];
    ada.page.on("request", (request) => {
      if (request.method() === "POST" && isPostOfMessage(new URL(request.url()))) relayHeaders.push(request.headers()["sync-relay"]);
    });
    const mark = { ada: ada.requests.length, bob: bob.requests.length };
    const started = Date.now();
    await say(ada.page, "Hello Bob, relayed by Ada");
    await message(bob.page, "Hello Bob, relayed by Ada").waitFor();
    const visibleMs = Date.now() - started;
    // Past the grace: a broadcast for an unconfirmed change would have gone by now.
    await bob.page.waitForTimeout(GRACE_MS + 1_500);

    expect(relayHeaders).toEqual(["1"]);
    expect(ada.requests.slice(mark.ada).map((r) => `${r.method} ${decodeURIComponent(r.path)}`)).toContain(`POST /api/spaces/${space}/relayed`);
    expect(await livekitCalls(control, space, started)).toEqual([]);
    expect(bob.requests.slice(mark.bob).filter((r) => r.path.includes("/changes"))).toEqual([]);
    console.log(`e2e relay: Ada's message visible to Bob in ${visibleMs} ms, 0 server calls`);
  });

  it("Ada's tab closes as soon as her write is answered: Bob still sees it, from the server, within the grace", async () => {
    const space = await newSpace("Closing tab");
    const ada = await join("Ada", space, "Closing tab");
    const bob = await join("Bob", space, "Closing tab");
    await live(ada, bob);

    // The write reaches the server as Ada's page sent it (Sync-Relay: 1), but the page is gone before
    // the answer reaches it: it can neither publish nor confirm.
    let answered!: (at: { status: number; relay: string | undefined }) => void;
    const answer = new Promise<{ status: number; relay: string | undefined }>((resolve) => (answered = resolve));
    await ada.page.route(isPostOfMessage, async (route) => {
      if (route.request().method() !== "POST") return route.fallback();
      const reply = await route.fetch();
      answered({ status: reply.status(), relay: route.request().headers()["sync-relay"] });
    });
    await say(ada.page, "Written just before the tab closed");
    expect(await answer).toEqual({ status: 201, relay: "1" });
    const answeredAt = Date.now();
    await ada.page.close();

    await message(bob.page, "Written just before the tab closed").waitFor({ timeout: GRACE_MS + MARGIN_MS });
    const visibleMs = Date.now() - answeredAt;
    expect((await livekitCalls(control, space, answeredAt - 1_000, "SendData")).length).toBeGreaterThanOrEqual(1);
    console.log(`e2e closed tab: the message visible to Bob ${visibleMs} ms after its answer (grace ${GRACE_MS} ms)`);
  });
});
