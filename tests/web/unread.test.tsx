import "@testing-library/jest-dom/vitest";
import { cleanup, render, screen, within } from "@solidjs/testing-library";
import { batch, createRoot, createSignal } from "solid-js";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { IntentionId } from "../../src/shared/entities.ts";
import { UNREAD_COUNT_CAP } from "../../src/shared/responses.ts";
import { MessageList } from "../../src/web/components/message-list.tsx";
import { SpaceList } from "../../src/web/components/space-list.tsx";
import { loadMarkdown } from "../../src/web/markdown.ts";
import { backoff } from "../../src/web/sync/backoff.ts";
import { createOutbox } from "../../src/web/sync/outbox.ts";
import { createSpaceSync } from "../../src/web/sync/store.ts";
import { createReadMarker, DWELL_MS, MAX_WAIT_MS, MOSTLY } from "../../src/web/unread/read-marker.ts";
import { fakeLink } from "./support/fake-link.ts";
import { fakeServer, json } from "./support/fake-server.ts";
import { conversationShown, said, snapshot, space, SPACE } from "./support/fixtures.ts";

beforeAll(() => loadMarkdown());
afterEach(() => {
  cleanup();
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe("the New line", () => {
  it("stands right above the first message unread when the space opened, in words for a screen reader", async () => {
    fakeServer({ "GET /api/spaces/%40s": () => json(snapshot({ intentions: [said("/a", 1), said("/b", 2, { ownerId: "@bob" }), said("/c", 3, { ownerId: "@bob" })] })) });
    const link = fakeLink();
    const outbox = createOutbox({ storageKey: "spaces:outbox:@me" });
    const sync = createSpaceSync(SPACE, { outbox, openLink: link.open, retryDelays: backoff(5, 20) });
    await vi.waitFor(() => expect(sync.view).not.toBeNull());
    const [newFrom, setNewFrom] = createSignal<"/b" | undefined>(undefined);
    render(() => <MessageList sync={sync} view={sync.view!} meId="@me" author={(id) => id.slice(1)} newFrom={newFrom()} />);
    await conversationShown();
    expect(document.querySelector(".new-line")).toBeNull();
    setNewFrom("/b");
    const line = document.querySelector(".new-line")!;
    expect(line).toHaveTextContent("New messages from here");
    expect(line.nextElementSibling).toHaveTextContent("message /b");
    expect(line.previousElementSibling).toHaveTextContent("message /a");
    // Inside the log, which announces additions politely.
    expect(screen.getByRole("log", { name: "Conversation" })).toContainElement(line as HTMLElement);
    sync.close();
    outbox.close();
  });
});

describe("the rows the read marker watches", () => {
  it("are the list's message rows, each with its id", async () => {
    fakeServer({ "GET /api/spaces/%40s": () => json(snapshot({ intentions: [said("/a", 1), said("/b", 2, { ownerId: "@bob" })] })) });
    const link = fakeLink();
    const outbox = createOutbox({ storageKey: "spaces:outbox:@me" });
    const sync = createSpaceSync(SPACE, { outbox, openLink: link.open, retryDelays: backoff(5, 20) });
    await vi.waitFor(() => expect(sync.view).not.toBeNull());
    const rows = new Map<IntentionId, Element>();
    render(() => <MessageList sync={sync} view={sync.view!} meId="@me" author={(id) => id.slice(1)} rowRef={(row, id) => rows.set(id, row)} />);
    await conversationShown();
    expect([...rows.keys()]).toEqual(["/a", "/b"]);
    expect(rows.get("/b")).toHaveClass("message");
    expect(rows.get("/b")).toHaveTextContent("message /b");
    sync.close();
    outbox.close();
  });
});

/** A page whose focus, visibility and IntersectionObserver a test sets. */
function fakePage() {
  let focused = true;
  type Seen = (entries: { target: Element; isIntersecting: boolean; intersectionRatio: number }[]) => void;
  const watchers = new Map<Element, Seen>();
  vi.spyOn(document, "hasFocus").mockImplementation(() => focused);
  vi.stubGlobal(
    "IntersectionObserver",
    class {
      constructor(private callback: Seen) {}
      observe(target: Element) {
        watchers.set(target, this.callback);
      }
      unobserve() {}
      disconnect() {}
    },
  );
  /** `target` comes into view with that share of it (0: out of view). */
  const see = (target: Element, ratio: number) => watchers.get(target)!([{ target, isIntersecting: ratio > 0, intersectionRatio: ratio }]);
  return {
    see,
    seeEnd: (seen: boolean) => see(END, seen ? 1 : 0),
    focus(next: boolean) {
      focused = next;
      window.dispatchEvent(new Event(next ? "focus" : "blur"));
    },
  };
}

/** The element at the conversation's end, in every marker of these tests. */
const END = document.createElement("div");

function marker(readSeq: number | null | undefined, conversation: { order?: IntentionId[]; unreadFrom?: IntentionId; mine?: IntentionId[] } = {}) {
  const [seq, setSeq] = createSignal<number | undefined>(5);
  const [newest, setNewest] = createSignal<IntentionId | undefined>("/b");
  const [held, setHeld] = createSignal(readSeq);
  const [order, setOrder] = createSignal<IntentionId[]>(conversation.order ?? []);
  const posts: (number | IntentionId)[] = [];
  const { dispose, markRow } = createRoot((dispose) => {
    const { markEnd, markRow } = createReadMarker({
      seq,
      newest,
      readSeq: held,
      post: async (upTo) => void posts.push("seq" in upTo ? upTo.seq : upTo.through),
      order,
      unreadFrom: () => conversation.unreadFrom,
      byOthers: (id) => !conversation.mine?.includes(id),
    });
    markEnd(END);
    return { dispose, markRow };
  });
  /** Something arrives: a change to seq `to`, and the newest message by others then. */
  const arrive = (to: number, newestNow: IntentionId | undefined) => batch(() => (setSeq(to), setNewest(newestNow)));
  /** The rows of the conversation, by id, each watched as the list renders it. */
  const rows = Object.fromEntries((conversation.order ?? []).map((id) => [id, document.createElement("li")]));
  for (const [id, row] of Object.entries(rows)) markRow(row, id as IntentionId);
  return { posts, arrive, setHeld, setOrder, rows, dispose };
}

describe("marking read", () => {
  it("posts only while the end is seen and the page is visible and focused, after a dwell, never on load alone", async () => {
    vi.useFakeTimers();
    const page = fakePage();
    page.focus(false);
    const { posts, dispose } = marker(3);
    vi.advanceTimersByTime(DWELL_MS * 3);
    expect(posts).toEqual([]);
    page.seeEnd(true);
    vi.advanceTimersByTime(DWELL_MS * 3);
    expect(posts).toEqual([]);
    page.focus(true);
    vi.advanceTimersByTime(DWELL_MS / 2);
    // A glance is not reading: leaving within the dwell posts nothing.
    page.seeEnd(false);
    vi.advanceTimersByTime(DWELL_MS * 3);
    expect(posts).toEqual([]);
    page.seeEnd(true);
    vi.advanceTimersByTime(DWELL_MS);
    expect(posts).toEqual([5]);
    dispose();
  });

  it("waits for a burst to settle and posts it once; an edit or one's own message posts nothing", async () => {
    vi.useFakeTimers();
    const page = fakePage();
    const { posts, arrive, dispose } = marker(5);
    page.seeEnd(true);
    vi.advanceTimersByTime(DWELL_MS * 2);
    expect(posts).toEqual([]);
    arrive(6, "/c");
    vi.advanceTimersByTime(DWELL_MS / 2);
    arrive(7, "/d");
    vi.advanceTimersByTime(DWELL_MS / 2);
    expect(posts).toEqual([]);
    vi.advanceTimersByTime(DWELL_MS / 2);
    expect(posts).toEqual([7]);
    // Someone edits a message, I post one: the seq moves, nothing new by others is there.
    arrive(8, "/d");
    arrive(9, "/d");
    vi.advanceTimersByTime(DWELL_MS * 3);
    expect(posts).toEqual([7]);
    dispose();
  });

  it("posts a conversation that never settles at the longest wait", async () => {
    vi.useFakeTimers();
    const page = fakePage();
    const { posts, arrive, dispose } = marker(5);
    page.seeEnd(true);
    for (let n = 6; n < 6 + (MAX_WAIT_MS / DWELL_MS) * 2 + 4; n++) {
      arrive(n, `/m${n}`);
      vi.advanceTimersByTime(DWELL_MS / 2);
    }
    expect(posts).toHaveLength(1);
    expect(posts[0]).toBeGreaterThanOrEqual(6 + (MAX_WAIT_MS / DWELL_MS) * 2 - 1);
    dispose();
  });

  it("waits until the read point is known, and for a message by someone else to read", async () => {
    vi.useFakeTimers();
    const page = fakePage();
    const { posts, arrive, setHeld, dispose } = marker(undefined);
    arrive(5, undefined);
    page.seeEnd(true);
    setHeld(null);
    vi.advanceTimersByTime(DWELL_MS * 3);
    expect(posts).toEqual([]);
    arrive(6, "/first");
    vi.advanceTimersByTime(DWELL_MS);
    expect(posts).toEqual([6]);
    dispose();
  });
});

describe("reading partway", () => {
  const order: IntentionId[] = ["/a", "/b", "/c", "/d", "/e", "/f"];

  it("posts through the newest message by others mostly in view, after the dwell, when unread at opening and later than what was posted", async () => {
    vi.useFakeTimers();
    const page = fakePage();
    const { posts, arrive, rows, dispose } = marker(3, { order, unreadFrom: "/c", mine: ["/e"] });
    // Read before the New line: nothing to post.
    page.see(rows["/a"]!, 1);
    page.see(rows["/b"]!, 1);
    vi.advanceTimersByTime(DWELL_MS * 3);
    expect(posts).toEqual([]);
    // A row barely in view is not seen; mostly in view it is. Scrolling on within the dwell is one post.
    page.see(rows["/c"]!, MOSTLY / 2);
    vi.advanceTimersByTime(DWELL_MS * 3);
    expect(posts).toEqual([]);
    page.see(rows["/c"]!, MOSTLY);
    vi.advanceTimersByTime(DWELL_MS / 2);
    page.see(rows["/d"]!, 1);
    vi.advanceTimersByTime(DWELL_MS / 2);
    expect(posts).toEqual([]);
    vi.advanceTimersByTime(DWELL_MS / 2);
    expect(posts).toEqual(["/d"]);
    // One's own message, or scrolling back up, reads nothing new.
    page.see(rows["/e"]!, 1);
    page.see(rows["/d"]!, 0);
    vi.advanceTimersByTime(DWELL_MS * 3);
    expect(posts).toEqual(["/d"]);
    // Not while the page is in the background; once it is looked at again.
    page.focus(false);
    page.see(rows["/f"]!, 1);
    vi.advanceTimersByTime(DWELL_MS * 3);
    expect(posts).toEqual(["/d"]);
    page.focus(true);
    vi.advanceTimersByTime(DWELL_MS);
    expect(posts).toEqual(["/d", "/f"]);
    // The end seen with nothing newer by others than what was read through: no post.
    arrive(6, "/f");
    page.seeEnd(true);
    vi.advanceTimersByTime(DWELL_MS * 3);
    expect(posts).toEqual(["/d", "/f"]);
    dispose();
  });

  it("posts the seq alone when the end is seen with the rows, and nothing partway without a New line or a known read point", async () => {
    vi.useFakeTimers();
    const page = fakePage();
    const first = marker(3, { order, unreadFrom: "/c" });
    page.see(first.rows["/c"]!, 1);
    page.see(first.rows["/f"]!, 1);
    page.seeEnd(true);
    vi.advanceTimersByTime(DWELL_MS * 3);
    expect(first.posts).toEqual([5]);
    first.dispose();

    const nothingUnread = marker(3, { order });
    const unknown = marker(undefined, { order, unreadFrom: "/c" });
    for (const { rows } of [nothingUnread, unknown]) page.see(rows["/f"]!, 1);
    vi.advanceTimersByTime(DWELL_MS * 3);
    expect([...nothingUnread.posts, ...unknown.posts]).toEqual([]);
    nothingUnread.dispose();
    unknown.dispose();
  });
});

describe("the space list's counts", () => {
  it("shows unread and mentions apart with words, caps them, and a muted space's without colour", async () => {
    const general = space("@general", { name: "General" });
    const quiet = space("@quiet", { name: "Quiet" });
    const many = space("@many", { name: "Many" });
    const server = fakeServer({
      "GET /api/spaces": () =>
        json({
          spaces: [general, quiet, many],
          unread: {
            "@general": { unread: 3, mentions: 1, muted: false },
            "@quiet": { unread: 2, mentions: 0, muted: true },
            "@many": { unread: UNREAD_COUNT_CAP, mentions: 0, muted: false },
          },
        }),
      "PUT /api/spaces/%40general/mute": () => json({ muted: true }),
    });
    const [notices, setNotices] = createSignal(0);
    render(() => <SpaceList currentId="@general" events={{ notices, reads: () => 0 }} />);
    const link = await screen.findByRole("link", { name: /General/ });
    expect(link).toHaveAccessibleName("General, 1 mentioning you, 3 unread");
    expect(screen.getByRole("link", { name: /Quiet/ })).toHaveAccessibleName("Quiet, 2 unread, muted");
    expect(screen.getByRole("link", { name: /Quiet/ }).querySelector(".counts")).toHaveClass("muted");
    expect(within(screen.getByRole("link", { name: /Many/ })).getByText("99+")).toBeInTheDocument();

    const mute = screen.getByRole("button", { name: /^Mute\s*General$/ });
    expect(mute).toHaveAttribute("aria-pressed", "false");
    mute.click();
    await vi.waitFor(() => expect(mute).toHaveAttribute("aria-pressed", "true"));
    expect(server.callsTo("PUT /api/spaces/%40general/mute")[0]!.body).toEqual({ muted: true });

    // A personal notice (another device read) asks for the counts again.
    const before = server.callsTo("GET /api/spaces").length;
    setNotices(1);
    await vi.waitFor(() => expect(server.callsTo("GET /api/spaces").length).toBe(before + 1));
  });
});
