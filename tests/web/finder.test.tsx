// The "Go to…" dialog: Ctrl-K opens it, the arrows move through the options, Enter picks, Esc closes and focus
// goes back; Tab stays inside; message results show the match as text (never markup), with more on request.
import "@testing-library/jest-dom/vitest";
import { cleanup, fireEvent, render, screen, waitFor } from "@solidjs/testing-library";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { IntentionHit } from "../../src/shared/responses.ts";
import { FinderButton } from "../../src/web/finder/launcher.tsx";
import { go } from "../../src/web/router.ts";
import { fakeServer, json } from "./support/fake-server.ts";
import { guest, space } from "./support/fixtures.ts";

const BEINGS = "GET /api/search/beings";
const MESSAGES = "GET /api/search/intentions";

const hit = (id: string, text: string, marks: IntentionHit["snippet"]["marks"]) => ({
  id,
  space: { id: "@studio", name: "Studio <b>bold</b>" },
  author: { id: "@ada", name: "Ada" },
  at: new Date(Date.UTC(2026, 0, 2, 3, 4)),
  snippet: { text, marks },
});

beforeEach(() => go("/@lobby", true));
afterEach(() => {
  cleanup();
  localStorage.clear();
  vi.restoreAllMocks();
});

/** Opens the dialog with Ctrl-K from the page's button having focus, and waits for its input. */
async function openFinder() {
  render(() => <FinderButton meId="@me" />);
  const opener = screen.getByRole("button", { name: "Go to…" });
  opener.focus();
  fireEvent.keyDown(document, { key: "k", ctrlKey: true });
  const input = await screen.findByRole("combobox");
  expect(input).toHaveFocus();
  return { opener, input };
}

const selected = () => screen.getAllByRole("option").find((option) => option.getAttribute("aria-selected") === "true");

describe("the Go to… dialog", () => {
  it("lists names as typed; the arrows move the active option (wrapping); Enter goes to the space and remembers it", async () => {
    const server = fakeServer({
      [BEINGS]: () => json({ beings: [space("@studio", { name: "Studio" }), guest("@stu", { name: "Stu", locationId: "@lobby" })] }),
    });
    const { opener, input } = await openFinder();
    fireEvent.input(input, { target: { value: "stu" } });
    await screen.findByText("Studio");
    expect(server.callsTo(BEINGS)[0]!.url).toBe("/api/search/beings?q=stu&limit=20");
    const options = screen.getAllByRole("option");
    expect(options.map((option) => option.textContent)).toEqual(["StudioSpace", "StuPerson", "Search messages for “stu”"]);
    expect(input).toHaveAttribute("aria-activedescendant", options[0]!.id);
    fireEvent.keyDown(input, { key: "ArrowUp" });
    expect(selected()).toHaveTextContent("Search messages");
    fireEvent.keyDown(input, { key: "ArrowDown" });
    fireEvent.keyDown(input, { key: "ArrowDown" });
    expect(selected()).toHaveTextContent("Stu");
    expect(input).toHaveAttribute("aria-activedescendant", selected()!.id);
    fireEvent.keyDown(input, { key: "Enter" });
    // A person: to the space they are in.
    expect(location.pathname).toBe("/@lobby");
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(opener).toHaveFocus();

    fireEvent.keyDown(document, { key: "K", metaKey: true });
    expect(await screen.findByText("Recent")).toBeInTheDocument();
    expect(screen.getAllByRole("option").map((option) => option.textContent)).toEqual(["StuPerson"]);
  });

  it("keeps Tab inside the dialog and closes on Esc, giving focus back", async () => {
    fakeServer();
    const { opener, input } = await openFinder();
    const close = screen.getByRole("button", { name: "Close" });
    fireEvent.keyDown(input, { key: "Tab" });
    expect(close).toHaveFocus();
    fireEvent.keyDown(close, { key: "Tab" });
    expect(input).toHaveFocus();
    fireEvent.keyDown(input, { key: "Tab", shiftKey: true });
    expect(close).toHaveFocus();
    fireEvent.keyDown(close, { key: "Escape" });
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(opener).toHaveFocus();
  });

  it("searches the messages: the match marked as text, markup shown as written, more on request, Enter opens the message", async () => {
    const attack = "<img src=x onerror=alert(1)> said hello there";
    const server = fakeServer({
      [BEINGS]: () => json({ beings: [] }),
      [MESSAGES]: (call) =>
        json(call.url.includes("before=")
          ? { hits: [hit("/second", "hello again", [{ start: 0, end: 5 }])], next: null }
          : { hits: [hit("/first", attack, [{ start: attack.indexOf("hello"), end: attack.indexOf("hello") + 5 }])], next: "0.1~1767323040000~/first" }),
    });
    const { input } = await openFinder();
    fireEvent.input(input, { target: { value: "hello" } });
    fireEvent.keyDown(input, { key: "Enter" });
    await screen.findByText("Messages with “hello”");
    expect(server.callsTo(MESSAGES)[0]!.url).toBe("/api/search/intentions?q=hello&limit=20");
    const [first] = screen.getAllByRole("option");
    expect(first).toHaveTextContent(attack);
    expect(first!.querySelector("mark")).toHaveTextContent(/^hello$/);
    expect(first).toHaveTextContent("Studio <b>bold</b> · Ada");
    expect(document.querySelector("img, b")).toBeNull();

    fireEvent.keyDown(input, { key: "ArrowDown" });
    expect(selected()).toHaveTextContent("More results");
    fireEvent.keyDown(input, { key: "Enter" });
    await vi.waitFor(() => expect(screen.getAllByRole("option")[1]).toHaveTextContent("hello again"));
    expect(new URL(server.callsTo(MESSAGES)[1]!.url, location.href).searchParams.get("before")).toBe("0.1~1767323040000~/first");
    expect(screen.getAllByRole("option")).toHaveLength(2);

    fireEvent.keyDown(input, { key: "ArrowUp" });
    fireEvent.keyDown(input, { key: "Enter" });
    expect(location.pathname + location.search).toBe(`/@studio?message=${encodeURIComponent("/first")}`);
    expect(screen.queryByRole("dialog")).toBeNull();
  });
  it("shows a being's profile card on Shift+Enter, and for one in no space the caller can see", async () => {
    HTMLDialogElement.prototype.showModal ??= function (this: HTMLDialogElement) {
      this.setAttribute("open", "");
    };
    HTMLDialogElement.prototype.close ??= function (this: HTMLDialogElement) {
      this.removeAttribute("open");
      this.dispatchEvent(new Event("close"));
    };
    fakeServer({
      [BEINGS]: () => json({ beings: [guest("@stu", { name: "Stu", locationId: "@lobby" }), guest("@hid", { name: "Stuart", locationId: null })] }),
      "GET /api/beings/%40stu": () => json({ being: guest("@stu", { name: "Stu", locationId: "@lobby" }), superuser: false }),
      "GET /api/beings/%40hid": () => json({ being: guest("@hid", { name: "Stuart", locationId: null }), superuser: false }),
    });
    const { input } = await openFinder();
    fireEvent.input(input, { target: { value: "stu" } });
    await screen.findByText("Stu");
    fireEvent.keyDown(input, { key: "Enter", shiftKey: true });
    // Not to the lobby: the card.
    expect(location.pathname).toBe("/@lobby");
    await waitFor(() => expect(document.querySelector("dialog[open]")).toHaveTextContent("Stu"));
    document.querySelector("dialog")!.close();

    fireEvent.keyDown(document, { key: "k", ctrlKey: true });
    const again = await screen.findByRole("combobox");
    fireEvent.input(again, { target: { value: "stu" } });
    await screen.findByText("Stuart");
    fireEvent.keyDown(again, { key: "ArrowDown" });
    fireEvent.keyDown(again, { key: "Enter" });
    await waitFor(() => expect(document.querySelector("dialog[open]")).toHaveTextContent("Stuart"));
    document.querySelector("dialog")!.close();
  });
});
