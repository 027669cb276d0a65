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
import { createReadMarker, DWELL_MS, MAX_WAIT_MS } from "../../src/web/unread/read-marker.ts";
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

/** A page whose focus, visibility and IntersectionObserver a test sets. */
function fakePage() {
  let focused = true;
  let observed: ((entries: { isIntersecting: boolean }[]) => void) | undefined;
  vi.spyOn(document, "hasFocus").mockImplementation(() => focused);
  vi.stubGlobal(
    "IntersectionObserver",
    class {
      constructor(callback: typeof observed) {
        observed = callback;
      }
      observe() {}
      disconnect() {}
    },
  );
  return {
    seeEnd: (seen: boolean) => observed!([{ isIntersecting: seen }]),
    focus(next: boolean) {
      focused = next;
      window.dispatchEvent(new Event(next ? "focus" : "blur"));
    },
  };
}

function marker(readSeq: number | null | undefined) {
  const [seq, setSeq] = createSignal<number | undefined>(5);
  const [newest, setNewest] = createSignal<IntentionId | undefined>("/b");
  const [held, setHeld] = createSignal(readSeq);
  const posts: number[] = [];
  const dispose = createRoot((dispose) => {
    const ref = createReadMarker({ seq, newest, readSeq: held, post: async (to) => void posts.push(to) });
    ref(document.createElement("div"));
    return dispose;
  });
  /** Something arrives: a change to seq `to`, and the newest message by others then. */
  const arrive = (to: number, newestNow: IntentionId | undefined) => batch(() => (setSeq(to), setNewest(newestNow)));
  return { posts, arrive, setHeld, dispose };
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
