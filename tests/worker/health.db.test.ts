import { describe, expect, it } from "vitest";
import { Client } from "./client.ts";

describe("GET /api/health", () => {
  it("reports the database and queue usable", async () => {
    const reply = await new Client().request("GET", "/api/health");
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ ok: true, db: "ok", queue: "ok" });
  });
});
