// The profile card: what it says of a being, its owner and its place, and how it opens and closes.
import "@testing-library/jest-dom/vitest";
import "fake-indexeddb/auto";
import { cleanup, fireEvent, render, screen, waitFor, within } from "@solidjs/testing-library";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { Being, BeingId } from "../../src/shared/entities.ts";
import { BeingLink, PresenceContext } from "../../src/web/profile/being-link.tsx";
import type { Presence } from "../../src/web/profile/open-profile.ts";
import { loadSession } from "../../src/web/session.ts";
import { appCache } from "../../src/web/sync/cache.ts";
import { polyfillModalDialog } from "./support/dialog.ts";
import { apiError, fakeServer, json } from "./support/fake-server.ts";
import { guest, space } from "./support/fixtures.ts";

beforeAll(polyfillModalDialog);

afterEach(async () => {
  document.querySelector("dialog")?.close();
  cleanup();
  await appCache.wipe();
  vi.restoreAllMocks();
});

const ME = guest("@me", { name: "Me", ownerId: "@me" });
const EVIL = "<img src=x onerror=alert(1)>";
const HELPER = guest("@helper", { name: EVIL, type: "bot", ownerId: "@ada", properties: { bot: { model: "llama3.2", prompt: "" } } });

/** Serves `beings` (a hidden one answers 404) with me signed in, then renders a link to `id` with `presence`. */
async function open(id: BeingId, beings: Record<string, { being: Being; superuser?: boolean }>, presence?: Presence) {
  const routes = Object.fromEntries(Object.entries(beings).map(([key, read]) => [`GET /api/beings/${encodeURIComponent(key)}`, () => json({ superuser: false, ...read })]));
  fakeServer({ "GET /api/me": () => json({ being: ME, superuser: false }), ...routes });
  await loadSession({ kept: Promise.resolve(undefined) });
  render(() => (
    <PresenceContext.Provider value={() => presence}>
      <BeingLink id={id}>the name</BeingLink>
    </PresenceContext.Provider>
  ));
  const link = screen.getByRole("button", { name: "the name" });
  link.focus();
  fireEvent.click(link);
  const dialog = await waitFor(() => {
    const shown = document.querySelector("dialog");
    if (!shown) throw new Error("no dialog yet");
    return shown;
  });
  return { link, dialog, card: within(dialog) };
}

describe("the profile card", () => {
  it("shows a bot's name as text, its model, who configured it and where it is", async () => {
    const { dialog, card } = await open("@helper", {
      "@helper": { being: HELPER },
      "@ada": { being: guest("@ada", { name: "Ada" }) },
      "@s": { being: space() },
    });
    expect(await card.findByRole("heading", { name: EVIL })).toBeInTheDocument();
    expect(dialog.querySelector("img")).toBeNull();
    expect(dialog).toHaveAttribute("aria-labelledby", "profile-title");
    expect(await card.findByRole("link", { name: "Studio" })).toHaveAttribute("href", "/@s");
    const facts = [...dialog.querySelectorAll("dt")].map((dt) => `${dt.textContent}: ${dt.nextElementSibling?.textContent}`);
    expect(facts).toEqual(["Model: llama3.2", "Configured by: Ada", "Where: Studio", "Id: @helper"]);
    expect(card.getByText("bot")).toBeInTheDocument();
    expect(card.queryByText("superuser")).toBeNull();
  });

  it("names an owner the viewer may not see as such, and shows the superuser badge and presence", async () => {
    const bot: Being = { ...HELPER, name: "Helper", ownerId: "@hidden" };
    const { card } = await open("@helper", { "@helper": { being: bot, superuser: true }, "@s": { being: space() } }, "away");
    expect(await card.findByText("someone you cannot see")).toBeInTheDocument();
    expect(card.getByText("superuser")).toBeInTheDocument();
    expect(card.getByText("away")).toBeInTheDocument();
  });

  it("offers my own account page on my card; a being with no place says so", async () => {
    const { card } = await open("@me", { "@me": { being: { ...ME, locationId: null } } }, "online");
    expect(await card.findByRole("link", { name: "Your account" })).toHaveAttribute("href", "/account");
    expect(card.getByText("you")).toBeInTheDocument();
    expect(card.getByText("person")).toBeInTheDocument();
    expect(card.getByText("online")).toBeInTheDocument();
    expect(card.getByText("not disclosed")).toBeInTheDocument();
    // A person owns itself: no owner line.
    expect(card.queryByText("Owner")).toBeNull();
  });

  it("says when the being cannot be seen", async () => {
    fakeServer({ "GET /api/beings/%40gone": () => apiError(404, "NOT_FOUND") });
    const { card } = await open("@gone", {});
    expect(await card.findByText(/You cannot see this being/)).toBeInTheDocument();
  });

  it("closes on its button, giving focus back to the name that opened it", async () => {
    const { link, dialog, card } = await open("@me", { "@me": { being: ME } });
    fireEvent.click(await card.findByRole("button", { name: "Close" }));
    expect(dialog.isConnected).toBe(false);
    expect(document.activeElement).toBe(link);
  });
});
