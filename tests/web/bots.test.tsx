import "@testing-library/jest-dom/vitest";
import { cleanup, fireEvent, render, screen } from "@solidjs/testing-library";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { Being, ContentNode } from "../../src/shared/entities.ts";
import { BotForm } from "../../src/web/components/bot-form.tsx";
import { BotsPanel } from "../../src/web/components/bots-panel.tsx";
import { patchHtml } from "../../src/web/components/markdown.tsx";
import { loadMarkdown } from "../../src/web/markdown.ts";
import { MessageList } from "../../src/web/components/message-list.tsx";
import { backoff } from "../../src/web/sync/backoff.ts";
import { createOutbox, type Outbox } from "../../src/web/sync/outbox.ts";
import { createSpaceSync, type SpaceSync } from "../../src/web/sync/store.ts";
import { fakeLink } from "./support/fake-link.ts";
import { apiError, fakeServer, json } from "./support/fake-server.ts";
import { batch, conversationShown, guest, said, snapshot, SPACE, upsert } from "./support/fixtures.ts";

// The renderer is loaded on demand in the app (a space starts it with its snapshot).
beforeAll(() => loadMarkdown());

const helper: Being = guest("@helper", { name: "Helper", type: "bot", ownerId: "@me", properties: { bot: { model: "m", prompt: "p", replyTo: "all", hasKey: true } } });
const reply = (content: ContentNode[], state: "active" | "complete" | "failed" = "active") =>
  said("/r1", 5, { ownerId: "@helper", askerId: "@bob", state, content });

let sync: SpaceSync | undefined;
let outbox: Outbox | undefined;
afterEach(() => {
  cleanup();
  sync?.close();
  outbox?.close();
  vi.restoreAllMocks();
});

async function mount(meId: `@${string}`, first = reply(["Hello"])) {
  const server = fakeServer({
    "GET /api/spaces/%40s": () => json(snapshot({ beings: [helper], intentions: [said("/q", 4, { ownerId: "@bob" }), first] })),
    "PATCH /api/intentions/%2Fr1": () => json({ intention: reply(["Hello"], "complete"), seq: 99 }),
  });
  const link = fakeLink();
  outbox = createOutbox({ storageKey: `spaces:outbox:${meId}`, delays: backoff(60_000, 60_000) });
  sync = createSpaceSync(SPACE, { outbox, openLink: link.open, retryDelays: backoff(5, 20) });
  await vi.waitFor(() => expect(sync!.view).not.toBeNull());
  render(() => <MessageList sync={sync!} view={sync!.view!} meId={meId} author={(id) => id.slice(1)} />);
  await link.ready();
  await conversationShown();
  return { server, link };
}

const row = (text: string) => screen.getByText(text).closest("li") as HTMLLIElement;

describe("a bot's reply in the conversation", () => {
  it("looks alive while streaming, grows in place without rebuilding what was shown, and settles", async () => {
    const { link } = await mount("@me");
    const li = row("Hello");
    expect(li).toHaveAttribute("data-state", "active");
    expect(li).toHaveAttribute("aria-busy", "true");
    const firstParagraph = li.querySelector(".message-body p");
    link.deliver(batch(6, 6, [upsert(6, reply(["Hello\n\nand more *words*"]))]));
    await vi.waitFor(() => expect(li.querySelector(".message-body")!.textContent).toContain("and more words"));
    expect(li.querySelector(".message-body p")).toBe(firstParagraph);
    link.deliver(batch(7, 7, [upsert(7, reply(["Hello\n\nand more *words*, done."], "complete"))]));
    await vi.waitFor(() => expect(li).not.toHaveAttribute("data-state", "active"));
    expect(li).not.toHaveAttribute("aria-busy");
    expect(screen.queryByRole("button", { name: "Stop this reply" })).toBeNull();
  });

  it("offers Stop to those allowed (here the bot's owner), which cancels it", async () => {
    const { server } = await mount("@me");
    fireEvent.click(screen.getByRole("button", { name: "Stop this reply" }));
    await vi.waitFor(() => expect(server.callsTo("PATCH /api/intentions/%2Fr1")).toHaveLength(1));
    expect(server.callsTo("PATCH /api/intentions/%2Fr1")[0]!.body).toEqual({ state: "cancelled" });
  });

  it("leaves who may stop it to the server: someone it refuses is told so", async () => {
    const { server } = await mount("@stranger");
    server.routes["PATCH /api/intentions/%2Fr1"] = () => apiError(403, "FORBIDDEN", "only its owner may change it");
    expect(row("Hello")).toHaveAttribute("data-state", "active");
    fireEvent.click(screen.getByRole("button", { name: "Stop this reply" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("You may not stop this reply.");
    expect(row("Hello")).toHaveAttribute("data-state", "active");
  });

  it("says a reply that ended before the stop reached the server had already finished, without an alarm", async () => {
    const { server } = await mount("@me");
    server.routes["PATCH /api/intentions/%2Fr1"] = () => apiError(409, "CONFLICT", "the reply has ended");
    fireEvent.click(screen.getByRole("button", { name: "Stop this reply" }));
    expect(await screen.findByText("This reply had already finished.")).toBeInTheDocument();
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("shows a failed reply's text and why it failed", async () => {
    await mount("@me", reply(["Half an answer", { type: "failure", props: { reason: "The model provider answered 401: bad key" } }], "failed"));
    expect(row("Half an answer")).toHaveAttribute("data-state", "failed");
    expect(screen.getByText("The model provider answered 401: bad key")).toBeInTheDocument();
  });
});

describe("patchHtml", () => {
  it("keeps the blocks that did not change and replaces the rest", () => {
    const element = document.createElement("div");
    patchHtml(element, "<p>one</p><p>tw</p>");
    const [one] = element.children;
    patchHtml(element, "<p>one</p><p>two</p><ul><li>three</li></ul>");
    expect(element.children[0]).toBe(one);
    expect(element.innerHTML).toBe("<p>one</p><p>two</p><ul><li>three</li></ul>");
  });
});

describe("the bot form", () => {
  it("creates a bot in the space with its key as a password, sent once", async () => {
    const server = fakeServer({ "POST /api/beings": () => json({ being: helper }, 201) });
    const done = vi.fn();
    render(() => <BotForm spaceId={SPACE} onDone={done} />);
    fireEvent.input(screen.getByLabelText("Name"), { target: { value: "Helper" } });
    fireEvent.input(screen.getByLabelText("Model"), { target: { value: "llama3.2" } });
    fireEvent.input(screen.getByLabelText("System prompt"), { target: { value: "Be brief." } });
    fireEvent.click(screen.getByLabelText("Every message"));
    const key = screen.getByLabelText(/API key/);
    expect(key).toHaveAttribute("type", "password");
    fireEvent.input(key, { target: { value: "sk-123" } });
    fireEvent.click(screen.getByRole("button", { name: "Create bot" }));
    await vi.waitFor(() => expect(done).toHaveBeenCalled());
    expect(server.callsTo("POST /api/beings")[0]!.body).toEqual({
      name: "Helper", type: "bot", locationId: SPACE,
      properties: { bot: { model: "llama3.2", prompt: "Be brief.", replyTo: "all" } },
      secrets: { apiKey: "sk-123" },
    });
  });

  it("configures a bot: says a key is set without showing it, keeps it when left empty, and deletes", async () => {
    const server = fakeServer({
      "PATCH /api/beings/%40helper": () => json({ being: helper }),
      "DELETE /api/beings/%40helper": () => new Response(null, { status: 204 }),
    });
    const done = vi.fn();
    render(() => <BotForm spaceId={SPACE} bot={helper} onDone={done} />);
    expect(screen.getByText("key set")).toBeInTheDocument();
    expect(screen.getByLabelText(/API key/)).toHaveValue("");
    fireEvent.input(screen.getByLabelText("System prompt"), { target: { value: "Be kind." } });
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    await vi.waitFor(() => expect(done).toHaveBeenCalledTimes(1));
    const patch = server.callsTo("PATCH /api/beings/%40helper")[0]!.body as Record<string, unknown>;
    expect(patch).not.toHaveProperty("secrets");
    expect(patch.properties).toEqual({ bot: { model: "m", prompt: "Be kind.", replyTo: "all" } });
    fireEvent.click(screen.getByRole("button", { name: "Delete bot" }));
    fireEvent.click(screen.getByRole("button", { name: "Delete Helper" }));
    await vi.waitFor(() => expect(server.callsTo("DELETE /api/beings/%40helper")).toHaveLength(1));
  });

  it("says whether the bot's model accepts images, and a bot that does is shown as such when edited again", async () => {
    const server = fakeServer({ "PATCH /api/beings/%40helper": () => json({ being: helper }) });
    const done = vi.fn();
    render(() => <BotForm spaceId={SPACE} bot={helper} onDone={done} />);
    const images = screen.getByRole("checkbox", { name: /Sees pictures/ });
    expect(images).not.toBeChecked();
    fireEvent.click(images);
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    await vi.waitFor(() => expect(done).toHaveBeenCalledTimes(1));
    const patch = server.callsTo("PATCH /api/beings/%40helper")[0]!.body as { properties: { bot: Record<string, unknown> } };
    expect(patch.properties.bot).toEqual({ model: "m", prompt: "p", replyTo: "all", images: true });
    cleanup();
    render(() => <BotForm spaceId={SPACE} bot={{ ...helper, properties: { bot: { ...patch.properties.bot, hasKey: true } } }} onDone={done} />);
    expect(screen.getByRole("checkbox", { name: /Sees pictures/ })).toBeChecked();
  });
});

describe("the bot form's model list", () => {
  const listing = (body: unknown) => ({ "GET /api/bots/models": () => json(body) });

  it("offers the provider's models, listed with the bot's key; a pick fills the model, and any text is still accepted", async () => {
    const server = fakeServer({
      ...listing({ models: ["fake-large", "fake-small"], key: "own", defaultKey: null }),
      "PATCH /api/beings/%40helper": () => json({ being: helper }),
    });
    const done = vi.fn();
    render(() => <BotForm spaceId={SPACE} bot={helper} onDone={done} />);
    const list = await screen.findByLabelText(/Or pick one the provider lists \(2\)/);
    expect(server.callsTo("GET /api/bots/models")[0]!.url).toBe("/api/bots/models?bot=%40helper");
    expect([...list.querySelectorAll("option")].map((o) => o.value)).toEqual(["", "fake-large", "fake-small"]);
    fireEvent.change(list, { target: { value: "fake-small" } });
    expect(screen.getByLabelText("Model")).toHaveValue("fake-small");
    fireEvent.input(screen.getByLabelText("Model"), { target: { value: "my-own/finetune" } });
    expect(list).toHaveValue("");
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    await vi.waitFor(() => expect(done).toHaveBeenCalled());
    expect((server.callsTo("PATCH /api/beings/%40helper")[0]!.body as { properties: { bot: { model: string } } }).properties.bot.model).toBe("my-own/finetune");
  });

  it("says what a bot without a key uses: the server's default and its daily limit, or nothing", async () => {
    fakeServer(listing({ models: ["m"], key: "default", defaultKey: { tokensPerPersonPerDay: 20_000 } }));
    render(() => <BotForm spaceId={SPACE} onDone={() => undefined} />);
    expect(await screen.findByText(/No key: uses this server's default, limited to 20,000 tokens a day per person/)).toBeInTheDocument();
    cleanup();
    fakeServer(listing({ models: ["m"], key: "none", defaultKey: null }));
    render(() => <BotForm spaceId={SPACE} onDone={() => undefined} />);
    expect(await screen.findByText(/No key: this bot cannot answer until it has one/)).toBeInTheDocument();
    cleanup();
    fakeServer(listing({ models: ["m"], key: "own", defaultKey: { tokensPerPersonPerDay: 20_000 } }));
    render(() => <BotForm spaceId={SPACE} bot={helper} onDone={() => undefined} />);
    expect(await screen.findByText(/Its own key is set, so this server's daily limits do not apply to it/)).toBeInTheDocument();
  });

  it("leaves the model to be typed when the provider cannot list, saying why", async () => {
    fakeServer({ "GET /api/bots/models": () => apiError(503, "UNAVAILABLE", "The model provider answered 503: resting") });
    render(() => <BotForm spaceId={SPACE} onDone={() => undefined} />);
    expect(await screen.findByText(/could not be listed \(The model provider answered 503: resting\); type the model's id/)).toBeInTheDocument();
    expect(screen.queryByRole("combobox")).toBeNull();
    expect(screen.getByLabelText("Model")).toBeEnabled();
  });

  it("shows a model id as text, never as HTML", async () => {
    const hostile = '<img src=x onerror="alert(1)">';
    fakeServer(listing({ models: [hostile], key: "none", defaultKey: null }));
    const { container } = render(() => <BotForm spaceId={SPACE} onDone={() => undefined} />);
    const list = await screen.findByLabelText(/Or pick one/);
    expect(list.querySelectorAll("option")[1]!.textContent).toBe(hostile);
    expect(container.querySelector("img")).toBeNull();
  });
});

describe("the bots panel", () => {
  it("lists the viewer's own bots to configure, and a way to add one", async () => {
    render(() => <BotsPanel spaceId={SPACE} beings={{ "@helper": helper, "@other": { ...helper, id: "@other", name: "Other", ownerId: "@bob" } }} meId="@me" />);
    expect(screen.getByRole("button", { name: "Configure Helper" })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Configure Other" })).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "+ New bot" }));
    // The form loads on first use (off the start chunk).
    expect(await screen.findByRole("heading", { name: "New bot" })).toBeInTheDocument();
    fireEvent.click(screen.getByRole("button", { name: "Cancel" }));
    expect(screen.getByRole("button", { name: "Configure Helper" })).toBeInTheDocument();
  });

  it("closes the form once the bot is created", async () => {
    fakeServer({ "POST /api/beings": () => json({ being: helper }, 201) });
    render(() => <BotsPanel spaceId={SPACE} beings={{}} meId="@me" />);
    fireEvent.click(screen.getByRole("button", { name: "+ New bot" }));
    fireEvent.input(await screen.findByLabelText("Name"), { target: { value: "Helper" } });
    fireEvent.input(screen.getByLabelText("Model"), { target: { value: "m" } });
    fireEvent.click(screen.getByRole("button", { name: "Create bot" }));
    await vi.waitFor(() => expect(screen.getByRole("button", { name: "+ New bot" })).toBeInTheDocument());
    expect(screen.queryByRole("heading", { name: "New bot" })).toBeNull();
  });
});
