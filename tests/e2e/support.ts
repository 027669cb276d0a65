/**
 * End-to-end helpers: Debian's Chromium through playwright-core, and "people": one browser context
 * each, signed in through the app's own sign-in page, with a log of the /api requests their page made.
 * Selectors go by role and label where the app gives one (data-testid="message" marks a message row).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, inject } from "vitest";
import type { BeingId } from "../../src/shared/entities.ts";
import { StackClient } from "../integration/http.ts";

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

/**
 * Chromium's offline emulation (context.setOffline) stops HTTP and WebSocket traffic but not WebRTC:
 * a "disconnected" page goes on receiving LiveKit data packets. On a real network loss nothing
 * arrives, so this init script drops every data-channel message while `__e2eOffline` is set: a packet
 * sent meanwhile is lost for good and the app has to catch up over HTTP once it is back online.
 */
const DROP_DATA_WHILE_OFFLINE = () => {
  const proto = RTCDataChannel.prototype;
  const offline = () => (globalThis as { __e2eOffline?: boolean }).__e2eOffline === true;
  const gate = (handler: (event: MessageEvent) => unknown) =>
    function (this: RTCDataChannel, event: MessageEvent) {
      if (!offline()) return handler.call(this, event);
    };
  const property = Object.getOwnPropertyDescriptor(proto, "onmessage")!;
  const handlers = new WeakMap<RTCDataChannel, unknown>();
  Object.defineProperty(proto, "onmessage", {
    configurable: true,
    enumerable: property.enumerable,
    get(this: RTCDataChannel) {
      return handlers.get(this) ?? null;
    },
    set(this: RTCDataChannel, handler: unknown) {
      handlers.set(this, handler);
      property.set!.call(this, typeof handler === "function" ? gate(handler as (event: MessageEvent) => unknown) : handler);
    },
  });
  const listen = proto.addEventListener;
  const gated = new WeakMap<object, EventListener>();
  proto.addEventListener = function (this: RTCDataChannel, type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions) {
    if (type !== "message" || typeof listener !== "function") return listen.call(this, type, listener, options);
    if (!gated.has(listener)) gated.set(listener, gate(listener as (event: MessageEvent) => unknown) as EventListener);
    return listen.call(this, type, gated.get(listener)!, options);
  } as typeof proto.addEventListener;
  const unlisten = proto.removeEventListener;
  proto.removeEventListener = function (this: RTCDataChannel, type: string, listener: EventListenerOrEventListenerObject, options?: boolean | EventListenerOptions) {
    return unlisten.call(this, type, gated.get(listener) ?? listener, options);
  } as typeof proto.removeEventListener;
};

/** Records every text the connection indicator shows, in order, in `__e2eStatuses` (for `statuses`). */
const RECORD_STATUSES = () => {
  const seen: string[] = ((globalThis as { __e2eStatuses?: string[] }).__e2eStatuses = []);
  const look = () => {
    const text = document.querySelector("header [role=status]")?.textContent?.trim();
    if (text && text !== seen[seen.length - 1]) seen.push(text);
  };
  addEventListener("DOMContentLoaded", () => {
    new MutationObserver(look).observe(document.body, { subtree: true, childList: true, characterData: true });
    look();
  });
};

/** What the connection indicator has said since the page loaded, in order (repeats folded). */
export function statuses(page: Page): Promise<string[]> {
  return page.evaluate(() => (globalThis as { __e2eStatuses?: string[] }).__e2eStatuses ?? []);
}

/**
 * Two seconds of a steady 440 Hz tone (16-bit mono WAV), which Chromium's fake microphone loops.
 * Its own beep lasts 20 ms a second: too short for LiveKit's speaker detection, which wants sound
 * in a good part of each half second, as speech has.
 */
function toneFile(): string {
  const rate = 48_000;
  const samples = rate * 2;
  const wav = Buffer.alloc(44 + samples * 2);
  wav.write("RIFF", 0);
  wav.writeUInt32LE(36 + samples * 2, 4);
  wav.write("WAVEfmt ", 8);
  wav.writeUInt32LE(16, 16);
  wav.writeUInt16LE(1, 20); // PCM
  wav.writeUInt16LE(1, 22); // mono
  wav.writeUInt32LE(rate, 24);
  wav.writeUInt32LE(rate * 2, 28);
  wav.writeUInt16LE(2, 32);
  wav.writeUInt16LE(16, 34);
  wav.write("data", 36);
  wav.writeUInt32LE(samples * 2, 40);
  for (let i = 0; i < samples; i++) wav.writeInt16LE(Math.round(12_000 * Math.sin((2 * Math.PI * 440 * i) / rate)), 44 + i * 2);
  const dir = join(tmpdir(), "spaces-e2e");
  mkdirSync(dir, { recursive: true });
  const path = join(dir, "tone.wav");
  writeFileSync(path, wav);
  return path;
}

/**
 * Chromium's stand-ins for a camera, a microphone (playing the tone above) and a screen, with every
 * permission prompt answered yes, and sound allowed to play without a click.
 */
export function fakeMediaArgs(): string[] {
  return [
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    `--use-file-for-fake-audio-capture=${toneFile()}`,
    "--auto-select-desktop-capture-source=Entire screen",
    "--autoplay-policy=no-user-gesture-required",
  ];
}

/** Debian's Chromium (never a downloaded one). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Starts Debian's Chromium, with `extraArgs` after ours. */
export function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, ...extraArgs], timeout: 30_000 });
}

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

/** One request the page made to the app's API. */
export interface ApiRequest {
  at: number;
  method: string;
  path: string;
}

export interface Person {
  name: string;
  id: BeingId;
  context: BrowserContext;
  page: Page;
  /** Every /api request the page has made, in the order it made them. */
  readonly requests: ApiRequest[];
  /** /api requests still waiting for their answer. */
  inFlight(): number;
  /** Console errors and uncaught exceptions of the page (for failure messages). */
  readonly errors: string[];
  /**
   * Takes the person's network away (or gives it back): HTTP and WebSocket through Chromium's offline
   * emulation, and the LiveKit data channel through DROP_DATA_WHILE_OFFLINE, which that emulation misses.
   */
  setOnline(online: boolean): Promise<void>;
  /** Opens a space by its address (a full page load, as when following a shared link). */
  visit(spaceId: BeingId, spaceName?: string): Promise<void>;
  close(): Promise<void>;
}

export interface PersonOptions {
  /** The space to open after signing in; by default the person stays where sign-in lands: @intraliminal. */
  space?: BeingId;
  /** Its name, to wait for its heading (defaults to the lobby's). */
  spaceName?: string;
  viewport?: { width: number; height: number };
  /** A phone: touch, no hover (the app shows message actions without hovering), a dense screen. */
  mobile?: boolean;
}

/**
 * Opens a browser context, signs in as a guest by typing `name` on the sign-in page, and waits until
 * the person is in the lobby or in `options.space` with its conversation on screen.
 */
export async function person(browser: Browser, baseUrl: string, name: string, options: PersonOptions = {}): Promise<Person> {
  const context = await browser.newContext({
    baseURL: baseUrl,
    viewport: options.viewport ?? (options.mobile ? PHONE : DESKTOP),
    ...(options.mobile ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
  });
  context.setDefaultTimeout(20_000);
  await context.addInitScript(DROP_DATA_WHILE_OFFLINE);
  await context.addInitScript(RECORD_STATUSES);
  const page = await context.newPage();
  const requests: ApiRequest[] = [];
  const pending = new Set<unknown>();
  const errors: string[] = [];
  page.on("request", (request) => {
    const url = new URL(request.url());
    if (!url.pathname.startsWith("/api/")) return;
    requests.push({ at: Date.now(), method: request.method(), path: url.pathname + url.search });
    pending.add(request);
  });
  page.on("requestfinished", (request) => pending.delete(request));
  page.on("requestfailed", (request) => pending.delete(request));
  page.on("console", (message) => message.type() === "error" && errors.push(message.text()));
  page.on("pageerror", (error) => errors.push(String(error)));

  await page.goto("/");
  await page.getByLabel("Your name").fill(name);
  const signedIn = page.waitForResponse((r) => r.url().endsWith("/api/auth/guest") && r.request().method() === "POST");
  await page.getByRole("button", { name: "Enter as a guest" }).click();
  const reply = await signedIn;
  if (reply.status() !== 201) throw new Error(`${name} could not sign in: ${reply.status()} ${await reply.text()}`);
  const id = ((await reply.json()) as { being: { id: BeingId } }).being.id;
  await inSpace(page, "Intraliminal");

  const self: Person = {
    name,
    id,
    context,
    page,
    requests,
    inFlight: () => pending.size,
    errors,
    async setOnline(online) {
      // Going offline: drop packets first, then cut HTTP; coming back: in the opposite order.
      if (!online) await page.evaluate(() => ((globalThis as { __e2eOffline?: boolean }).__e2eOffline = true));
      await context.setOffline(!online);
      if (online) await page.evaluate(() => ((globalThis as { __e2eOffline?: boolean }).__e2eOffline = false));
    },
    async visit(spaceId, spaceName) {
      await page.goto(`/${spaceId}`);
      if (spaceName) await inSpace(page, spaceName);
    },
    close: () => context.close(),
  };
  if (options.space) await self.visit(options.space, options.spaceName ?? "");
  return self;
}

/** Waits until the page shows the space called `name`: its heading, its conversation and its message box. */
export async function inSpace(page: Page, name: string): Promise<void> {
  if (name) await page.getByRole("heading", { level: 1, name, exact: true }).waitFor();
  await page.getByRole("log", { name: "Conversation" }).waitFor();
  await page.getByRole("textbox", name ? { name: `Message ${name}`, exact: true } : { name: /^Message / }).waitFor();
}

/** The conversation's rows (confirmed and pending), top to bottom. */
export function messages(page: Page): Locator {
  return page.getByRole("log", { name: "Conversation" }).getByTestId("message");
}

/** The one row whose text contains `text`. */
export function message(page: Page, text: string): Locator {
  return messages(page).filter({ hasText: text });
}

/** The text of each row's body, top to bottom (what a reader sees, without author, time or actions). */
export function bodies(page: Page): Promise<string[]> {
  return messages(page).evaluateAll((rows) => rows.map((row) => (row.querySelector(".message-body") as HTMLElement | null)?.innerText.trim() ?? ""));
}

/** Types a message into the space's message box and presses Enter, as a person does. */
export async function say(page: Page, text: string): Promise<void> {
  const box = page.getByRole("textbox", { name: /^Message / });
  await box.fill(text);
  await box.press("Enter");
}

/** Edits my message holding `text` into `next` through its Edit button, as a person does. */
export async function editMessage(page: Page, text: string, next: string): Promise<void> {
  const row = message(page, text);
  await row.hover();
  await row.getByRole("button", { name: "Edit message" }).click();
  const editor = page.getByRole("textbox", { name: "Edit message" });
  await editor.fill(next);
  await editor.press("Enter");
}

/** Deletes my message holding `text` through its Delete button and the confirmation. */
export async function deleteMessage(page: Page, text: string): Promise<void> {
  const row = message(page, text);
  await row.hover();
  await row.getByRole("button", { name: "Delete message" }).click();
  await row.getByRole("button", { name: "Delete", exact: true }).click();
}

/** The connection indicator's words ("Connected", "Offline", "Live sync off · polling"…). */
export function connection(page: Page): Locator {
  return page.getByRole("banner").getByRole("status");
}

/** Waits for the connection indicator to read `label`. */
export async function connectionIs(page: Page, label: string | RegExp, timeout = 20_000): Promise<void> {
  await connection(page).filter({ hasText: label }).waitFor({ timeout });
}

/** The voice-and-video switch labelled `label` ("Microphone", "Camera", "Share screen"). */
export function switchOf(page: Page, label: string): Locator {
  return page.getByRole("group", { name: "Voice and video" }).getByRole("button", { name: label });
}

/** Resolves once `check` holds, polling; throws with `what` after `timeout`. */
export async function until(what: string, check: () => boolean | Promise<boolean>, timeout = 20_000, step = 50): Promise<void> {
  const deadline = Date.now() + timeout;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, step));
  }
}

/**
 * Waits until the app's service worker is installed and active, i.e. holds the app shell: the page's
 * next load, online or not, goes through it. It installs after the first load, fetching the whole
 * shell (about 800 KB) from wrangler dev, which takes a while on a loaded machine. Not "controls this
 * page": a page still loading when the worker activated is one `clients.claim()` skips (the spec
 * takes only execution-ready clients), and it stays uncontrolled until it loads again.
 */
export async function shellInstalled(page: Page, timeout = 60_000): Promise<void> {
  const state = () =>
    page.evaluate(async () => {
      const registration = await navigator.serviceWorker.getRegistration();
      return { registered: !!registration, installing: registration?.installing?.state, waiting: registration?.waiting?.state, active: registration?.active?.state };
    });
  try {
    await until("the service worker installed and active", async () => (await state()).active === "activated", timeout, 200);
  } catch (error) {
    // Say where the registration stood: not registered, installing, or waiting.
    throw new Error(`${(error as Error).message}: ${JSON.stringify(await state())}`);
  }
}

/** Waits until the person's page has no /api request in flight and has started none for `quietMs`. */
export async function apiSettled(who: Person, quietMs = 500, timeout = 20_000): Promise<void> {
  let count = who.requests.length;
  let since = Date.now();
  await until(`${who.name}'s API requests to settle`, () => {
    if (who.requests.length !== count || who.inFlight() > 0) {
      count = who.requests.length;
      since = Date.now();
      return false;
    }
    return Date.now() - since >= quietMs;
  }, timeout);
}

/** Everyone live: the indicator says Connected and the catch-up that follows a connect has finished. */
export async function live(...who: Person[]): Promise<void> {
  await Promise.all(who.map((p) => connectionIs(p.page, "Connected", 30_000)));
  await Promise.all(who.map((p) => apiSettled(p)));
}

/** A POST of a message (GET on the same path is older history). */
export const isPostOfMessage = (url: URL) => /^\/api\/spaces\/[^/]+\/intentions$/.test(url.pathname);

/** What an e2e file works with: the stack's URL, its browser, a host who makes spaces, and people. */
export interface Scene {
  readonly url: string;
  readonly browser: Browser;
  readonly host: StackClient;
  /** A fresh space made by the host over HTTP; `properties` makes it private. */
  newSpace(name: string, properties?: Record<string, unknown>): Promise<BeingId>;
  /** Signs a person in through the UI and opens `space`; closed after the test. */
  join(name: string, space?: BeingId, spaceName?: string, mobile?: boolean): Promise<Person>;
}

/**
 * Registers the hooks every e2e file needs (one browser and a host for the file, people closed after
 * each test) and returns the scene they set up.
 */
export function useScene(options: { browserArgs?: string[] } = {}): Scene {
  const stack = inject("stack");
  const people: Person[] = [];
  let browser: Browser | undefined;
  let host: StackClient | undefined;
  beforeAll(async () => {
    [browser, host] = await Promise.all([launchBrowser(options.browserArgs), StackClient.guest(stack.url, "Host")]);
  });
  afterEach(async () => {
    const gone = people.splice(0);
    await Promise.all(gone.map((p) => p.close().catch(() => undefined)));
    // The app runs under its own Content-Security-Policy: Chromium reports any violation as a console error.
    const violations = gone.flatMap((p) => p.errors.filter((error) => /Content Security Policy/i.test(error)));
    if (violations.length > 0) throw new Error(`CSP violations:\n${violations.join("\n")}`);
  });
  afterAll(async () => {
    await browser?.close();
  });
  const scene: Scene = {
    url: stack.url,
    get browser() {
      return browser!;
    },
    get host() {
      return host!;
    },
    async newSpace(name, properties) {
      const reply = await scene.host.request("POST", "/api/beings", { name, type: "space", ...(properties ? { properties } : {}) });
      if (reply.status !== 201) throw new Error(`space creation failed: ${reply.status} ${JSON.stringify(reply.body)}`);
      return reply.body.being.id;
    },
    async join(name, space, spaceName, mobile = false) {
      const someone = await person(scene.browser, stack.url, name, { space, spaceName, mobile });
      people.push(someone);
      return someone;
    },
  };
  return scene;
}

// Evaluated through the DevTools protocol: the app's CSP rightly refuses an injected script tag.
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** Serious and critical accessibility violations (axe-core) on the page as it is now, as "rule: target" lines. */
export async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(async () => (globalThis as unknown as { axe: { run(): Promise<any> } }).axe.run());
  return result.violations
    .filter((v: { impact: string }) => v.impact === "serious" || v.impact === "critical")
    .flatMap((v: { id: string; nodes: Array<{ target: string[] }> }) => v.nodes.map((n) => `${v.id}: ${n.target.join(" ")}`));
}
