// What people see in a space, in Chromium, against the full local stack (wrangler dev, PostgreSQL,
// livekit-server). Every scenario gets a fresh space, so the scenarios are independent of each other.
import { mkdir } from "node:fs/promises";
import type { Page, Route } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { controlStack } from "../integration/http.ts";
import {
  apiSettled,
  bodies,
  connection,
  connectionIs,
  DESKTOP,
  editMessage,
  isPostOfMessage,
  live,
  message,
  messages,
  PHONE,
  say,
  statuses,
  until,
  useScene,
  type Person,
} from "./support.ts";

const scene = useScene();
const control = inject("stackControl");
const livekit = (action: "down" | "up" | "restart") => controlStack(control, `livekit/${action}`);
const postgres = (action: "down" | "up") => controlStack(control, `postgres/${action}`);
const { newSpace, join } = scene;

/** Resolves once the row holding `text` is confirmed: no longer pending or failed. */
async function settled(page: Page, text: string): Promise<void> {
  const row = message(page, text);
  await row.waitFor();
  await until(`"${text}" to be confirmed`, async () => (await row.getAttribute("data-state")) === null, 20_000);
}

const includesInOrder = (seen: string[], wanted: string[]) => {
  const positions = wanted.map((text) => seen.indexOf(text));
  return positions.every((p, i) => p >= 0 && (i === 0 || p > positions[i - 1]!));
};

describe("a space in the browser", () => {
  it("two people: A sends, B sees it from the LiveKit packet alone, with no HTTP request", async () => {
    const space = await newSpace("Live room");
    const ada = await join("Ada", space, "Live room");
    const bob = await join("Bob", space, "Live room");
    await live(ada, bob);
    // Each sees the other in the room right now (LiveKit's participant events), with the online dot.
    await ada.page.locator(".person", { hasText: "Bob" }).getByRole("img", { name: "online" }).waitFor({ timeout: 15_000 });
    await bob.page.locator(".person", { hasText: "Ada" }).getByRole("img", { name: "online" }).waitFor({ timeout: 15_000 });

    const mark = bob.requests.length;
    await say(ada.page, "Hello Bob, this came *live*");
    const row = message(bob.page, "Hello Bob, this came live");
    await row.waitFor();

    // The payload is the update: nothing was fetched between A's send and B's render.
    expect(bob.requests.slice(mark)).toEqual([]);
    // B sees it as A's, rendered (the emphasis is markdown), and not as B's own.
    expect(await row.locator("em").innerText()).toBe("live");
    expect(await row.getByText("Ada", { exact: true }).isVisible()).toBe(true);
    expect(await row.evaluate((li) => li.classList.contains("mine"))).toBe(false);
  });

  it("A sees their own message, marked pending, before the server answers; then it settles", async () => {
    const space = await newSpace("Optimism");
    const ada = await join("Ada", space, "Optimism");
    let release!: () => void;
    const answer = new Promise<void>((resolve) => (release = resolve));
    let held = false;
    const hold = async (route: Route) => {
      if (route.request().method() !== "POST") return route.fallback();
      held = true;
      await answer;
      await route.continue();
    };
    await ada.page.route(isPostOfMessage, hold);
    try {
      await say(ada.page, "Shown before the server has it");
      const row = message(ada.page, "Shown before the server has it");
      await row.getByText("Sending…").waitFor();
      expect(held).toBe(true);
      expect(await row.getAttribute("data-state")).toBe("pending");
      // Really not there yet: the server's view of the space does not hold it.
      const before = await scene.host.request("GET", `/api/spaces/${space}`);
      expect(before.body.intentions.map((i: { content: string[] }) => i.content.join(""))).not.toContain("Shown before the server has it");

      release();
      await row.getByText("Sending…").waitFor({ state: "detached" });
      await settled(ada.page, "Shown before the server has it");
      expect(await messages(ada.page).count()).toBe(1);
    } finally {
      release();
      await ada.page.unroute(isPostOfMessage, hold);
    }
  });

  it("B goes offline, A sends three messages, B comes back and shows all three in order", async () => {
    const space = await newSpace("Patchy network");
    const ada = await join("Ada", space, "Patchy network");
    const bob = await join("Bob", space, "Patchy network");
    await live(ada, bob);

    await bob.setOnline(false);
    await connectionIs(bob.page, "Offline");
    const texts = ["first while Bob is away", "second while Bob is away", "third while Bob is away"];
    for (const text of texts) await say(ada.page, text);
    for (const text of texts) await settled(ada.page, text);
    // Sent, confirmed and broadcast; Bob, offline, has none of them (a packet takes milliseconds when online).
    await bob.page.waitForTimeout(1_000);
    expect((await bodies(bob.page)).filter((text) => texts.includes(text))).toEqual([]);
    expect(await connection(bob.page).innerText()).toContain("Offline");

    await bob.setOnline(true);
    await until("Bob to show all three, in order", async () => includesInOrder(await bodies(bob.page), texts));
    await connectionIs(bob.page, "Connected", 30_000);
    expect(await bodies(bob.page)).toEqual(await bodies(ada.page));
  });

  it("LiveKit restarted mid-conversation: both converge on the same messages", async () => {
    const space = await newSpace("Restart");
    const ada = await join("Ada", space, "Restart");
    const bob = await join("Bob", space, "Restart");
    await live(ada, bob);

    await say(ada.page, "before the restart, from Ada");
    await message(bob.page, "before the restart, from Ada").waitFor();
    await say(bob.page, "before the restart, from Bob");
    await message(ada.page, "before the restart, from Bob").waitFor();

    const before = await Promise.all([statuses(ada.page), statuses(bob.page)]);
    await livekit("restart");
    await say(ada.page, "after the restart, from Ada");
    await say(bob.page, "after the restart, from Bob");

    const all = ["before the restart, from Ada", "before the restart, from Bob", "after the restart, from Ada", "after the restart, from Bob"];
    await until(
      "both to show the same four messages",
      async () => {
        const [seenByAda, seenByBob] = await Promise.all([bodies(ada.page), bodies(bob.page)]);
        return seenByAda.length === 4 && JSON.stringify(seenByAda) === JSON.stringify(seenByBob) && all.every((t) => seenByAda.includes(t));
      },
      45_000,
      200,
    );
    await Promise.all([ada, bob].map((p) => connectionIs(p.page, "Connected", 30_000)));
    // Both noticed the outage (the indicator left "Connected") and came back.
    const after = await Promise.all([statuses(ada.page), statuses(bob.page)]);
    for (const [i, seen] of after.entries()) {
      const since = seen.slice(before[i]!.length);
      expect(since.some((label) => label !== "Connected"), `statuses after the restart: ${since.join(" → ")}`).toBe(true);
      expect(since.at(-1)).toBe("Connected");
    }
  });

  it("PostgreSQL stops: a message sent meanwhile waits, never marked failed, and reaches both once it is back", async () => {
    const space = await newSpace("Database outage");
    const ada = await join("Ada", space, "Database outage");
    const bob = await join("Bob", space, "Database outage");
    await live(ada, bob);
    const text = "sent while the database is down";
    const attempts = () => ada.requests.filter((r) => r.method === "POST" && isPostOfMessage(new URL(r.path, scene.url))).length;

    await postgres("down");
    let back: number;
    try {
      await say(ada.page, text);
      const row = message(ada.page, text);
      await row.getByText("Waiting to send").waitFor();
      // Tried again and again (each answered 503), and all the while only waiting: never refused.
      await until("Ada's page to try three times", () => attempts() >= 3, 15_000);
      expect(await row.getAttribute("data-state")).toBe("pending");
      expect(await row.getByRole("alert").count()).toBe(0);
      expect(await ada.page.getByText(/went wrong|Not sent/).count()).toBe(0);
      expect(await message(bob.page, text).count()).toBe(0);
    } finally {
      await postgres("up");
      back = Date.now();
    }

    // Nobody presses anything: the outbox sends it by itself, and Bob gets it from the broadcast.
    await settled(ada.page, text);
    const sent = Date.now() - back;
    await message(bob.page, text).waitFor();
    const seen = Date.now() - back;
    expect(await bodies(bob.page)).toEqual(await bodies(ada.page));
    expect((await bodies(ada.page)).filter((body) => body === text)).toHaveLength(1);
    console.info(`PostgreSQL back: the queued message was confirmed ${sent} ms later and on Bob's screen ${seen} ms later`);
  });

  it("a send the server rejects rolls back visibly: marked failed, with the reason and a Retry", async () => {
    const space = await newSpace("Refusals");
    const ada = await join("Ada", space, "Refusals");
    // The server itself refuses it: the body that leaves the browser is over the 10,000-character limit.
    const oversize = async (route: Route) => {
      if (route.request().method() !== "POST") return route.fallback();
      const body = route.request().postDataJSON() as { id: string };
      await route.continue({ postData: JSON.stringify({ ...body, content: ["x".repeat(10_001)] }) });
    };
    await ada.page.route(isPostOfMessage, oversize);
    await say(ada.page, "This one will be refused");
    const row = message(ada.page, "This one will be refused");
    const alert = row.getByRole("alert");
    await alert.waitFor();
    await ada.page.unroute(isPostOfMessage, oversize);

    expect(await row.getAttribute("data-state")).toBe("failed");
    expect(await alert.innerText()).toMatch(/^Not sent: \S.*/);
    expect(await alert.innerText()).toMatch(/10000|10,000|characters|long|content/i);
    expect(await row.getByRole("button", { name: "Retry" }).isVisible()).toBe(true);
    expect(await row.getByRole("button", { name: "Discard" }).isVisible()).toBe(true);
    await mkdir("test-results/screenshots", { recursive: true });
    await row.screenshot({ path: "test-results/screenshots/failed-send.png" });
    // Still there, still failed, a moment later: a refusal is never silently dropped or resent.
    await ada.page.waitForTimeout(500);
    expect(await row.getAttribute("data-state")).toBe("failed");

    // Retry (this time unaltered) goes through.
    await row.getByRole("button", { name: "Retry" }).click();
    await settled(ada.page, "This one will be refused");
    expect(await row.getByRole("alert").count()).toBe(0);
  });

  it("a non-member cannot open a private space: it is not found", async () => {
    const cleo = await join("Cleo");
    const dan = await join("Dan");
    const secret = await newSpace("Secret plans", { private: true, members: [dan.id] });

    await cleo.visit(secret);
    await cleo.page.getByRole("heading", { name: "Space not found" }).waitFor();
    expect(await cleo.page.getByText("Secret plans").count()).toBe(0);
    expect(await cleo.page.getByRole("log", { name: "Conversation" }).count()).toBe(0);

    // A member opens the same address.
    await dan.visit(secret, "Secret plans");
    expect(await dan.page.getByText("private", { exact: true }).first().isVisible()).toBe(true);
  });

  it("with LiveKit down, polling still delivers A's message to B and the status says so; live again when it is back", async () => {
    const space = await newSpace("No live sync");
    await livekit("down");
    try {
      const ada = await join("Ada", space, "No live sync");
      const bob = await join("Bob", space, "No live sync");
      await connectionIs(bob.page, "Live sync off · polling", 30_000);

      const mark = bob.requests.length;
      await say(ada.page, "delivered by polling");
      await settled(ada.page, "delivered by polling");
      await message(bob.page, "delivered by polling").waitFor({ timeout: 20_000 });
      expect(bob.requests.slice(mark).some((r) => r.method === "GET" && /\/changes\?after=/.test(r.path))).toBe(true);
      expect(await connection(bob.page).innerText()).toContain("Live sync off");

      // LiveKit is back: the link finds it on its own (backoff) and goes live again.
      await livekit("up");
      await connectionIs(bob.page, "Connected", 40_000);
    } finally {
      await livekit("up");
    }
  });

  it("one change re-renders one row: a burst of edits to one message leaves the other rows untouched", async () => {
    const space = await newSpace("Edits");
    const ada = await join("Ada", space, "Edits");
    const bob = await join("Bob", space, "Edits");
    await live(ada, bob);
    const texts = ["row one", "row two", "row three (to be edited)", "row four", "row five"];
    for (const text of texts) await say(ada.page, text);
    for (const text of texts) await settled(ada.page, text);
    await until("Bob to show the five rows", async () => includesInOrder(await bodies(bob.page), texts));
    await apiSettled(bob);

    // Watch Bob's conversation: every mutation, and the identity of every row.
    await bob.page.evaluate(() => {
      const log = document.querySelector('[role="log"]')!;
      const w = window as unknown as { __records: MutationRecord[]; __rows: Element[]; __observer: MutationObserver };
      w.__records = [];
      w.__rows = [...log.querySelectorAll('[data-testid="message"]')];
      w.__observer = new MutationObserver((records) => w.__records.push(...records));
      w.__observer.observe(log, { subtree: true, childList: true, attributes: true, characterData: true });
    });

    // Ada edits row three: once in the UI, then twice more back to back (as fast as the API answers).
    const mark = bob.requests.length;
    await editMessage(ada.page, "row three (to be edited)", "row three, **edit 1**");
    await message(ada.page, "row three, edit 1").getByRole("button", { name: "Edit message" }).waitFor({ state: "attached" });
    await ada.page.evaluate(async () => {
      const space = decodeURIComponent(location.pathname.slice(1));
      const snapshot = (await (await fetch(`/api/spaces/${encodeURIComponent(space)}`)).json()) as { intentions: Array<{ id: string; content: string[] }> };
      const row = snapshot.intentions.find((i) => i.content.join("") === "row three, **edit 1**");
      if (!row) throw new Error("the edited row is not in the snapshot");
      for (const n of [2, 3]) {
        const response = await fetch(`/api/intentions/${encodeURIComponent(row.id)}`, {
          method: "PATCH",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ content: [`row three, **edit ${n}**`] }),
        });
        if (!response.ok) throw new Error(`edit ${n}: ${response.status}`);
      }
    });
    await message(bob.page, "row three, edit 3").waitFor();
    await bob.page.waitForTimeout(300); // let any straggling batch of the burst land too

    const report = await bob.page.evaluate(() => {
      const w = window as unknown as { __records: MutationRecord[]; __rows: Element[]; __observer: MutationObserver };
      w.__observer.disconnect();
      w.__records.push(...w.__observer.takeRecords());
      const log = document.querySelector('[role="log"]')!;
      const rows = [...log.querySelectorAll('[data-testid="message"]')];
      const edited = rows.find((row) => row.textContent!.includes("row three, edit 3"))!;
      const inside = (node: Node) => edited.contains(node);
      let outsideTargets = 0;
      let outsideNodes = 0;
      let insideNodes = 0;
      for (const record of w.__records) {
        const moved = [...record.addedNodes, ...record.removedNodes];
        if (!inside(record.target)) {
          outsideTargets += 1;
          outsideNodes += moved.length;
        } else {
          insideNodes += moved.length;
        }
      }
      return {
        records: w.__records.length,
        outsideTargets,
        outsideNodes,
        insideNodes,
        sameRows: rows.length === w.__rows.length && rows.every((row, i) => row === w.__rows[i]),
        editedIndex: rows.indexOf(edited),
      };
    });
    expect(report.editedIndex).toBe(2);
    expect(report.records).toBeGreaterThan(0);
    expect(report.outsideTargets).toBe(0);
    expect(report.outsideNodes).toBe(0);
    expect(report.sameRows).toBe(true);
    // The edits arrived as packets: Bob fetched nothing.
    expect(bob.requests.slice(mark)).toEqual([]);
    expect(await bodies(bob.page)).toEqual(["row one", "row two", "row three, edit 3", "row four", "row five"]);
  });

  it("screenshots of a two-person conversation, on a desktop and on a phone", async () => {
    const space = await newSpace("Design review");
    const ada = await join("Ada Lovelace", space, "Design review");
    const bob = await join("Grace Hopper", space, "Design review", true);
    await live(ada, bob);
    // [who, what they type, words of it as rendered]
    const lines: Array<[Person, string, string]> = [
      [ada, "Morning! I pushed the **new sync layer** last night.", "new sync layer"],
      [ada, "Highlights:\n- batches are applied in one store transaction\n- gaps trigger a catch-up fetch", "Highlights"],
      [bob, "Nice. Does it survive a `livekit-server` restart?", "Does it survive"],
      [ada, "Yes: it polls `/changes` until the room is back, then goes *live* again.", "until the room is back"],
      [bob, "> one change re-renders one row\n\nThat is the part I care about most.", "the part I care about"],
      [bob, "Let's ship it after the review. See [the contract](https://example.com/contract).", "ship it after"],
    ];
    for (const [who, text, shown] of lines) {
      await say(who.page, text);
      await settled(who.page, shown);
    }
    await until("both to hold the whole conversation", async () => (await bodies(ada.page)).length === 6 && (await bodies(bob.page)).length === 6);
    // LiveKit announces subscribe-only participants in batches (every few seconds): wait for the dot.
    await ada.page.locator(".person", { hasText: "Grace Hopper" }).getByRole("img", { name: "online" }).waitFor({ timeout: 15_000 });
    await ada.page.mouse.move(0, 0);
    // Transitions (the people panel) and the scroll to the newest message have finished.
    const still = (page: Page) => page.waitForFunction(() => document.getAnimations().length === 0);
    await Promise.all([still(ada.page), still(bob.page)]);

    await mkdir("test-results/screenshots", { recursive: true });
    await ada.page.screenshot({ path: "test-results/screenshots/two-people.png" });
    await bob.page.screenshot({ path: "test-results/screenshots/two-people-phone.png" });
    // Nothing runs off the side of the phone's screen: the page never scrolls sideways.
    expect(await bob.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    expect(await ada.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(DESKTOP.width);
  });
});
