import { env } from "cloudflare:test";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { app } from "../../src/worker/app.ts";
import { Client, db, guest, ORIGIN, superuser } from "./client.ts";

describe("guest sign-in", () => {
  it("creates a guest being that owns itself and sets a hardened session cookie", async () => {
    const client = new Client();
    const reply = await client.request("POST", "/api/auth/guest", { name: "  Ada Lovelace " });
    expect(reply.status).toBe(201);
    expect(reply.body.being).toMatchObject({ name: "Ada Lovelace", type: "guest", locationId: null });
    expect(reply.body.being.id).toMatch(/^@ada-lovelace-[a-z0-9]{6}$/);
    expect(reply.body.being.ownerId).toBe(reply.body.being.id);
    const cookie = reply.headers.get("Set-Cookie")!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Secure/);
    const [row] = await db(sql`SELECT type FROM beings WHERE id = ${reply.body.being.id}`);
    expect(row).toEqual({ type: "guest" });
  });

  it("omits Secure only for plain-http local development", async () => {
    const response = await app.request("http://localhost:8787/api/auth/guest", {
      method: "POST",
      headers: { Origin: "http://localhost:8787", "Content-Type": "application/json" },
      body: JSON.stringify({ name: "Local" }),
    }, env);
    expect(response.status).toBe(201);
    expect(response.headers.get("Set-Cookie")).not.toMatch(/Secure/);
  });

  it.each([
    [{ name: "" }, "name"],
    [{ name: "   " }, "name"],
    [{ name: "x".repeat(65) }, "name"],
    [{}, "name"],
    [{ name: 42 }, "name"],
    [{ name: "Ada", ownerId: "@root" }, ""],
  ])("refuses %j with VALIDATION", async (body, path) => {
    const before = await db(sql`SELECT count(*)::int AS n FROM beings`);
    const reply = await new Client().request("POST", "/api/auth/guest", body);
    expect(reply.status).toBe(400);
    expect(reply.body.error.code).toBe("VALIDATION");
    expect(reply.body.error.message).toContain(path);
    expect(await db(sql`SELECT count(*)::int AS n FROM beings`)).toEqual(before);
  });

  it("can be switched off by configuration", async () => {
    const response = await app.request(`${ORIGIN}/api/auth/guest`, {
      method: "POST",
      headers: { Origin: ORIGIN, "Content-Type": "application/json" },
      body: JSON.stringify({ name: "Nobody" }),
    }, { ...env, GUEST_SIGNIN: "off" });
    expect(response.status).toBe(403);
    expect((await response.json<any>()).error.code).toBe("FORBIDDEN");
  });
});

describe("session", () => {
  it("GET /api/me answers the signed-in being, whether it is a superuser, and 401 without a session", async () => {
    const ada = await guest("Ada");
    expect((await ada.request("GET", "/api/me")).body).toMatchObject({ being: { id: ada.id }, superuser: false });
    expect((await (await superuser()).request("GET", "/api/me")).body.superuser).toBe(true);
    const anonymous = await new Client().request("GET", "/api/me");
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe("UNAUTHENTICATED");
  });

  it("sign-out ends the session: the old cookie stops working", async () => {
    const ada = await guest("Ada");
    const stolen = ada.cookie;
    const reply = await ada.request("POST", "/api/auth/signout");
    expect(reply.status).toBe(204);
    expect(reply.headers.get("Set-Cookie")).toMatch(/session=;/);
    const replay = new Client();
    replay.cookie = stolen;
    expect((await replay.request("GET", "/api/me")).status).toBe(401);
  });

  it("a forged or tampered cookie is anonymous", async () => {
    const ada = await guest("Ada");
    const forged = new Client();
    forged.cookie = ada.cookie!.replace(/.(?=;|$)/, (ch) => (ch === "A" ? "B" : "A"));
    expect((await forged.request("GET", "/api/me")).status).toBe(401);
    forged.cookie = "session=anything.c2lnbmF0dXJl";
    expect((await forged.request("GET", "/api/me")).status).toBe(401);
  });
});
