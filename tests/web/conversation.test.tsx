import "@testing-library/jest-dom/vitest";
import { cleanup, fireEvent, render, screen, within } from "@solidjs/testing-library";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { IntentionId } from "../../src/shared/entities.ts";
import { Composer } from "../../src/web/components/composer.tsx";
import { FIRST_ROWS, WINDOW_STEP } from "../../src/web/components/conversation-scroll.ts";
import { MessageList } from "../../src/web/components/message-list.tsx";
import { loadMarkdown } from "../../src/web/markdown.ts";
import { backoff } from "../../src/web/sync/backoff.ts";
import { createOutbox, type Outbox } from "../../src/web/sync/outbox.ts";
import { createSpaceSync, type SpaceSync } from "../../src/web/sync/store.ts";
import { fakeLink } from "./support/fake-link.ts";
import { apiError, databaseDown, deferred, fakeServer, json, type Call } from "./support/fake-server.ts";
import { batch, conversationShown, said, snapshot, SPACE, upsert } from "./support/fixtures.ts";

const SNAPSHOT = "GET /api/spaces/%40s";
const POST = "POST /api/spaces/%40s/intentions";

const mine = (call: Call) => {
  const { id, content } = call.body as { id: IntentionId; content: string[] };
  return said(id, 30, { ownerId: "@me", content });
};

let sync: SpaceSync;
let outbox: Outbox;
let link: ReturnType<typeof fakeLink>;

/** The conversation as the space page wires it: store (with the outbox) and composer. */
async function mount(
  post: (call: Call) => Response | Promise<Response>,
  outboxDelays = backoff(60_000, 60_000),
  routes: Record<string, (call: Call) => Response | Promise<Response>> = {},
) {
  const server = fakeServer({
    [SNAPSHOT]: () =>
      json(snapshot({ intentions: [said("/a", 1), said("/a2", 2), said("/b", 3, { ownerId: "@bob" }), said("/m", 4, { ownerId: "@me", content: ["my words"] })] })),
    [POST]: post,
    ...routes,
  });
  link = fakeLink();
  outbox = createOutbox({ storageKey: "spaces:outbox:@me", delays: outboxDelays });
  sync = createSpaceSync(SPACE, { outbox, openLink: link.open, retryDelays: backoff(5, 20) });
  await vi.waitFor(() => expect(sync.view).not.toBeNull());
  const view = render(() => (
    <>
      <MessageList sync={sync} view={sync.view!} meId="@me" author={(id) => (id === "@me" ? "You" : id.slice(1))} />
      <Composer spaceId={SPACE} spaceName="Studio" onSend={sync.post} />
    </>
  ));
  await link.ready();
  await conversationShown();
  return { server, ...view };
}

const rowOf = (text: string) => screen.getByText(text).closest("li") as HTMLLIElement;
const type = (text: string, options: { shiftKey?: boolean } = {}) => {
  const input = screen.getByRole("textbox", { name: "Message Studio" });
  fireEvent.input(input, { target: { value: text } });
  fireEvent.keyDown(input, { key: "Enter", ...options });
};

beforeAll(() => loadMarkdown());
beforeEach(() => localStorage.clear());
afterEach(() => {
  cleanup();
  sync.close();
  outbox.close();
  vi.restoreAllMocks();
});

describe("the conversation", () => {
  it("groups consecutive messages by author and still names the author of every row for screen readers", async () => {
    await mount(() => apiError(500, "INTERNAL"));
    expect(screen.getByRole("log", { name: "Conversation" })).toHaveAttribute("aria-live", "polite");
    expect(document.querySelectorAll(".message-head")).toHaveLength(3);
    expect(rowOf("message /a2")).not.toHaveClass("group-start");
    expect(rowOf("message /a2").querySelector(".sr-only")).toHaveTextContent("ada:");
  });

  it("re-renders only the row a batch touches: the other rows are the same nodes, unmutated", async () => {
    await mount(() => apiError(500, "INTERNAL"));
    const rows = [...document.querySelectorAll("li.message")];
    const touched = rowOf("message /b");
    const mutations: MutationRecord[] = [];
    const observer = new MutationObserver((records) => mutations.push(...records));
    observer.observe(document.querySelector(".message-list")!, { subtree: true, childList: true, characterData: true, attributes: true });

    link.deliver(batch(6, 6, [upsert(6, said("/b", 3, { ownerId: "@bob", content: ["edited *b*"] }))]));
    await vi.waitFor(() => expect(screen.getByText("b", { selector: "em" })).toBeInTheDocument());
    await Promise.resolve();
    observer.disconnect();

    expect([...document.querySelectorAll("li.message")]).toEqual(rows);
    expect(mutations.length).toBeGreaterThan(0);
    expect(mutations.every((m) => touched.contains(m.target))).toBe(true);
  });

  it("shows my message at once as pending; when its broadcast beats the answer there is still one row", async () => {
    const answer = deferred<Response>();
    const { server } = await mount(() => answer.promise);
    type("hello *all*");
    expect(screen.getByText("all", { selector: "em" }).closest("li")).toHaveAttribute("data-state", "pending");
    expect(screen.getByText("Sending…")).toBeInTheDocument();
    expect(screen.getByRole("textbox", { name: "Message Studio" })).toHaveValue("");

    await vi.waitFor(() => expect(server.callsTo(POST)).toHaveLength(1));
    const row = mine(server.callsTo(POST)[0]);
    link.deliver(batch(6, 6, [upsert(6, row)]));
    await vi.waitFor(() => expect(screen.queryByText("Sending…")).toBeNull());
    expect(screen.getAllByText("all", { selector: "em" })).toHaveLength(1);

    answer.resolve(json({ intention: row, seq: 6 }, 201));
    await vi.waitFor(() => expect(outbox.entries).toHaveLength(0));
    expect(screen.getAllByText("all", { selector: "em" })).toHaveLength(1);
    expect(rowOf("all")).not.toHaveAttribute("data-state");
  });

  it("settles my message from the server's answer when no broadcast comes", async () => {
    await mount((call) => json({ intention: mine(call), seq: 6 }, 201));
    type("just me");
    await vi.waitFor(() => expect(outbox.entries).toHaveLength(0));
    expect(rowOf("just me")).toHaveClass("mine");
    expect(rowOf("just me")).not.toHaveAttribute("data-state");
    expect(sync.view?.order).toHaveLength(5);
  });

  it("keeps a refused message on screen with the reason, and Retry sends it again", async () => {
    let refuse = true;
    await mount((call) => (refuse ? apiError(400, "VALIDATION", "content: too much") : json({ intention: mine(call), seq: 6 }, 201)));
    type("try this");
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Not sent: content: too much");
    expect(rowOf("try this")).toHaveAttribute("data-state", "failed");

    refuse = false;
    fireEvent.click(screen.getByRole("button", { name: "Retry" }));
    await vi.waitFor(() => expect(rowOf("try this")).not.toHaveAttribute("data-state"));
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("shows a message sent while the database is down as waiting, never as refused, and settles it once it is back", async () => {
    let down = true;
    await mount((call) => (down ? databaseDown(1) : json({ intention: mine(call), seq: 6 }, 201)), backoff(10, 10));
    type("are you there?");
    await vi.waitFor(() => expect(rowOf("are you there?")).toHaveTextContent("Waiting to send"));
    expect(rowOf("are you there?")).toHaveAttribute("data-state", "pending");
    expect(screen.queryByRole("alert")).toBeNull();
    expect(document.body).not.toHaveTextContent(/went wrong|Not sent|cannot be reached/);

    down = false;
    await vi.waitFor(() => expect(rowOf("are you there?")).not.toHaveAttribute("data-state"), { timeout: 3_000 });
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("breaks the line on Shift+Enter instead of sending", async () => {
    const { server } = await mount(() => apiError(500, "INTERNAL"));
    type("two\nlines", { shiftKey: true });
    expect(outbox.entries).toHaveLength(0);
    expect(server.callsTo(POST)).toHaveLength(0);
    expect(screen.getByRole("textbox", { name: "Message Studio" })).toHaveValue("two\nlines");
  });
});

const EDIT = "PATCH /api/intentions/%2Fm";
const DELETE = "DELETE /api/intentions/%2Fm";
const editMine = (text: string) => {
  fireEvent.click(screen.getByRole("button", { name: "Edit message" }));
  fireEvent.input(screen.getByRole("textbox", { name: "Edit message" }), { target: { value: text } });
  fireEvent.click(screen.getByRole("button", { name: "Save" }));
};
const deleteMine = () => {
  fireEvent.click(screen.getByRole("button", { name: "Delete message" }));
  fireEvent.click(screen.getByRole("button", { name: "Delete" }));
};

describe("editing and deleting my message", () => {
  it("shows an edit at once, before the server answers, then settles it from the answer", async () => {
    const answer = deferred<Response>();
    const { server } = await mount(() => apiError(500, "INTERNAL"), undefined, { [EDIT]: () => answer.promise });
    editMine("better *words*");
    expect(screen.getByText("words", { selector: "em" }).closest("li")).toHaveAttribute("data-state", "pending");
    expect(screen.getByText("Saving…")).toBeInTheDocument();
    expect(screen.queryByText("my words")).toBeNull();
    await vi.waitFor(() => expect(server.callsTo(EDIT)).toHaveLength(1));
    expect(server.callsTo(EDIT)[0]!.body).toEqual({ content: ["better *words*"], ifVersion: 1 });

    answer.resolve(json({ intention: said("/m", 4, { ownerId: "@me", content: ["better *words*"], modifiedAt: new Date() }), seq: 6 }));
    await vi.waitFor(() => expect(screen.queryByText("Saving…")).toBeNull());
    expect(rowOf("words")).not.toHaveAttribute("data-state");
    expect(rowOf("words")).toHaveTextContent("(edited)");
    expect(sync.view?.intentions["/m" as IntentionId]?.content).toEqual(["better *words*"]);
  });

  it("rolls a refused edit back to the server's text, says why, and offers to edit again", async () => {
    await mount(() => apiError(500, "INTERNAL"), undefined, { [EDIT]: () => apiError(403, "FORBIDDEN", "only its owner may change it") });
    editMine("never saved");
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Edit not saved: only its owner may change it");
    expect(screen.queryByText("never saved")).toBeNull();
    expect(rowOf("my words")).toHaveAttribute("data-state", "failed");

    fireEvent.click(screen.getByRole("button", { name: "Edit again" }));
    expect(screen.getByRole("textbox", { name: "Edit message" })).toHaveValue("never saved");
    expect(screen.queryByRole("alert")).toBeNull();
  });

  describe("when someone else changed it meanwhile (409 with the row as it is)", () => {
    const theirs = said("/m", 4, { ownerId: "@me", content: ["their words"], version: 2, modifiedAt: new Date() });
    const conflict = () => json({ error: { code: "CONFLICT", message: "the intention changed meanwhile", details: { current: theirs } } }, 409);
    const conflictShown = async () => {
      editMine("your words");
      return await screen.findByRole("group", { name: "Edit conflict" });
    };

    it("shows both texts, theirs now and yours, and takes their row into the store", async () => {
      await mount(() => apiError(500, "INTERNAL"), undefined, { [EDIT]: conflict });
      const group = await conflictShown();
      expect(within(group).getByRole("alert")).toHaveTextContent("Someone changed this message while you edited it");
      expect(within(group).getByText("their words", { selector: "dd" })).toBeInTheDocument();
      expect(within(group).getByText("your words", { selector: "dd" })).toBeInTheDocument();
      expect(sync.view?.intentions["/m" as IntentionId]).toMatchObject({ content: ["their words"], version: 2 });
      expect(sync.view?.intentions["/m" as IntentionId]?.modifiedAt).toBeInstanceOf(Date);
    });

    it("keeps theirs: the conflict closes, their text stays and nothing more is sent", async () => {
      const { server } = await mount(() => apiError(500, "INTERNAL"), undefined, { [EDIT]: conflict });
      const group = await conflictShown();
      fireEvent.click(within(group).getByRole("button", { name: "Keep theirs" }));
      expect(screen.queryByRole("group", { name: "Edit conflict" })).toBeNull();
      expect(rowOf("their words")).not.toHaveAttribute("data-state");
      expect(server.callsTo(EDIT)).toHaveLength(1);
    });

    it("overwrites: mine is sent again over exactly the version shown, and replaces theirs", async () => {
      let calls = 0;
      const { server } = await mount(() => apiError(500, "INTERNAL"), undefined, {
        [EDIT]: (call) => (++calls === 1 ? conflict() : json({ intention: { ...theirs, ...(call.body as object), version: 3 }, seq: 7 })),
      });
      const group = await conflictShown();
      fireEvent.click(within(group).getByRole("button", { name: "Overwrite with yours" }));
      await vi.waitFor(() => expect(server.callsTo(EDIT)).toHaveLength(2));
      expect(server.callsTo(EDIT)[1]!.body).toEqual({ content: ["your words"], ifVersion: 2 });
      await vi.waitFor(() => expect(sync.view?.intentions["/m" as IntentionId]).toMatchObject({ content: ["your words"], version: 3 }));
      expect(screen.queryByRole("group", { name: "Edit conflict" })).toBeNull();
      expect(rowOf("your words")).toBeInTheDocument();
    });

    it("edits again from my text, nothing typed lost, and saves it over their version", async () => {
      const { server } = await mount(() => apiError(500, "INTERNAL"), undefined, { [EDIT]: conflict });
      const group = await conflictShown();
      fireEvent.click(within(group).getByRole("button", { name: "Edit again" }));
      const input = screen.getByRole("textbox", { name: "Edit message" });
      expect(input).toHaveValue("your words");
      expect(screen.queryByRole("group", { name: "Edit conflict" })).toBeNull();
      fireEvent.input(input, { target: { value: "your words and theirs" } });
      fireEvent.click(screen.getByRole("button", { name: "Save" }));
      await vi.waitFor(() => expect(server.callsTo(EDIT)).toHaveLength(2));
      expect(server.callsTo(EDIT)[1]!.body).toEqual({ content: ["your words and theirs"], ifVersion: 2 });
    });

    it("does not take in their row over a newer one a broadcast brought first", async () => {
      const answer = deferred<Response>();
      await mount(() => apiError(500, "INTERNAL"), undefined, { [EDIT]: () => answer.promise });
      editMine("your words");
      link.deliver(batch(6, 6, [upsert(6, said("/m", 4, { ownerId: "@me", content: ["newest words"], version: 3 }))]));
      await vi.waitFor(() => expect(sync.view?.intentions["/m" as IntentionId]?.version).toBe(3));
      answer.resolve(conflict());
      await screen.findByRole("group", { name: "Edit conflict" });
      expect(sync.view?.intentions["/m" as IntentionId]).toMatchObject({ content: ["newest words"], version: 3 });
    });
  });

  it("hides a deleted message at once and brings it back with the reason when the server refuses", async () => {
    const answer = deferred<Response>();
    await mount(() => apiError(500, "INTERNAL"), undefined, { [DELETE]: () => answer.promise });
    deleteMine();
    expect(screen.queryByText("my words")).toBeNull();

    answer.resolve(apiError(401, "UNAUTHENTICATED", "sign in first"));
    expect(await screen.findByRole("alert")).toHaveTextContent("Not deleted: sign in first");
    expect(rowOf("my words")).toHaveAttribute("data-state", "failed");
    fireEvent.click(screen.getByRole("button", { name: "Dismiss" }));
    expect(screen.queryByRole("alert")).toBeNull();
    expect(rowOf("my words")).not.toHaveAttribute("data-state");
  });

  it.each([
    ["deleted it", () => new Response(null, { status: 204 })],
    ["found it already gone", () => apiError(404, "NOT_FOUND")],
  ])("keeps a deleted message gone once the server has %s", async (_case, answer) => {
    await mount(() => apiError(500, "INTERNAL"), undefined, { [DELETE]: answer });
    deleteMine();
    await vi.waitFor(() => expect(sync.view?.intentions["/m" as IntentionId]).toBeUndefined());
    expect(screen.queryByText("my words")).toBeNull();
    expect(screen.queryByRole("alert")).toBeNull();
  });
});

/** A laid-out screen, which jsdom has not: the conversation 500 px tall, each row 100 px. */
function layOut(): void {
  vi.spyOn(Element.prototype, "clientHeight", "get").mockImplementation(function (this: Element) {
    return this.classList.contains("messages") ? 500 : 0;
  });
  vi.spyOn(Element.prototype, "scrollHeight", "get").mockImplementation(function (this: Element) {
    return this.querySelectorAll("li.message").length * 100;
  });
}

/** Renders the conversation of a space holding `intentions`, once its snapshot is in (the link may not be ready yet). */
async function openWith(intentions: ReturnType<typeof said>[], onShown?: () => void) {
  fakeServer({ [SNAPSHOT]: () => json(snapshot({ intentions })) });
  link = fakeLink();
  outbox = createOutbox({ storageKey: "spaces:outbox:@me", delays: backoff(60_000, 60_000) });
  sync = createSpaceSync(SPACE, { outbox, openLink: link.open, retryDelays: backoff(5, 20) });
  await vi.waitFor(() => expect(sync.view).not.toBeNull());
  render(() => <MessageList sync={sync} view={sync.view!} meId="@me" author={(id) => id} onShown={onShown} />);
}

describe("filling the screen", () => {
  it("adds rows from the newest up until they pass the screen, hidden until then, and shows each message that arrives", async () => {
    layOut();
    const onShown = vi.fn();
    await openWith(Array.from({ length: 50 }, (_, i) => said(`/m${String(i).padStart(2, "0")}` as IntentionId, i + 1, { content: [`line ${i}`] })), onShown);
    await link.ready();
    const list = document.querySelector(".message-list")!;
    expect(list).toHaveClass("filling");
    expect(onShown).not.toHaveBeenCalled();
    await conversationShown();
    expect(list).not.toHaveClass("filling");
    expect(onShown).toHaveBeenCalledOnce();
    // 500 px of screen and an edge of 120 px: at least seven rows of 100 px, the newest ones (a slice may
    // add a few more than the screen needs), and far from all fifty.
    const shown = screen.getAllByTestId("message").map((row) => row.textContent);
    expect(shown.length).toBeGreaterThanOrEqual(7);
    expect(shown.length).toBeLessThan(50);
    expect(shown).toEqual(Array.from({ length: shown.length }, (_, i) => expect.stringContaining(`line ${50 - shown.length + i}`)));
    link.deliver(batch(6, 6, [upsert(6, said("/n", 60, { content: ["just now"] }))]));
    await screen.findByText("just now");
    expect(screen.getAllByTestId("message")).toHaveLength(shown.length + 1);
  });

  it("shows the first message said in an empty space", async () => {
    layOut();
    await openWith([]);
    await link.ready();
    await conversationShown();
    link.deliver(batch(6, 6, [upsert(6, said("/n", 60, { content: ["first words"] }))]));
    await screen.findByText("first words");
    link.deliver(batch(7, 7, [upsert(7, said("/o", 61, { content: ["second words"] }))]));
    await screen.findByText("second words");
    expect(screen.getByText("first words")).toBeInTheDocument();
  });
});

describe("jumping to the newest", () => {
  it("counts the messages that arrive while I read history, and takes me down to them", async () => {
    layOut();
    let top = 0;
    vi.spyOn(Element.prototype, "scrollTop", "get").mockImplementation(() => top);
    vi.spyOn(Element.prototype, "scrollTop", "set").mockImplementation((value: number) => void (top = value));
    await openWith(Array.from({ length: 30 }, (_, i) => said(`/m${String(i).padStart(2, "0")}` as IntentionId, i + 1, { content: [`line ${i}`] })));
    await link.ready();
    await conversationShown();
    const log = screen.getByRole("log", { name: "Conversation" });
    // Up in the history (rows enough to be away from both edges).
    fireEvent.click(screen.getByRole("button", { name: "Load older messages" }));
    await vi.waitFor(() => expect(screen.getAllByTestId("message").length).toBeGreaterThan(20));
    top = 200;
    fireEvent.scroll(log);
    link.deliver(batch(6, 7, [upsert(6, said("/n1", 60, { content: ["new one"] })), upsert(7, said("/n2", 61, { content: ["new two"] }))]));
    await screen.findByText("new two");
    expect(top).toBe(200);
    const jump = screen.getByRole("button", { name: "Jump to newest (2 new)" });
    link.deliver(batch(8, 8, [upsert(8, said("/n3", 62, { content: ["new three"] }))]));
    await vi.waitFor(() => expect(jump).toHaveTextContent("Jump to newest (3 new)"));
    fireEvent.click(jump);
    expect(top).toBe(log.scrollHeight);
    expect(screen.queryByRole("button", { name: /Jump to newest/ })).toBeNull();
    // Following the bottom again: the next message is followed, not counted.
    link.deliver(batch(9, 9, [upsert(9, said("/n4", 63, { content: ["new four"] }))]));
    await screen.findByText("new four");
    expect(screen.queryByRole("button", { name: /Jump to newest/ })).toBeNull();
  });
});

describe("a long conversation", () => {
  it("opens with the newest rows and reveals older loaded rows on demand", async () => {
    const many = Array.from({ length: 450 }, (_, i) => said(`/m${String(i).padStart(3, "0")}` as IntentionId, i + 1, { content: [`line ${i}`] }));
    await openWith(many);
    // Busy (and hidden) until its first rows are in: jsdom lays nothing out, so there is no screen to fill.
    expect(screen.getByRole("log", { name: "Conversation" })).toHaveAttribute("aria-busy", "true");
    await conversationShown();
    expect(screen.getAllByTestId("message")).toHaveLength(FIRST_ROWS);
    expect(screen.getByText(`line ${450 - FIRST_ROWS}`)).toBeInTheDocument();
    expect(screen.queryByText(`line ${449 - FIRST_ROWS}`)).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Load older messages" }));
    await vi.waitFor(() => expect(screen.getAllByTestId("message")).toHaveLength(FIRST_ROWS + WINDOW_STEP));
    expect(screen.getByText(`line ${450 - FIRST_ROWS - WINDOW_STEP}`)).toBeInTheDocument();
    expect(screen.getByText("line 449")).toBeInTheDocument();
  });
});
