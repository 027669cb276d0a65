// GET /api/search/intentions: words found, ranked, paged, the match marked as ranges of plain text, and only in
// spaces the caller may read (as the disclosure rule: a private space's messages, its id and its name never show
// to someone who may not read it, including a member removed since).
import { describe, expect, it } from "vitest";
import type { IntentionHit } from "../../src/shared/responses.ts";
import { Client, guest, space, superuser } from "./client.ts";

/** A word no other test writes (letters only, so the parser keeps it one word). */
const unique = () => `w${Array.from(crypto.getRandomValues(new Uint8Array(10)), (b) => String.fromCharCode(97 + (b % 26))).join("")}`;

const say = async (who: Client, where: string, content: unknown) => {
  const reply = await who.request("POST", `/api/spaces/${where}/intentions`, { content });
  expect(reply.status).toBe(201);
  return reply.body.intention.id as string;
};

const search = async (who: Client, q: string, extra = ""): Promise<{ hits: IntentionHit[]; next: string | null }> => {
  const reply = await who.request("GET", `/api/search/intentions?q=${encodeURIComponent(q)}${extra}`);
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  return reply.body;
};

const marked = (hit: IntentionHit) => hit.snippet.marks.map(({ start, end }) => hit.snippet.text.slice(start, end));

describe("message search", () => {
  it("finds a word in any case, with its space, author, time and the match as ranges of plain text", async () => {
    const ada = await guest("Ada");
    const room = await space(ada);
    const word = unique();
    const id = await say(ada, room.id, `The quick brown ${word.toUpperCase()} jumps over the lazy dog`);
    const { hits, next } = await search(ada, word);
    expect(next).toBeNull();
    expect(hits).toHaveLength(1);
    const [hit] = hits as [IntentionHit];
    expect(hit).toMatchObject({ id, space: { id: room.id, name: room.name }, author: { id: ada.id, name: "Ada" } });
    expect(Date.parse(hit.at as unknown as string)).toBeGreaterThan(Date.now() - 60_000);
    expect(hit.snippet.text).toContain("The quick brown");
    expect(marked(hit)).toEqual([word.toUpperCase()]);
  });

  it("reads structured content by its text, not its node types, and takes phrases and -words", async () => {
    const ada = await guest("Ada");
    const room = await space(ada);
    const [word, type] = [unique(), unique()];
    const id = await say(ada, room.id, [{ type, content: ["first ", { type, content: [`${word} here`] }] }]);
    await say(ada, room.id, `${word} alone`);
    expect((await search(ada, type)).hits).toEqual([]);
    expect((await search(ada, `"${word} here"`)).hits.map((h) => h.id)).toEqual([id]);
    expect((await search(ada, `${word} -alone`)).hits.map((h) => h.id)).toEqual([id]);
  });

  it("ranks more matches first, then newer, and pages without repeats", async () => {
    const ada = await guest("Ada");
    const room = await space(ada);
    const word = unique();
    const once = await say(ada, room.id, `${word} and many other words said only once here`);
    const thrice = await say(ada, room.id, `${word} ${word} ${word}`);
    const newer = [];
    for (let n = 0; n < 4; n++) newer.push(await say(ada, room.id, `${word} and many other words said only once here`));
    const all = [thrice, ...newer.reverse(), once];
    expect((await search(ada, word)).hits.map((h) => h.id)).toEqual(all);

    const seen: string[] = [];
    let cursor: string | null = "";
    while (cursor !== null) {
      const page: { hits: IntentionHit[]; next: string | null } = await search(ada, word, `&limit=2${cursor ? `&before=${encodeURIComponent(cursor)}` : ""}`);
      expect(page.hits.length).toBeLessThanOrEqual(2);
      seen.push(...page.hits.map((h) => h.id));
      cursor = page.next;
    }
    expect(seen).toEqual(all);
  });

  it("returns what people wrote as plain text: markup and marker characters cannot fake a match", async () => {
    const ada = await guest("Ada");
    const room = await space(ada);
    const word = unique();
    const attack = `<img src=x onerror=alert(1)> \uE000fake\uE001 ${word} <script>alert(2)</script>`;
    await say(ada, room.id, attack);
    const [hit] = (await search(ada, word)).hits as [IntentionHit];
    // Fragments of the text as written (minus the marker characters), never rewritten into markup or entities.
    const written = attack.replace(/[\uE000\uE001]/g, "");
    for (const fragment of hit.snippet.text.split(" … ")) expect(written).toContain(fragment);
    expect(hit.snippet.text).toContain("onerror=alert(1)>");
    expect(hit.snippet.text).not.toMatch(/[\uE000\uE001]|&lt;/);
    expect(marked(hit)).toEqual([word]);
  });

  it("answers 401 to anonymous callers and 400 to bad parameters", async () => {
    expect((await new Client().request("GET", "/api/search/intentions?q=hello")).status).toBe(401);
    const ada = await guest("Ada");
    const bad = ["", "q=", "q=%20", `q=${"x".repeat(201)}`, "q=a&limit=0", "q=a&limit=51", "q=a&before=nonsense",
      "q=a&before=1~2~notanid", "q=a&before=1..1~2~%2Fabc", "q=a&other=1"];
    for (const query of bad) {
      const reply = await ada.request("GET", `/api/search/intentions?${query}`);
      expect(reply.status, query).toBe(400);
      expect(reply.body.error.code).toBe("VALIDATION");
    }
    // Words the parser drops entirely find nothing, without an error.
    expect((await search(ada, "&&& !!!")).hits).toEqual([]);
  });
});

describe("what message search may disclose", () => {
  it("a private space's messages show to its readers only, and no longer to a removed member", async () => {
    const [ada, bob, eve, root] = [await guest("Ada"), await guest("Bob"), await guest("Eve"), await superuser()];
    const word = unique();
    const secret = await space(ada, { private: true, members: [bob.id] });
    await ada.request("PATCH", `/api/beings/${secret.id}`, { name: `Secret ${word}` });
    const lobby = await space(ada);
    const hidden = await say(ada, secret.id, `${word} in the secret`);
    const open = await say(ada, lobby.id, `${word} in the lobby`);

    for (const reader of [ada, bob, root]) expect((await search(reader, word)).hits.map((h) => h.id).sort()).toEqual([hidden, open].sort());
    const outsider = await search(eve, word);
    expect(outsider.hits.map((h) => h.id)).toEqual([open]);
    expect(JSON.stringify(outsider)).not.toContain(secret.id);
    expect(JSON.stringify(outsider)).not.toContain("Secret");

    expect((await ada.request("PATCH", `/api/beings/${secret.id}`, { properties: { private: true, members: [] } })).status).toBe(200);
    const removed = await search(bob, word);
    expect(removed.hits.map((h) => h.id)).toEqual([open]);
    expect(JSON.stringify(removed)).not.toContain(secret.id);
  });

  it("a public space's message whose author is now in a private space names the author only to those who may see it", async () => {
    const [ada, eve] = [await guest("Ada"), await guest("Eve")];
    const word = unique();
    const lobby = await space(ada);
    await say(ada, lobby.id, `${word} from the lobby`);
    const secret = await space(ada, { private: true });
    expect((await ada.request("POST", `/api/spaces/${secret.id}/enter`)).status).toBe(200);
    const [seen] = (await search(eve, word)).hits as [IntentionHit];
    expect(seen.author).toEqual({ id: ada.id, name: null });
    expect(JSON.stringify(seen)).not.toContain(secret.id);
    expect(((await search(ada, word)).hits[0] as IntentionHit).author.name).toBe("Ada");
  });
});
