// "Install app": shown where the browser offers installation, gone once taken, installed or standalone.
import "@testing-library/jest-dom/vitest";
import { cleanup, fireEvent, render, screen } from "@solidjs/testing-library";
import { afterEach, expect, it, vi } from "vitest";
import { installable } from "../../src/web/install.ts";
import { SpaceHeader } from "../../src/web/pages/space/header.tsx";
import type { SpaceSync } from "../../src/web/sync/store.ts";
import { guest, SPACE } from "./support/fixtures.ts";

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

/** What Chromium fires when the app may be installed, with its prompt() watched. */
function offerInstall() {
  const event = Object.assign(new Event("beforeinstallprompt", { cancelable: true }), { prompt: vi.fn(async () => ({ outcome: "accepted" })) });
  dispatchEvent(event);
  return event;
}

const sync = { status: () => "ready", connection: () => "connected", view: null } as unknown as SpaceSync;
const header = () =>
  render(() => <SpaceHeader spaceId={SPACE} spaceName="Studio" sync={sync} me={guest("@me")} hereCount={1} peopleOpen={false} onTogglePeople={() => undefined} />);
const installButton = () => screen.queryByRole("button", { name: "Install app" });

it("shows Install app once the browser offers it, and one click shows the browser's prompt", async () => {
  header();
  expect(installButton()).toBeNull();
  const offer = offerInstall();
  // The browser's own mini-infobar gives way to the button.
  expect(offer.defaultPrevented).toBe(true);
  fireEvent.click(installButton()!);
  expect(offer.prompt).toHaveBeenCalledOnce();
  // An offer is taken once.
  expect(installButton()).toBeNull();
});

it("hides the button once the app is installed", () => {
  header();
  offerInstall();
  expect(installButton()).toBeInTheDocument();
  dispatchEvent(new Event("appinstalled"));
  expect(installButton()).toBeNull();
});

it("offers nothing in the installed app itself (display-mode standalone)", () => {
  vi.stubGlobal("matchMedia", (query: string) => ({ matches: query === "(display-mode: standalone)" }));
  header();
  offerInstall();
  expect(installable()).toBe(false);
  expect(installButton()).toBeNull();
  dispatchEvent(new Event("appinstalled"));
});
