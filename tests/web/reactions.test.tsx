import "@testing-library/jest-dom/vitest";
import { cleanup, fireEvent, render, screen, within } from "@solidjs/testing-library";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { Intention } from "../../src/shared/entities.ts";
import { chipLabel } from "../../src/web/components/reaction-bar.tsx";
import { MessageList } from "../../src/web/components/message-list.tsx";
import { loadMarkdown } from "../../src/web/markdown.ts";
import { backoff } from "../../src/web/sync/backoff.ts";
import { createOutbox, type Outbox } from "../../src/web/sync/outbox.ts";
import { withMine } from "../../src/web/sync/reactions.ts";
import { createSpaceSync, type SpaceSync } from "../../src/web/sync/store.ts";
import { fakeLink } from "./support/fake-link.ts";
import { apiError, deferred, fakeServer, json, type Call } from "./support/fake-server.ts";
import { batch, conversationShown, said, snapshot, SPACE, upsert } from "./support/fixtures.ts";

const SNAPSHOT = "GET /api/spaces/%40s";
const reaction = (emoji: string) => `/api/intentions/%2Fb/reactions/${encodeURIComponent(emoji)}`;

const NAMES: Record<string, string> = { "@me": "Me", "@ada": "Ada", "@bob": "Bob" };

let sync: SpaceSync;
let outbox: Outbox;
let link: ReturnType<typeof fakeLink>;

/** Bob's message, with the reactions given, in a conversation where I am @me. */
async function mount(reactions: Intention["reactions"], routes: Record<string, (call: Call) => Response | Promise<Response>> = {}) {
  const server = fakeServer({ [SNAPSHOT]: () => json(snapshot({ intentions: [said("/b", 3, { ownerId: "@bob", reactions })] })), ...routes });
  link = fakeLink();
  outbox = createOutbox({ storageKey: "spaces:outbox:@me", delays: backoff(60_000, 60_000) });
  sync = createSpaceSync(SPACE, { outbox, openLink: link.open, retryDelays: backoff(5, 20) });
  await vi.waitFor(() => expect(sync.view).not.toBeNull());
  render(() => <MessageList sync={sync} view={sync.view!} meId="@me" author={(id) => NAMES[id] ?? id} />);
  await link.ready();
  await conversationShown();
  return server;
}

/** The message as the server answers a reaction write: Bob's, with these reactions. */
const answered = (reactions: Intention["reactions"], seq: number) => json({ intention: said("/b", 3, { ownerId: "@bob", reactions }), seq, sync: [] });
const chip = (name: string) => screen.getByRole("button", { name });

beforeAll(() => loadMarkdown());
beforeEach(() => localStorage.clear());
afterEach(() => {
  cleanup();
  sync?.close();
  outbox?.close();
  vi.restoreAllMocks();
});

describe("withMine", () => {
  it("adds me to an emoji, or a new emoji last, and takes me out, dropping an emoji nobody has any more", () => {
    const list = [{ emoji: "👍", by: ["@ada" as const] }];
    expect(withMine(list, "@me", "👍", true)).toEqual([{ emoji: "👍", by: ["@ada", "@me"] }]);
    expect(withMine(list, "@me", "🎉", true)).toEqual([...list, { emoji: "🎉", by: ["@me"] }]);
    expect(withMine([{ emoji: "🎉", by: ["@me"] }, ...list], "@me", "🎉", false)).toEqual(list);
    expect(withMine(list, "@me", "👍", false)).toEqual(list);
  });
});

describe("the reaction bar", () => {
  it("shows a chip per emoji with its count, pressed when mine, who reacted by name in its title", async () => {
    await mount([
      { emoji: "👍", by: ["@ada", "@me"] },
      { emoji: "🎉", by: ["@bob"] },
    ]);
    const thumbs = chip(chipLabel("👍", 2, true));
    expect(thumbs).toHaveAccessibleName("👍 2 reactions, including you");
    expect(thumbs).toHaveAttribute("aria-pressed", "true");
    expect(thumbs).toHaveAttribute("title", "Ada and you");
    expect(thumbs).toHaveTextContent("👍2");
    expect(chip("🎉 1 reaction")).toHaveAttribute("aria-pressed", "false");
    expect(chip("🎉 1 reaction")).toHaveAttribute("title", "Bob");
  });

  it("toggles mine on at once, settles from the answer, and off again", async () => {
    const answer = deferred<Response>();
    const server = await mount([{ emoji: "👍", by: ["@ada"] }], {
      [`PUT ${reaction("👍")}`]: () => answer.promise,
      [`DELETE ${reaction("👍")}`]: () => answered([{ emoji: "👍", by: ["@ada"] }], 8),
    });
    fireEvent.click(chip("👍 1 reaction"));
    // Optimistic: pressed and counted before the server answers.
    expect(chip("👍 2 reactions, including you")).toHaveAttribute("aria-pressed", "true");
    answer.resolve(answered([{ emoji: "👍", by: ["@ada", "@me"] }], 7));
    await vi.waitFor(() => expect(server.callsTo("PUT")).toHaveLength(1));
    await vi.waitFor(() => expect(sync.view!.intentions["/b"]!.reactions).toEqual([{ emoji: "👍", by: ["@ada", "@me"] }]));
    expect(chip("👍 2 reactions, including you")).toBeInTheDocument();

    fireEvent.click(chip("👍 2 reactions, including you"));
    expect(chip("👍 1 reaction")).toHaveAttribute("aria-pressed", "false");
    await vi.waitFor(() => expect(server.callsTo("DELETE")).toHaveLength(1));
    await vi.waitFor(() => expect(sync.view!.intentions["/b"]!.reactions).toEqual([{ emoji: "👍", by: ["@ada"] }]));
  });

  it("rolls a refused toggle back and says why", async () => {
    await mount([{ emoji: "👍", by: ["@ada"] }], { [`PUT ${reaction("👍")}`]: () => apiError(429, "RATE_LIMITED", "too many writes") });
    fireEvent.click(chip("👍 1 reaction"));
    expect(await screen.findByRole("alert")).toHaveTextContent("too many writes");
    expect(chip("👍 1 reaction")).toHaveAttribute("aria-pressed", "false");
  });

  it("takes another person's reaction live from its change, in place, with no request", async () => {
    const server = await mount(undefined);
    const row = screen.getByText("message /b").closest("li")!;
    expect(within(row).queryByRole("button", { name: /reaction,|reactions/ })).toBeNull();
    const requests = server.calls.length;
    link.deliver(batch(6, 6, [upsert(6, said("/b", 3, { ownerId: "@bob", reactions: [{ emoji: "😮", by: ["@ada"] }] }))]));
    await vi.waitFor(() => expect(within(row).getByRole("button", { name: "😮 1 reaction" })).toBeInTheDocument());
    expect(screen.getByText("message /b").closest("li")).toBe(row);
    expect(server.calls.slice(requests).filter((c) => c.url.includes("/api/spaces"))).toEqual([]);
  });

  it("shows a hostile reaction from a change as text, never as markup", async () => {
    await mount([{ emoji: "<img src=x onerror=alert(1)>", by: ["@ada"] }]);
    expect(document.querySelector(".reactions img")).toBeNull();
    expect(chip("<img src=x onerror=alert(1)> 1 reaction")).toBeInTheDocument();
  });

  it("adds any emoji from the picker by keyboard, refusing what is not one emoji", async () => {
    const server = await mount(undefined, { [`PUT ${reaction("🦜")}`]: () => answered([{ emoji: "🦜", by: ["@me"] }], 7) });
    fireEvent.click(chip("Add reaction"));
    await vi.waitFor(() => expect(screen.getByRole("group", { name: "Pick a reaction" })).toBeInTheDocument());
    expect(chip("Add reaction")).toHaveAttribute("aria-expanded", "true");
    expect(document.activeElement).toBe(chip("React with 👍"));
    const field = screen.getByRole("textbox", { name: "Any emoji" });
    fireEvent.input(field, { target: { value: "hello" } });
    fireEvent.submit(field.closest("form")!);
    expect(screen.getByRole("alert")).toHaveTextContent("Type or paste one emoji.");
    expect(field).toHaveAttribute("aria-invalid", "true");
    fireEvent.input(field, { target: { value: "🦜" } });
    fireEvent.submit(field.closest("form")!);
    expect(screen.queryByRole("group", { name: "Pick a reaction" })).toBeNull();
    expect(document.activeElement).toBe(chip("Add reaction"));
    expect(chip("🦜 1 reaction, including you")).toHaveAttribute("aria-pressed", "true");
    await vi.waitFor(() => expect(server.callsTo("PUT")).toHaveLength(1));
  });

  it("closes the picker on Escape, focus back on its button", async () => {
    await mount(undefined);
    fireEvent.click(chip("Add reaction"));
    const picker = await screen.findByRole("group", { name: "Pick a reaction" });
    fireEvent.keyDown(picker, { key: "Escape" });
    expect(screen.queryByRole("group", { name: "Pick a reaction" })).toBeNull();
    expect(document.activeElement).toBe(chip("Add reaction"));
  });
});
