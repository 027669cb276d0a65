// GET /api/search/beings: names found, ranked, and only what the caller may see (as the disclosure rule:
// a private space and what is in it never show to someone who may not read it, nor is it named).
import { describe, expect, it } from "vitest";
import type { Being } from "../../src/shared/entities.ts";
import { Client, guest, space } from "./client.ts";

/** A name fragment no other test uses, so each test searches its own beings in the shared database. */
const unique = () => `q${crypto.randomUUID().slice(0, 8)}`;

const find = async (caller: Client, query: string): Promise<Being[]> => {
  const reply = await caller.request("GET", `/api/search/beings?${query}`);
  expect(reply.status).toBe(200);
  return reply.body.beings;
};

const named = async (owner: Client, name: string, type: "space" | "bot", extra: Record<string, unknown> = {}): Promise<Being> => {
  const reply = await owner.request("POST", "/api/beings", { name, type, ...extra });
  expect(reply.status).toBe(201);
  return reply.body.being;
};

describe("finding beings by name", () => {
  it("ranks the exact name, then names that begin with it, then the rest, any case", async () => {
    const ada = await guest("Ada");
    const tag = unique();
    for (const name of [`Zed ${tag}`, `pine${tag}`, `${tag} pie`, tag.toUpperCase()]) await named(ada, name, "space");
    const found = await find(ada, `q=${tag}`);
    expect(found.map((b) => b.name)).toEqual([tag.toUpperCase(), `${tag} pie`, `pine${tag}`, `Zed ${tag}`]);
  });

  it("filters by type and honours the limit", async () => {
    const ada = await guest("Ada");
    const tag = unique();
    await named(ada, `${tag} room`, "space");
    await named(ada, `${tag} helper`, "bot");
    const person = await guest(`${tag} person`);
    expect((await find(ada, `q=${tag}&type=bot`)).map((b) => b.name)).toEqual([`${tag} helper`]);
    expect((await find(ada, `q=${tag}&type=guest`)).map((b) => b.id)).toEqual([person.id]);
    expect(await find(ada, `q=${tag}&limit=2`)).toHaveLength(2);
    expect(await find(ada, `q=${tag}`)).toHaveLength(3);
  });

  it("takes the text literally: % and _ are not wildcards", async () => {
    const ada = await guest("Ada");
    const tag = unique();
    await named(ada, `${tag} 100%`, "space");
    await named(ada, `${tag} 1000`, "space");
    expect((await find(ada, `q=${encodeURIComponent(`${tag} 100%`)}`)).map((b) => b.name)).toEqual([`${tag} 100%`]);
    expect(await find(ada, `q=${encodeURIComponent(`${tag}_`)}`)).toEqual([]);
  });

  it("answers 401 to anonymous callers and 400 to bad parameters", async () => {
    expect((await new Client().request("GET", "/api/search/beings?q=ada")).status).toBe(401);
    const ada = await guest("Ada");
    for (const query of ["", "q=", "q=%20%20", `q=${"x".repeat(65)}`, "q=a&type=document", "q=a&limit=0", "q=a&limit=51", "q=a&limit=1e1", "q=a&other=1"]) {
      const reply = await ada.request("GET", `/api/search/beings?${query}`);
      expect(reply.status, query).toBe(400);
      expect(reply.body.error.code).toBe("VALIDATION");
    }
  });
});

describe("what a name search may disclose", () => {
  it("a private space shows to its owner and members only, and no longer to a removed member", async () => {
    const [ada, bob, eve] = [await guest("Ada"), await guest("Bob"), await guest("Eve")];
    const tag = unique();
    const secret = await named(ada, `${tag} secret`, "space", { properties: { private: true, members: [bob.id] } });
    await named(ada, `${tag} lobby`, "space");
    expect((await find(ada, `q=${tag}`)).map((b) => b.name)).toEqual([`${tag} lobby`, `${tag} secret`]);
    expect((await find(bob, `q=${tag}`)).map((b) => b.name)).toEqual([`${tag} lobby`, `${tag} secret`]);
    const outsider = JSON.stringify(await find(eve, `q=${tag}`));
    expect(outsider).toContain(`${tag} lobby`);
    expect(outsider).not.toContain(secret.id);
    expect(outsider).not.toContain("secret");

    expect((await ada.request("PATCH", `/api/beings/${secret.id}`, { properties: { private: true, members: [] } })).status).toBe(200);
    expect(JSON.stringify(await find(bob, `q=${tag}`))).not.toContain(secret.id);
  });

  it("beings inside a private space do not show to a non-reader, and a search never names where they are", async () => {
    const [ada, eve] = [await guest("Ada"), await guest("Eve")];
    const tag = unique();
    const secret = await space(ada, { private: true });
    const hidden = await named(ada, `${tag} hidden`, "bot", { locationId: secret.id });
    const nested = await named(ada, `${tag} nested`, "space", { locationId: secret.id });
    const visitor = await guest(`${tag} visitor`);
    // Eve owns a bot and put it there while she was a member; after her removal it still shows to her, unplaced.
    await ada.request("PATCH", `/api/beings/${secret.id}`, { properties: { private: true, members: [eve.id] } });
    const eves = await named(eve, `${tag} eve's bot`, "bot", { locationId: secret.id });
    await ada.request("PATCH", `/api/beings/${secret.id}`, { properties: { private: true, members: [] } });

    const seen = await find(eve, `q=${tag}`);
    expect(seen.map((b) => b.id).sort()).toEqual([eves.id, visitor.id].sort());
    expect(seen.find((b) => b.id === eves.id)!.locationId).toBeNull();
    expect(JSON.stringify(seen)).not.toContain(secret.id);
    // Its owner reads the space: every being shows, placed.
    const owners = await find(ada, `q=${tag}`);
    expect(owners.map((b) => b.id)).toEqual(expect.arrayContaining([hidden.id, nested.id, eves.id]));
    expect(owners.find((b) => b.id === hidden.id)!.locationId).toBe(secret.id);
  });
});
