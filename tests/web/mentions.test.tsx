// Mentions (the `@` list, chips) and replies (the bar, the quote) in the conversation as the space page wires it.
import "@testing-library/jest-dom/vitest";
import { cleanup, fireEvent, render, screen, within } from "@solidjs/testing-library";
import { createSignal } from "solid-js";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { mentionNode, replyNode } from "../../src/shared/content.ts";
import type { ContentNode, IntentionId } from "../../src/shared/entities.ts";
import { Composer } from "../../src/web/components/composer.tsx";
import { MessageList } from "../../src/web/components/message-list.tsx";
import { loadMarkdown } from "../../src/web/markdown.ts";
import { backoff } from "../../src/web/sync/backoff.ts";
import { createOutbox, type Outbox } from "../../src/web/sync/outbox.ts";
import { createSpaceSync, type SpaceSync } from "../../src/web/sync/store.ts";
import { fakeLink } from "./support/fake-link.ts";
import { apiError, fakeServer, json, type Call } from "./support/fake-server.ts";
import { batch, conversationShown, guest, removal, said, snapshot, SPACE } from "./support/fixtures.ts";

const opened = vi.hoisted(() => [] as string[]);
vi.mock("../../src/web/profile/open-profile.ts", () => ({ openProfile: async (id: string) => void opened.push(id) }));

const POST = "POST /api/spaces/%40s/intentions";
const SEARCH = "GET /api/search/beings";
const XSS = `<img src=x onerror="globalThis.pwned=1">**bold**`;

let sync: SpaceSync;
let outbox: Outbox;

/** The conversation and composer as the space page wires them: the `@` list offers the space's beings, Reply fills the bar. */
async function mount(intentions = [said("/a", 1, { content: ["first line\nsecond line"] }), said("/b", 2, { ownerId: "@bob" })], routes: Record<string, (call: Call) => Response> = {}) {
  const server = fakeServer({
    "GET /api/spaces/%40s": () => json(snapshot({ beings: [guest("@ada"), guest("@bob"), guest("@me", { name: "Me" })], intentions })),
    [POST]: (call) => json({ intention: said((call.body as { id: IntentionId }).id, 30, { ownerId: "@me", content: (call.body as { content: ContentNode[] }).content }), seq: 6 }, 201),
    [SEARCH]: () => json({ beings: [guest("@bobby", { name: "Bobby", type: "bot" }), guest("@bob")] }),
    ...routes,
  });
  const link = fakeLink();
  outbox = createOutbox({ storageKey: "spaces:outbox:@me", delays: backoff(60_000, 60_000) });
  sync = createSpaceSync(SPACE, { outbox, openLink: link.open, retryDelays: backoff(5, 20) });
  await vi.waitFor(() => expect(sync.view).not.toBeNull());
  const [replyTo, setReplyTo] = createSignal<IntentionId>();
  const author = (id: string) => (id === "@me" ? "Me" : id.slice(1));
  const replying = () => {
    const original = replyTo() && sync.view!.intentions[replyTo()!];
    return original ? { original, author: author(original.ownerId) } : undefined;
  };
  render(() => (
    <>
      <MessageList sync={sync} view={sync.view!} meId="@me" author={author} onReply={setReplyTo} />
      <Composer spaceId={SPACE} spaceName="Studio" onSend={sync.post} here={() => Object.values(sync.view!.beings)} replyingTo={replying()} onCancelReply={() => setReplyTo(undefined)} />
    </>
  ));
  await link.ready();
  await conversationShown();
  return Object.assign(server, { link });
}

const box = () => screen.getByRole("textbox", { name: "Message Studio" }) as HTMLTextAreaElement;
const write = (text: string) => fireEvent.input(box(), { target: { value: text } });
const key = (name: string) => fireEvent.keyDown(box(), { key: name });
const sent = (server: ReturnType<typeof fakeServer>) => server.callsTo(POST).map((call) => (call.body as { content: ContentNode[] }).content);

beforeAll(() => loadMarkdown());
beforeEach(() => {
  localStorage.clear();
  opened.length = 0;
});
afterEach(() => {
  cleanup();
  sync.close();
  outbox.close();
  vi.restoreAllMocks();
});

describe("the @ list", () => {
  it("offers the beings here first, then those the server finds; arrows choose, Enter picks, and the mention is sent as a node with the id", async () => {
    const server = await mount();
    write("hi @bo");
    const list = await screen.findByRole("listbox", { name: "Mention someone" });
    expect(within(list).getAllByRole("option").map((o) => o.textContent)).toEqual(["bob"]);
    expect(box()).toHaveAttribute("aria-controls", list.id);
    expect(box()).toHaveAttribute("aria-autocomplete", "list");
    // The server's answer joins below, without repeating who is already offered.
    await vi.waitFor(() => expect(within(list).getAllByRole("option").map((o) => o.textContent)).toEqual(["bob", "Bobby (bot)"]));
    expect(new URL(server.callsTo(SEARCH)[0]!.url, location.href).searchParams.get("q")).toBe("bo");
    const options = within(list).getAllByRole("option");
    expect(options[0]).toHaveAttribute("aria-selected", "true");
    key("ArrowDown");
    expect(options[1]).toHaveAttribute("aria-selected", "true");
    expect(box()).toHaveAttribute("aria-activedescendant", options[1]!.id);
    key("ArrowDown");
    key("ArrowUp");
    key("Enter");
    expect(box()).toHaveValue("hi @Bobby ");
    expect(screen.queryByRole("listbox")).toBeNull();
    expect(server.callsTo(POST)).toHaveLength(0);

    write("hi @Bobby and @");
    expect(within(screen.getByRole("listbox")).getAllByRole("option").map((o) => o.textContent)).toEqual(["ada", "bob", "Me"]);
    key("Tab");
    write(`${box().value} too`);
    key("Enter");
    await vi.waitFor(() => expect(sent(server)).toHaveLength(1));
    expect(sent(server)[0]).toEqual(["hi ", mentionNode("@bobby", "Bobby"), " and ", mentionNode("@ada", "ada"), "  too"]);
  });

  it("closes with Escape (Enter then sends) and picks with the pointer; a plain message is sent as text, as ever", async () => {
    const server = await mount();
    write("@ad");
    await screen.findByRole("listbox");
    key("Escape");
    expect(screen.queryByRole("listbox")).toBeNull();
    expect(box()).not.toHaveAttribute("aria-controls");
    write("@ada");
    expect(screen.queryByRole("listbox")).toBeNull();
    write("plain @ada typed by hand");
    key("Enter");
    await vi.waitFor(() => expect(sent(server)).toEqual([["plain @ada typed by hand"]]));

    write("to @b");
    fireEvent.click(screen.getByRole("option", { name: "bob" }));
    expect(box()).toHaveValue("to @bob ");
    key("Enter");
    await vi.waitFor(() => expect(sent(server)[1]).toEqual(["to ", mentionNode("@bob", "bob")]));
  });

  it("keeps a message's content with its nodes in the outbox while it waits, across a reload", async () => {
    await mount([], { [POST]: () => apiError(503, "UNAVAILABLE") });
    write("@b");
    await screen.findByRole("listbox");
    key("Enter");
    write(`${box().value}there`);
    key("Enter");
    await vi.waitFor(() => expect(outbox.entries[0]?.status).toBe("queued"));
    const kept = JSON.parse(localStorage.getItem("spaces:outbox:@me")!);
    expect(kept[0]).toMatchObject({ text: "@bob there", content: [mentionNode("@bob", "bob"), " there"] });
    // The pending row already shows the chip.
    expect(await screen.findByRole("button", { name: "@bob" })).toHaveClass("mention");
  });
});

describe("a mention in a message", () => {
  it("is a chip with the being's current name, or its own text; it opens the profile card; a message mentioning me is marked", async () => {
    await mount([
      said("/m", 3, { content: ["hey ", mentionNode("@bob", "Robert"), " and ", mentionNode("@zed", "Zed"), ", *you* ", mentionNode("@me", "Old me")] }),
      said("/n", 4, { content: ["nothing for me ", mentionNode("@bob", "bob")] }),
    ]);
    const row = (await screen.findByText("you", { selector: "em" })).closest("li")!;
    expect(within(row).getAllByRole("button", { name: /^@/ }).map((chip) => chip.textContent)).toEqual(["@bob", "@Zed", "@Me"]);
    expect(row.querySelector(".message-body")).toHaveClass("mentions-me");
    expect(within(row).getByText("Mentions you:")).toHaveClass("sr-only");
    expect(within(row).getByRole("button", { name: "@Me" })).toHaveClass("me");
    fireEvent.click(within(row).getByRole("button", { name: "@Zed" }));
    await vi.waitFor(() => expect(opened).toEqual(["@zed"]));
    const other = screen.getByText(/nothing for me/).closest("li")!;
    expect(other.querySelector(".mentions-me")).toBeNull();
  });

  it("never inserts a name or text as HTML, and a placeholder typed into the text makes no chip", async () => {
    await mount([said("/x", 3, { content: [`look \uE0000\uE001 `, mentionNode("@zed", XSS), " end"] })]);
    const row = (await screen.findByText(/look/)).closest("li")!;
    expect(row.querySelector("img")).toBeNull();
    expect(row.querySelector("strong")).toBeNull();
    const chips = within(row).getAllByRole("button", { name: /@/ });
    expect(chips).toHaveLength(1);
    expect(chips[0]!.textContent).toBe(`@${XSS}`);
    expect((globalThis as { pwned?: number }).pwned).toBeUndefined();
  });
});

describe("a reply", () => {
  it("starts from Reply: a bar says to whom, Cancel drops it, and the message sent starts with a reply node", async () => {
    const server = await mount();
    const original = screen.getByText("first line", { exact: false }).closest("li")!;
    fireEvent.click(within(original).getByRole("button", { name: "Reply to message" }));
    expect(await screen.findByText("Replying to", { exact: false })).toHaveTextContent("Replying to ada: first line");
    fireEvent.click(screen.getByRole("button", { name: "Cancel reply" }));
    expect(screen.queryByText("Replying to", { exact: false })).toBeNull();

    // Escape drops it too, unless the mention list is open: then Escape closes only the list.
    fireEvent.click(within(original).getByRole("button", { name: "Reply to message" }));
    await screen.findByText("Replying to", { exact: false });
    write("@ad");
    await screen.findByRole("listbox");
    key("Escape");
    expect(screen.queryByRole("listbox")).toBeNull();
    expect(screen.getByText("Replying to", { exact: false })).toBeInTheDocument();
    key("Escape");
    expect(screen.queryByText("Replying to", { exact: false })).toBeNull();
    write("");

    fireEvent.click(within(original).getByRole("button", { name: "Reply to message" }));
    write("agreed");
    key("Enter");
    await vi.waitFor(() => expect(sent(server)).toEqual([[replyNode("/a"), "agreed"]]));
    expect(screen.queryByText("Replying to", { exact: false })).toBeNull();
  });

  it("quotes its original's author and first line, as text; selecting the quote goes to the original", async () => {
    await mount([said("/a", 1, { content: [`${XSS}\nsecond line`] }), said("/r", 2, { ownerId: "@bob", content: [replyNode("/a"), "me too"] })]);
    const reply = (await screen.findByText("me too")).closest("li")!;
    const quote = await within(reply).findByRole("button", { name: `In reply to ada: ${XSS}` });
    expect(quote).toHaveTextContent(`ada ${XSS}`);
    expect(quote.textContent).not.toContain("second line");
    expect(quote.querySelector("img, strong")).toBeNull();
    fireEvent.click(quote);
    expect(location.search).toBe(`?message=${encodeURIComponent("/a")}`);
  });

  it("asks for an original that is not loaded, and says when it was deleted (or may not be read)", async () => {
    const server = await mount(
      [said("/r1", 2, { content: [replyNode("/old"), "about the old one"] }), said("/r2", 3, { content: [replyNode("/gone"), "about the gone one"] })],
      {
        "GET /api/intentions/%2Fold": () => json({ intention: said("/old", 0, { ownerId: "@bob", content: ["long ago"] }) }),
        "GET /api/intentions/%2Fgone": () => apiError(404, "NOT_FOUND", "intention not found"),
      },
    );
    await vi.waitFor(() => expect(screen.getByRole("button", { name: /In reply to bob/ })).toHaveTextContent("long ago"));
    await vi.waitFor(() => expect(screen.getByText("Original message deleted")).toBeInTheDocument());
    expect(screen.getByText("Original message deleted").tagName).toBe("P");
    expect(server.callsTo("GET /api/intentions/")).toHaveLength(2);
  });

  it("says so when its original is deleted while shown", async () => {
    const server = await mount([said("/a", 1, { content: ["soon gone"] }), said("/r", 2, { ownerId: "@bob", content: [replyNode("/a"), "me too"] })], {
      "GET /api/intentions/%2Fa": () => apiError(404, "NOT_FOUND", "intention not found"),
    });
    await screen.findByRole("button", { name: "In reply to ada: soon gone" });
    server.link.deliver(batch(6, 6, [removal(6, "/a")]));
    await screen.findByText("Original message deleted");
  });
});

describe("editing a message with mentions and a reply", () => {
  it("keeps them: the picked names still in the text stay mention nodes, and the reply node stays first", async () => {
    const content = [replyNode("/a"), "hi ", mentionNode("@bob", "bob"), " and ", mentionNode("@ada", "ada")];
    const server = await mount([said("/a", 1), said("/mine", 3, { ownerId: "@me", content })], {
      "PATCH /api/intentions/%2Fmine": (call) => json({ intention: said("/mine", 3, { ownerId: "@me", content: (call.body as { content: ContentNode[] }).content, version: 2 }), seq: 7 }),
    });
    const row = (await screen.findByText(/^hi/)).closest("li")!;
    fireEvent.click(within(row).getByRole("button", { name: "Edit message" }));
    const editor = screen.getByRole("textbox", { name: "Edit message" });
    expect(editor).toHaveValue("hi @bob and @ada");
    fireEvent.input(editor, { target: { value: "hi @bob, not ada" } });
    fireEvent.keyDown(editor, { key: "Enter" });
    await vi.waitFor(() => expect(server.callsTo("PATCH /api/intentions/")).toHaveLength(1));
    expect((server.callsTo("PATCH /api/intentions/")[0]!.body as { content: ContentNode[] }).content).toEqual([replyNode("/a"), "hi ", mentionNode("@bob", "bob"), ", not ada"]);
  });
});
