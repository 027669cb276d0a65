import "@testing-library/jest-dom/vitest";
import { cleanup, fireEvent, render, screen, within } from "@solidjs/testing-library";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { DeviceSession, PasskeyInfo } from "../../src/shared/responses.ts";
import { AccountPage } from "../../src/web/pages/account-page.tsx";
import { SignInPage } from "../../src/web/pages/sign-in-page.tsx";
import { apiError, fakeServer, json } from "./support/fake-server.ts";
import { guest } from "./support/fixtures.ts";

const ADA = guest("@ada-1", { name: "Ada" });
const device = (id: string, current: boolean, label = "Chrome on Linux"): DeviceSession => ({
  id,
  label,
  current,
  createdAt: new Date("2026-11-30T10:00:00Z"),
  lastUsedAt: new Date("2026-11-30T11:00:00Z"),
});
const passkey = (id: string): PasskeyInfo => ({ id, label: "Chrome on Linux", createdAt: new Date("2026-11-30T10:00:00Z"), lastUsedAt: null });

beforeEach(() => {
  history.replaceState(null, "", "/");
});

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe("the sign-in page", () => {
  it("offers each configured provider, and says why a provider sign-in came back refused", async () => {
    history.replaceState(null, "", "/?signin_error=denied");
    fakeServer({ "GET /api/auth/providers": () => json({ providers: [{ id: "google", name: "Google" }] }) });
    render(() => <SignInPage />);
    await screen.findByRole("button", { name: "Sign in with Google" });
    expect(screen.getByRole("alert")).toHaveTextContent("The sign-in provider refused");
    // The message is shown once: a reload does not repeat it.
    expect(location.search).toBe("");
  });

  it("shows no provider button when none is configured", async () => {
    const server = fakeServer({ "GET /api/auth/providers": () => json({ providers: [] }) });
    render(() => <SignInPage />);
    await vi.waitFor(() => expect(server.callsTo("GET /api/auth/providers")).toHaveLength(1));
    expect(screen.getByRole("button", { name: "Sign in with a passkey" })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /^Sign in with (?!a passkey)/ })).toBeNull();
  });

  it("says plainly when the browser has no passkeys, and asks the server nothing", async () => {
    vi.stubGlobal("PublicKeyCredential", undefined);
    const server = fakeServer({ "GET /api/auth/providers": () => json({ providers: [] }) });
    render(() => <SignInPage />);
    fireEvent.click(screen.getByRole("button", { name: "Sign in with a passkey" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("This browser cannot use passkeys");
    expect(server.callsTo("POST /api/auth/passkeys")).toEqual([]);
  });
});

describe("the account page", () => {
  function open(routes: Parameters<typeof fakeServer>[0] = {}) {
    const server = fakeServer({
      "GET /api/auth/providers": () => json({ providers: [{ id: "github", name: "GitHub" }] }),
      "GET /api/auth/passkeys": () => json({ passkeys: [] }),
      "GET /api/auth/identities": () => json({ identities: [] }),
      "GET /api/auth/sessions": () => json({ sessions: [device("s-1", true), device("s-2", false, "Safari on iOS")] }),
      ...routes,
    });
    render(() => <AccountPage me={ADA} />);
    return server;
  }

  it("asks a guest with no way in to save this identity, with a passkey or a provider", async () => {
    vi.stubGlobal("PublicKeyCredential", function PublicKeyCredential() {});
    const server = open({ "POST /api/auth/oidc/github/start": () => json({ url: "https://github.com/login/oauth/authorize?x" }) });
    await screen.findByRole("heading", { name: "Save this identity" });
    expect(screen.getByRole("note")).toHaveTextContent("if this browser forgets you, so does Spaces");
    expect(screen.getByRole("button", { name: "Create a passkey" })).toBeEnabled();
    const assign = vi.fn();
    vi.stubGlobal("location", { ...location, href: location.href, assign });
    fireEvent.click(await screen.findByRole("button", { name: "Link GitHub" }));
    await vi.waitFor(() => expect(assign).toHaveBeenCalledWith("https://github.com/login/oauth/authorize?x"));
    expect(server.callsTo("POST /api/auth/oidc/github/start")[0]!.body).toEqual({ attach: true });
  });

  it("shows the server's refusal to remove the last way in", async () => {
    open({
      "GET /api/auth/passkeys": () => json({ passkeys: [passkey("k-1")] }),
      "DELETE /api/auth/passkeys/k-1": () => apiError(409, "CONFLICT", "at least one way in must remain: add another passkey or sign-in provider first"),
    });
    await screen.findByRole("heading", { name: "Add a way back in" });
    fireEvent.click(await screen.findByRole("button", { name: "Remove" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("at least one way in must remain");
    expect(screen.getByRole("button", { name: "Remove" })).toBeInTheDocument();
  });

  it("lists the devices, marks this one, and signs another out", async () => {
    let sessions = [device("s-1", true), device("s-2", false, "Safari on iOS")];
    const server = open({
      "GET /api/auth/sessions": () => json({ sessions }),
      "DELETE /api/auth/sessions/s-2": () => {
        sessions = sessions.filter((s) => s.id !== "s-2");
        return new Response(null, { status: 204 });
      },
    });
    const list = within(screen.getByRole("heading", { name: "Signed-in devices" }).parentElement!);
    const phone = (await list.findByText("Safari on iOS")).closest("li")!;
    expect(list.getByText("this device")).toBeInTheDocument();
    fireEvent.click(within(phone).getByRole("button", { name: "Sign out" }));
    await vi.waitFor(() => expect(list.queryByText("Safari on iOS")).toBeNull());
    expect(server.callsTo("DELETE /api/auth/sessions/s-2")).toHaveLength(1);
  });
});
