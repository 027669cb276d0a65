/**
 * Hostile input at every endpoint of the contract: a table of known-nasty requests and
 * property-based ones (fast-check), method × path × body × headers.
 *
 * Every request here is invalid by construction (a bad id, body, query, content type or origin, an
 * oversize body, a target that does not exist, or no session where one is needed), so none may
 * succeed. For each reply: status < 500, the contract's exact error shape with the code its status
 * implies, no stack trace or SQL in the body, and the database exactly as it was.
 *
 * Inputs that are nasty but could legitimately be accepted (emoji names, injection-looking text)
 * live in their own table at the end: there only "no 5xx, right shape, nothing forged" is asserted.
 */
import { SELF } from "cloudflare:test";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { ERROR_STATUS } from "../../src/shared/errors.ts";
import { MAX_BODY_BYTES } from "../../src/shared/limits.ts";
import { Client, databaseFingerprint, ORIGIN } from "./client.ts";

// ---------------------------------------------------------------------------------------------
// Callers and what they own

let addresses = 0;
const subnet = `172.${16 + ((Math.random() * 16) | 0)}`;
/** A fresh client address per anonymous request: anonymous writes are rate-limited per address. */
const nextAddress = () => `${subnet}.${(++addresses >> 8) & 255}.${addresses & 255}`;

interface Own {
  caller: Client;
  /** The caller's own being, a public space it owns, and an intention of its own in that space. */
  being: string;
  space: string;
  intention: string;
  /** A file of its own uploaded to that space (not attached). */
  attachment: string;
}

/** Signed-in callers in turn: each session has its own write budget (120 a minute). */
const POOL_SIZE = 20;
const pool: Own[] = [];
let turn = 0;
const nextOwn = (): Own => pool[turn++ % pool.length]!;

/** A missing being id of valid format. */
const missingBeing = () => `@missing-${crypto.randomUUID()}`;
const missingIntention = () => `/missing-${crypto.randomUUID()}`;
// Hexadecimal digits are Crockford's too.
const missingAttachment = () => `f${crypto.randomUUID().replace(/-/g, "").toUpperCase().slice(0, 26)}`;
/** An id of nothing for the path of an endpoint taking a `param`. */
const missingId = (param: Endpoint["param"]) =>
  param === "intention" ? encodeURIComponent(missingIntention()) : param === "attachment" ? missingAttachment() : missingBeing();

let baseline: string;

beforeAll(async () => {
  for (let i = 0; i < POOL_SIZE; i++) {
    const caller = new Client();
    const signIn = await caller.request("POST", "/api/auth/guest", { name: `Hostile ${i}` }, { "CF-Connecting-IP": nextAddress() });
    if (signIn.status !== 201) throw new Error(`sign-in failed: ${signIn.status} ${JSON.stringify(signIn.body)}`);
    caller.being = signIn.body.being;
    const space = await caller.request("POST", "/api/beings", { name: `Hostile space ${i}`, type: "space" });
    const intention = await caller.request("POST", `/api/spaces/${space.body.being.id}/intentions`, { content: "target" });
    const upload = await SELF.fetch(`${ORIGIN}/api/spaces/${space.body.being.id}/attachments?name=target.txt`, {
      method: "POST",
      headers: { Origin: ORIGIN, Cookie: caller.cookie!, "Content-Type": "text/plain" },
      body: new TextEncoder().encode("target"),
    });
    if (space.status !== 201 || intention.status !== 201 || upload.status !== 201) throw new Error("set-up failed");
    const { attachment } = await upload.json<{ attachment: { id: string } }>();
    pool.push({ caller, being: caller.id, space: space.body.being.id, intention: intention.body.intention.id, attachment: attachment.id });
  }
  baseline = await databaseFingerprint();
}, 30_000);

// ---------------------------------------------------------------------------------------------
// Sending, and what every reply must satisfy

interface Hostile {
  method: string;
  /** Already encoded: sent as written (dot segments included). */
  path: string;
  body?: string | Uint8Array | "stream-oversize";
  /** undefined: application/json when there is a body; null: no Content-Type at all. */
  contentType?: string | null;
  /** undefined: the app's own origin; null: no Origin header. */
  origin?: string | null;
  headers?: Record<string, string>;
  /** Send the caller's session cookie (otherwise anonymous, from a fresh address). */
  signedIn: boolean;
}

interface Answer {
  status: number;
  text: string;
  contentType: string | null;
}

function oversizeStream(): ReadableStream<Uint8Array> {
  const chunk = new TextEncoder().encode("x".repeat(8 * 1024));
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent > MAX_BODY_BYTES + chunk.length) return controller.close();
      controller.enqueue(chunk);
      sent += chunk.length;
    },
  });
}

async function send(request: Hostile, own: Own): Promise<Answer> {
  const headers = new Headers(request.headers);
  if (request.origin !== null) headers.set("Origin", request.origin ?? ORIGIN);
  if (request.signedIn) headers.set("Cookie", own.caller.cookie!);
  else headers.set("CF-Connecting-IP", nextAddress());
  let body: BodyInit | undefined;
  if (request.method === "GET" || request.method === "HEAD") body = undefined; // fetch refuses a body there
  else if (request.body === "stream-oversize") body = oversizeStream();
  else if (typeof request.body === "string") body = new TextEncoder().encode(request.body); // no implicit text/plain
  else body = request.body;
  if (body !== undefined && request.contentType !== null) headers.set("Content-Type", request.contentType ?? "application/json");
  const init: RequestInit & { duplex?: "half" } = { method: request.method, headers, body };
  if (request.body === "stream-oversize") init.duplex = "half";
  const response = await SELF.fetch(`${ORIGIN}${request.path}`, init);
  return { status: response.status, text: await response.text(), contentType: response.headers.get("Content-Type") };
}

const CODE_OF_STATUS: Record<number, string> = Object.fromEntries(Object.entries(ERROR_STATUS).map(([code, status]) => [status, code]));

/** Things only a leak of internals would put in a body (unless the request itself carried them). */
const LEAKS = ["Failed query", "node_modules", "    at ", "RangeError", "TypeError", "ReferenceError", "params:", "WITH viewer", "being_json", "may_read_space", "SQLSTATE", "postgres", ".ts:", ".js:", "\"stack\""];

function describeRequest(request: Hostile): string {
  const body = request.body instanceof Uint8Array ? `<${request.body.length} bytes>` : String(request.body ?? "").slice(0, 300);
  const text = `${request.method} ${request.path.slice(0, 300)} ${request.signedIn ? "(signed in)" : "(anonymous)"} origin=${request.origin} type=${request.contentType} ${JSON.stringify(request.headers ?? {})} ${body}`;
  return text.toWellFormed();
}

/**
 * Status below 500 and among `expected` (any 4xx when "4xx"); the exact error shape with the code
 * its status implies; no internals in the body.
 */
function checkAnswer(request: Hostile, answer: Answer, expected: readonly number[] | "4xx"): void {
  const where = `${describeRequest(request)}\n  → ${answer.status} ${answer.text.slice(0, 500)}`.toWellFormed();
  expect(answer.status, where).toBeLessThan(500);
  if (expected === "4xx") {
    expect(answer.status, where).toBeGreaterThanOrEqual(400);
  } else {
    expect(expected, where).toContain(answer.status);
  }
  if (answer.status >= 400) {
    expect(answer.contentType ?? "", where).toMatch(/^application\/json/);
    let body: any;
    expect(() => (body = JSON.parse(answer.text)), where).not.toThrow();
    expect(Object.keys(body), where).toEqual(["error"]);
    expect(body.error !== null && typeof body.error === "object" && !Array.isArray(body.error), where).toBe(true);
    expect(Object.keys(body.error).filter((key) => !["code", "message", "details"].includes(key)), where).toEqual([]);
    expect(body.error.code, where).toBe(CODE_OF_STATUS[answer.status]);
    expect(typeof body.error.message === "string" && body.error.message.length > 0, where).toBe(true);
  }
  const sent = describeRequest(request);
  for (const leak of LEAKS) {
    if (!sent.includes(leak)) expect(answer.text.includes(leak), `${where}\n  leaks ${JSON.stringify(leak)}`).toBe(false);
  }
}

/** Sends one hostile request as the next caller, checks the answer, and that nothing was written. */
async function hostile(build: (own: Own) => Hostile, expected: readonly number[] | "4xx"): Promise<void> {
  const own = nextOwn();
  const request = build(own);
  const answer = await send(request, own);
  const before = baseline;
  baseline = await databaseFingerprint(); // so that one failure does not fail every later case too
  checkAnswer(request, answer, expected);
  expect(baseline, `the database changed after ${describeRequest(request)} → ${answer.status}`).toBe(before);
}

// ---------------------------------------------------------------------------------------------
// The endpoints, each with a request that would succeed for its caller (to be spoilt one way at a time)

interface Endpoint {
  name: string;
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** The path for an id (already encoded); `own` gives the caller's valid targets. */
  path: (own: Own, id?: string) => string;
  /** Which id the path takes. */
  param?: "being" | "intention" | "attachment";
  /** For JSON endpoints: a valid body for the caller's own target, and the fields the schema knows. */
  json?: { valid: (own: Own) => Record<string, unknown>; fields: readonly string[] };
  /** Needs a session. */
  signedIn: boolean;
}

const ENDPOINTS: Endpoint[] = [
  { name: "sign in", method: "POST", path: () => "/api/auth/guest", json: { valid: () => ({ name: "Valid" }), fields: ["name"] }, signedIn: false },
  { name: "sign out", method: "POST", path: () => "/api/auth/signout", signedIn: false },
  { name: "me", method: "GET", path: () => "/api/me", signedIn: true },
  { name: "health", method: "GET", path: () => "/api/health", signedIn: false },
  { name: "get being", method: "GET", param: "being", path: (own, id = own.being) => `/api/beings/${id}`, signedIn: false },
  {
    name: "create being",
    method: "POST",
    path: () => "/api/beings",
    json: {
      valid: (own) => ({ name: "Valid", type: "document", locationId: own.space }),
      fields: ["id", "name", "type", "locationId", "properties", "content"],
    },
    signedIn: true,
  },
  {
    name: "patch being",
    method: "PATCH",
    param: "being",
    path: (own, id = own.being) => `/api/beings/${id}`,
    json: { valid: () => ({ name: "Valid" }), fields: ["name", "locationId", "properties", "content", "ownerId", "ifVersion"] },
    signedIn: true,
  },
  { name: "delete being", method: "DELETE", param: "being", path: (own, id = own.being) => `/api/beings/${id}`, signedIn: true },
  { name: "get space", method: "GET", param: "being", path: (own, id = own.space) => `/api/spaces/${id}`, signedIn: false },
  { name: "history", method: "GET", param: "being", path: (own, id = own.space) => `/api/spaces/${id}/intentions`, signedIn: false },
  { name: "changes", method: "GET", param: "being", path: (own, id = own.space) => `/api/spaces/${id}/changes?after=0`, signedIn: false },
  { name: "enter", method: "POST", param: "being", path: (own, id = own.space) => `/api/spaces/${id}/enter`, signedIn: true },
  {
    name: "post intention",
    method: "POST",
    param: "being",
    path: (own, id = own.space) => `/api/spaces/${id}/intentions`,
    json: { valid: () => ({ content: "Valid" }), fields: ["id", "content", "attachments"] },
    signedIn: true,
  },
  { name: "token", method: "POST", param: "being", path: (own, id = own.space) => `/api/spaces/${id}/token`, signedIn: true },
  {
    name: "patch intention",
    method: "PATCH",
    param: "intention",
    path: (own, id = encodeURIComponent(own.intention)) => `/api/intentions/${id}`,
    json: { valid: () => ({ state: "active" }), fields: ["content", "state", "ifVersion"] },
    signedIn: true,
  },
  {
    name: "delete intention",
    method: "DELETE",
    param: "intention",
    path: (own, id = encodeURIComponent(own.intention)) => `/api/intentions/${id}`,
    signedIn: true,
  },
  {
    name: "react",
    method: "PUT",
    param: "intention",
    path: (own, id = encodeURIComponent(own.intention)) => `/api/intentions/${id}/reactions/${encodeURIComponent("👍")}`,
    signedIn: true,
  },
  {
    name: "take back a reaction",
    method: "DELETE",
    param: "intention",
    path: (own, id = encodeURIComponent(own.intention)) => `/api/intentions/${id}/reactions/${encodeURIComponent("👍")}`,
    signedIn: true,
  },
  { name: "admin stats", method: "GET", path: () => "/api/admin/stats", signedIn: true },
  { name: "get attachment", method: "GET", param: "attachment", path: (own, id = own.attachment) => `/api/attachments/${id}`, signedIn: true },
  { name: "get attachment preview", method: "GET", param: "attachment", path: (own, id = own.attachment) => `/api/attachments/${id}/preview`, signedIn: true },
  { name: "providers", method: "GET", path: () => "/api/auth/providers", signedIn: false },
  { name: "passkey sign-in options", method: "POST", path: () => "/api/auth/passkeys/signin/options", signedIn: false },
  { name: "passkey registration options", method: "POST", path: () => "/api/auth/passkeys/register/options", signedIn: true },
  { name: "passkeys", method: "GET", path: () => "/api/auth/passkeys", signedIn: true },
  { name: "identities", method: "GET", path: () => "/api/auth/identities", signedIn: true },
  { name: "devices", method: "GET", path: () => "/api/auth/sessions", signedIn: true },
  {
    name: "provider sign-in start",
    method: "POST",
    path: () => "/api/auth/oidc/test/start",
    json: { valid: () => ({ attach: true }), fields: ["attach"] },
    signedIn: true,
  },
];

const MUTATING = ENDPOINTS.filter((e) => e.method !== "GET");
const WITH_PARAM = ENDPOINTS.filter((e) => e.param);
const WITH_JSON = ENDPOINTS.filter((e) => e.json);
/** Endpoints a valid request may legitimately use without a session are excluded where "anonymous" is the defect. */
const SIGNED_IN_WRITES = MUTATING.filter((e) => e.signedIn);

const endpointNamed = (name: string) => ENDPOINTS.find((e) => e.name === name)!;
const json = (value: unknown) => JSON.stringify(value);

// ---------------------------------------------------------------------------------------------
// Invalid values, by construction

const BEING_ID = /^@[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const INTENTION_PARAM = /^\/?[A-Za-z0-9_-]{1,64}$/; // the path also accepts the id without its "/"
const STATES = ["draft", "active", "paused", "complete", "cancelled", "failed"];

const deepNode = (depth: number): unknown => {
  let node: unknown = "leaf";
  for (let i = 1; i < depth; i++) node = { type: "p", content: [node] };
  return node;
};
const deepArray = (depth: number) => "[".repeat(depth) + "]".repeat(depth);

const NASTY_IDS = [
  "",
  "@",
  "@@",
  "@-",
  "@.hidden",
  "@_x",
  "intraliminal",
  "@" + "a".repeat(65),
  "@" + "a".repeat(5000),
  "@a b",
  "@a/b",
  "@a\\b",
  "@a\u0000b",
  "\u0000",
  "@💥",
  "@é",
  "@a\u202eb",
  "@a%00",
  "@a?b=c",
  "@a#frag",
  "@a;b",
  "@a'--",
  "@a' OR '1'='1",
  "@a\"",
  "@a\r\nX-Injected: 1",
  "%",
  "%ZZ",
  "%2",
  "%ff%fe",
  "../../etc/passwd",
  "/",
  "//",
  "/../",
  "/" + "a".repeat(65),
  "/a b",
  "/é",
  "/💥",
  "/a\u0000",
  "...",
  " @intraliminal",
  "@intraliminal ",
  "[object Object]",
  "null",
  "undefined",
];

/** Being-id strings the API must refuse (format), as they would be written before encoding. */
const badBeingIdText = fc
  .oneof(
    fc.constantFrom(...NASTY_IDS),
    fc.string({ unit: "binary", maxLength: 80 }),
    fc.string({ unit: "grapheme", maxLength: 20 }).map((s) => `@${s}`),
    fc.integer({ min: 65, max: 3000 }).map((n) => `@${"a".repeat(n)}`),
  )
  .filter((id) => !BEING_ID.test(id));

/** Intention-id strings the API must refuse (format). */
const badIntentionIdText = fc
  .oneof(
    fc.constantFrom(...NASTY_IDS),
    fc.string({ unit: "binary", maxLength: 80 }),
    fc.string({ unit: "grapheme", maxLength: 20 }).map((s) => `/${s}`),
    fc.integer({ min: 65, max: 3000 }).map((n) => `/${"a".repeat(n)}`),
  )
  .filter((id) => !INTENTION_PARAM.test(id));

/** A path segment for a bad id: percent-encoded, or raw junk that is no valid escape at all. */
const encodeSegment = (text: string) => encodeURIComponent(text.toWellFormed());
const badSegment = (ids: fc.Arbitrary<string>) =>
  fc.oneof(
    { weight: 4, arbitrary: ids.filter((id) => id.isWellFormed() && id !== "").map(encodeSegment) },
    { weight: 1, arbitrary: fc.constantFrom("%", "%ZZ", "%2", "%ff%fe", "%00", "%C0%AE%C0%AE", "%E0%A4%A", "..", ".", "%2e%2e", "%2E.", ".%2e", "..%2F..%2F", "%2F", "%5C") },
  );

const notAString = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
);
const notAStringNorNull = notAString.filter((v) => v !== null);
const whitespace = fc.string({ unit: fc.constantFrom(" ", "\t", "\n", "\r", "\u00a0", "\u2003", "\ufeff", "\u2028"), maxLength: 10 });
const hugeText = (min: number, max: number) => fc.integer({ min, max }).map((n) => "x".repeat(n));

const badName = fc.oneof(notAString, whitespace, hugeText(65, 5_000), fc.integer({ min: 65, max: 300 }).map((n) => "é".repeat(n)));
const badBeingIdValue = fc.oneof(notAStringNorNull, badBeingIdText);
const badType = fc.oneof(notAString, fc.string({ maxLength: 12 }).filter((t) => !["space", "bot", "document"].includes(t)), fc.constantFrom("guest", "Space", "space ", "SPACE"));
const badProperties = fc.oneof(
  fc.constant(null),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
  fc.integer(),
  fc.string({ maxLength: 20 }),
  fc.boolean(),
  hugeText(16 * 1024, 40_000).map((text) => ({ big: text })),
);

/** A content node that is not one: every variant fails the schema on its own. */
const badNode = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 2 }),
  fc.constant({}),
  fc.record({ type: fc.constant("") }),
  fc.record({ type: notAString }),
  fc.record({ type: hugeText(65, 500) }),
  fc.record({ type: fc.constant("p"), extra: fc.jsonValue({ maxDepth: 1 }) }),
  fc.record({ type: fc.constant("p"), props: fc.oneof(fc.constant(null), fc.array(fc.integer(), { maxLength: 2 }), fc.string(), fc.integer()) }),
  fc.record({ type: fc.constant("p"), content: fc.oneof(fc.constant(null), fc.string(), fc.integer(), fc.constant({})) }),
  hugeText(10_001, 20_000),
);
const goodNodes = fc.array(fc.oneof(fc.string({ maxLength: 10 }), fc.constant({ type: "p", content: ["ok"] })), { maxLength: 3 });
const nodesWithABadOne = fc.tuple(goodNodes, badNode, goodNodes).map(([before, bad, after]) => [...before, bad, ...after]);
const tooDeep = fc.integer({ min: 17, max: 3_000 }).map((depth) => [deepNode(depth)]);
const tooMany = fc.integer({ min: 1_001, max: 3_000 }).map((n) => Array.from({ length: n }, () => "a"));

const badBeingContent = fc.oneof(fc.constant(null), fc.string({ maxLength: 10 }), fc.integer(), fc.constant({}), nodesWithABadOne, tooDeep, tooMany);
const badIntentionContent = fc.oneof(
  fc.constantFrom("", [], null, {}, 0, true),
  hugeText(10_001, 60_000),
  nodesWithABadOne,
  tooDeep,
  tooMany,
);
const badState = fc.oneof(notAString, fc.string({ maxLength: 12 }).filter((s) => !STATES.includes(s)), fc.constantFrom("ACTIVE", "active ", "deleted"));
/** ifVersion is a positive whole number within PostgreSQL's integer: anything else is refused before any check of the row. */
const badVersion = fc.oneof(
  fc.constantFrom(0, -1, 1.5, "2", null, true, [1], { version: 1 }, 2 ** 31, Number.MAX_SAFE_INTEGER, 1e308, "1e3"),
  fc.integer({ max: 0 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Number.isInteger(n)),
  fc.integer({ min: 2 ** 31, max: Number.MAX_SAFE_INTEGER }),
);
const badIntentionIdValue = fc.oneof(notAStringNorNull, badIntentionIdText.filter((id) => !/^\/[A-Za-z0-9_-]{1,64}$/.test(id)));

/** For each (endpoint, field): values that field must refuse. */
const BAD_FIELD: Record<string, Record<string, fc.Arbitrary<unknown>>> = {
  "sign in": { name: badName },
  "create being": {
    id: badBeingIdValue,
    name: badName,
    type: badType,
    locationId: badBeingIdValue,
    properties: badProperties,
    content: badBeingContent,
  },
  "patch being": {
    name: badName,
    locationId: badBeingIdValue,
    properties: badProperties,
    content: badBeingContent,
    ownerId: badBeingIdValue,
    ifVersion: badVersion,
  },
  "post intention": {
    id: badIntentionIdValue,
    content: badIntentionContent,
    attachments: fc.oneof(fc.constant(null), fc.integer(), fc.string({ maxLength: 30 }), fc.constant([]), fc.array(fc.string({ maxLength: 30 }), { minLength: 1, maxLength: 3 })),
  },
  "patch intention": { content: badIntentionContent, state: badState, ifVersion: badVersion },
  "provider sign-in start": { attach: fc.oneof(fc.constant(null), fc.integer(), fc.string({ maxLength: 8 }), fc.constant([true])) },
};

const MALFORMED_JSON = [
  "",
  " ",
  "{",
  "}",
  "{'name':'x'}",
  '{"name":"x",}',
  '{"name":"x"}garbage',
  '{"name":"x"}{"name":"y"}',
  "[1,]",
  "nul",
  "undefined",
  "NaN",
  "Infinity",
  '{"name": undefined}',
  '{"name":"\\x41"}',
  '{"name":"\\u12"}',
  '{"name":"unterminated}',
  "\u0000",
  "\ufeff",
  "<xml/>",
  "name=x&type=bot",
  "--boundary\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nx\r\n--boundary--",
  "[".repeat(60_000),
  '{"a":' + "{".repeat(10_000),
];

const malformedJson = fc.oneof(
  fc.constantFrom(...MALFORMED_JSON),
  fc.string({ unit: "binary", maxLength: 60 }).filter((text) => {
    try {
      JSON.parse(text);
      return false;
    } catch {
      return true;
    }
  }),
);
const notAnObject = fc
  .oneof(
    fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }),
    fc.constant(null),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.string({ maxLength: 20 }),
    fc.boolean(),
  )
  .map(json);

/** A JSON body for `endpoint` that fails its schema, whatever the rest of the request. */
function badBodyFor(endpoint: Endpoint): fc.Arbitrary<(own: Own) => string> {
  const { valid, fields } = endpoint.json!;
  const badFields = BAD_FIELD[endpoint.name]!;
  const wrongField = fc
    .constantFrom(...Object.keys(badFields))
    .chain((field) => badFields[field]!.map((value) => (own: Own) => json({ ...valid(own), [field]: value })));
  const unknownKey = fc
    .oneof(fc.string({ maxLength: 16 }), fc.constantFrom("__proto__", "constructor", "prototype", "ownerId", "superuser", "seq", "createdAt", "owner_id", "Name", "name ", "NAME"))
    .filter((key) => !fields.includes(key));
  const extraField = fc
    .tuple(unknownKey, fc.jsonValue({ maxDepth: 2 }))
    .map(([key, value]) => (own: Own) => json({ ...valid(own), [key]: value }));
  const whole = fc.oneof(malformedJson, notAnObject).map((text) => () => text);
  const variants = [wrongField, extraField, whole];
  if (endpoint.method === "PATCH") variants.push(fc.constant(() => "{}"));
  return fc.oneof(...variants);
}

// ---------------------------------------------------------------------------------------------
// Queries

const validCount = (text: string, max: number) => {
  const n = Number(text);
  return Number.isInteger(n) && n >= 1 && n <= max;
};
const validAfter = (text: string) => {
  const n = Number(text);
  return Number.isInteger(n) && n >= 0 && n <= Number.MAX_SAFE_INTEGER;
};
const queryText = fc.oneof(
  fc.constantFrom("0", "-1", "abc", "1.5", "-0.5", "NaN", "Infinity", "-Infinity", "1e400", "9007199254740993", "1,2", "[1]", "true", "null", "%", "💥", "1\u0000"),
  fc.integer({ min: -1_000_000, max: 2_000_000 }).map(String),
  fc.string({ unit: "grapheme", maxLength: 12 }),
);
const encodePairs = (pairs: [string, string][]) => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&");

/** A query for GET /spaces/:id/intentions that must be refused. */
const badHistoryQuery = fc.oneof(
  queryText.filter((v) => !validCount(v, 100)).map((v) => encodePairs([["limit", v]])),
  badIntentionIdText.filter((id) => id.isWellFormed() && !/^\/[A-Za-z0-9_-]{1,64}$/.test(id)).map((id) => encodePairs([["before", id]])),
  fc.constant(() => encodePairs([["before", missingIntention()]])),
  fc.tuple(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 1, max: 100 })).map(([a, b]) => encodePairs([["limit", String(a)], ["limit", String(b)]])),
  fc
    .string({ unit: "grapheme", minLength: 1, maxLength: 10 })
    .filter((key) => !["before", "limit"].includes(key))
    .map((key) => encodePairs([[key, "1"]])),
);

/** A query for GET /spaces/:id/changes that must be refused. */
const badChangesQuery = fc.oneof(
  queryText.filter((v) => !validAfter(v)).map((v) => encodePairs([["after", v]])),
  fc.constantFrom("", "limit=10", "before=0", "After=0"),
  queryText.filter((v) => !validCount(v, 1000)).map((v) => encodePairs([["after", "0"], ["limit", v]])),
  fc.tuple(fc.nat(5), fc.nat(5)).map(([a, b]) => encodePairs([["after", String(a)], ["after", String(b)]])),
  fc
    .string({ unit: "grapheme", minLength: 1, maxLength: 10 })
    .filter((key) => !["after", "limit"].includes(key))
    .map((key) => encodePairs([["after", "0"], [key, "1"]])),
);

// ---------------------------------------------------------------------------------------------
// Origins

const FOREIGN_ORIGINS = [
  "null",
  "https://evil.test",
  "http://spaces.test",
  "https://spaces.test.evil.test",
  "https://evil.spaces.test",
  "https://spaces.test:8443",
  "https://spaces.test/",
  "https://spaces.test/api",
  "HTTPS://SPACES.TEST",
  "https://spaces.test, https://evil.test",
  "https://spaces.tes",
  "file://",
  // Not "": an empty Origin reaches the worker as no Origin at all (no browser sends one).
];
const foreignOrigin = fc.oneof(
  fc.constantFrom(...FOREIGN_ORIGINS),
  fc.webUrl().map((url) => new URL(url).origin),
).filter((origin) => origin !== ORIGIN && origin.trim() === origin);

// ---------------------------------------------------------------------------------------------
// The table of known-nasty requests

interface Case {
  name: string;
  build: (own: Own) => Hostile;
  expect: readonly number[] | "4xx";
}

const signedIn = true;
const anonymous = false;

const CASES: Case[] = [];

// Every JSON endpoint: bodies that are not the object it takes.
for (const endpoint of WITH_JSON) {
  const path = (own: Own) => endpoint.path(own);
  const base = { method: endpoint.method, signedIn };
  for (const body of MALFORMED_JSON) {
    CASES.push({ name: `${endpoint.name}: malformed ${JSON.stringify(body.slice(0, 30))}`, build: (own) => ({ ...base, path: path(own), body }), expect: [400] });
  }
  for (const value of [[], [{}], null, 0, -1, 1.5, "name", true, false, [{ name: "Valid", content: "Valid" }]]) {
    CASES.push({ name: `${endpoint.name}: body ${json(value)?.slice(0, 30)}`, build: (own) => ({ ...base, path: path(own), body: json(value) }), expect: [400] });
  }
  // A valid body with the wrong (or no) content type is refused: nothing guesses JSON.
  for (const contentType of [null, "text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml", "text/json", "json", "application/jsonp", "application/javascript", "", "*/*", "application/vnd.api+json"]) {
    CASES.push({
      name: `${endpoint.name}: valid body as ${contentType}`,
      build: (own) => ({ ...base, path: path(own), body: json(endpoint.json!.valid(own)), contentType }),
      expect: [400],
    });
  }
  CASES.push({
    name: `${endpoint.name}: UTF-16 body`,
    build: (own) => {
      const text = json(endpoint.json!.valid(own));
      const bytes = new Uint8Array(text.length * 2);
      for (let i = 0; i < text.length; i++) bytes[i * 2] = text.charCodeAt(i);
      return { ...base, path: path(own), body: bytes, contentType: "application/json; charset=utf-16le" };
    },
    expect: [400],
  });
  CASES.push({ name: `${endpoint.name}: unknown field`, build: (own) => ({ ...base, path: path(own), body: json({ ...endpoint.json!.valid(own), isAdmin: true }) }), expect: [400] });
  CASES.push({ name: `${endpoint.name}: __proto__ field`, build: (own) => ({ ...base, path: path(own), body: json(endpoint.json!.valid(own)).replace(/^\{/, '{"__proto__":{"superuser":true},') }), expect: [400] });
  CASES.push({ name: `${endpoint.name}: deep nesting`, build: (own) => ({ ...base, path: path(own), body: `{"x":${deepArray(20_000)}}` }), expect: [400] });
  CASES.push({ name: `${endpoint.name}: 64 KiB + 1`, build: (own) => ({ ...base, path: path(own), body: json({ name: "x".repeat(MAX_BODY_BYTES) }) }), expect: [413] });
  CASES.push({ name: `${endpoint.name}: 1 MiB`, build: (own) => ({ ...base, path: path(own), body: "x".repeat(1024 * 1024) }), expect: [413] });
  CASES.push({ name: `${endpoint.name}: oversize, streamed`, build: (own) => ({ ...base, path: path(own), body: "stream-oversize" }), expect: [413] });
}

// Field by field: wrong types and sizes.
const FIELD_CASES: [endpoint: string, body: (own: Own) => unknown, status: number][] = [
  ["sign in", () => ({ name: "" }), 400],
  ["sign in", () => ({ name: "   \t\n" }), 400],
  ["sign in", () => ({ name: "x".repeat(65) }), 400],
  ["sign in", () => ({ name: "😀".repeat(65) }), 400], // 64 is the limit in code points
  ["sign in", () => ({ name: "a\u0000b" }), 400],
  ["sign in", () => ({ name: "\ud800" }), 400],
  ["sign in", () => ({ name: 42 }), 400],
  ["sign in", () => ({ name: ["Ada"] }), 400],
  ["sign in", () => ({ name: { toString: "Ada" } }), 400],
  ["sign in", () => ({}), 400],
  ["create being", () => ({ name: "x", type: "guest" }), 400],
  ["create being", () => ({ name: "x", type: "admin" }), 400],
  ["create being", () => ({ name: "x" }), 400],
  ["create being", () => ({ type: "bot" }), 400],
  ["create being", (own) => ({ name: "x", type: "bot", ownerId: own.being }), 400],
  ["create being", () => ({ name: "x", type: "bot", id: "no-at-sign" }), 400],
  ["create being", () => ({ name: "x", type: "bot", id: "@a/../b" }), 400],
  ["create being", () => ({ name: "x", type: "bot", id: "@a\u0000" }), 400],
  ["create being", () => ({ name: "x", type: "bot", id: `@${"a".repeat(65)}` }), 400],
  ["create being", (own) => ({ name: "x", type: "bot", id: own.being }), 409],
  ["create being", () => ({ name: "x", type: "bot", locationId: "intraliminal" }), 400],
  ["create being", () => ({ name: "x", type: "bot", locationId: missingBeing() }), 404],
  ["create being", (own) => ({ name: "x", type: "bot", locationId: own.being }), 404], // not a space
  ["create being", () => ({ name: "x", type: "bot", properties: [] }), 400],
  ["create being", () => ({ name: "x", type: "bot", properties: "superuser" }), 400],
  ["create being", () => ({ name: "x", type: "bot", properties: { superuser: true } }), 403],
  ["create being", () => ({ name: "x", type: "bot", properties: { big: "x".repeat(17 * 1024) } }), 400],
  ["create being", () => ({ name: "x", type: "bot", properties: { "\u0000": 1 } }), 400],
  ["create being", () => ({ name: "x", type: "bot", content: "text" }), 400],
  ["create being", () => ({ name: "x", type: "bot", content: [deepNode(17)] }), 400],
  ["create being", () => ({ name: "x", type: "bot", content: [deepNode(2_500)] }), 400],
  ["create being", () => ({ name: "x", type: "bot", content: [{ type: "p", onclick: "alert(1)" }] }), 400],
  ["create being", () => ({ name: "x", type: "bot", content: ["\u0000"] }), 400],
  ["create being", () => ({ name: "x", type: "bot", content: [{ type: "p", props: { "x": "\udc00" } }] }), 400],
  ["patch being", () => ({}), 400],
  ["patch being", () => ({ name: null }), 400],
  ["patch being", () => ({ name: "" }), 400],
  ["patch being", () => ({ name: "\u0000" }), 400],
  ["patch being", () => ({ type: "space" }), 400],
  ["patch being", () => ({ id: "@other" }), 400],
  ["patch being", () => ({ createdAt: "1970-01-01T00:00:00Z" }), 400],
  ["patch being", (own) => ({ ownerId: own.being }), 403], // not a superuser
  ["patch being", () => ({ properties: { superuser: true } }), 403],
  ["patch being", () => ({ properties: null }), 400],
  ["patch being", () => ({ content: null }), 400],
  ["patch being", () => ({ content: ["\u0000"] }), 400],
  ["patch being", () => ({ locationId: "nowhere" }), 400],
  ["patch being", () => ({ locationId: missingBeing() }), 404],
  ["patch being", (own) => ({ locationId: own.being }), 400], // inside itself: 400
  ["post intention", () => ({ content: "" }), 400],
  ["post intention", () => ({ content: [] }), 400],
  ["post intention", () => ({ content: "x".repeat(10_001) }), 400],
  ["post intention", () => ({ content: null }), 400],
  ["post intention", () => ({ content: 42 }), 400],
  ["post intention", () => ({ content: { type: "p" } }), 400],
  ["post intention", () => ({ content: "x\u0000y" }), 400],
  ["post intention", () => ({ content: "\ud83d" }), 400],
  ["post intention", () => ({ content: [deepNode(17)] }), 400],
  ["post intention", () => ({ content: [deepNode(2_500)] }), 400],
  ["post intention", () => ({ content: Array.from({ length: 1_001 }, () => "a") }), 400],
  ["post intention", () => ({ content: [{ type: "", content: [] }] }), 400],
  ["post intention", () => ({ content: [{ type: "p", props: [] }] }), 400],
  ["post intention", () => ({ content: "x", id: "no-slash-but-valid?" }), 400],
  ["post intention", () => ({ content: "x", id: "/" }), 400],
  ["post intention", () => ({ content: "x", id: "/a/b" }), 400],
  ["post intention", () => ({ content: "x", id: `/${"a".repeat(65)}` }), 400],
  ["post intention", () => ({ content: "x", id: 123 }), 400],
  ["post intention", () => ({ content: "x", state: "active" }), 400],
  ["post intention", () => ({ content: "x", ownerId: "@someone" }), 400],
  ["post intention", () => ({ content: "x", attachments: [] }), 400],
  ["post intention", (own) => ({ content: "x", attachments: own.attachment }), 400],
  ["post intention", () => ({ content: "", attachments: ["f"] }), 400],
  ["post intention", () => ({ content: "", attachments: [`f${"0".repeat(26)}`] }), 400],
  ["post intention", (own) => ({ content: "x", attachments: [own.attachment, own.attachment] }), 400],
  ["post intention", (own) => ({ content: "x", attachments: Array.from({ length: 11 }, () => own.attachment) }), 400],
  ["patch intention", () => ({}), 400],
  ["patch intention", () => ({ state: "deleted" }), 400],
  ["patch intention", () => ({ state: null }), 400],
  ["patch intention", () => ({ state: ["active"] }), 400],
  ["patch intention", () => ({ content: "" }), 400],
  ["patch intention", () => ({ content: "\u0000" }), 400],
  ["patch intention", () => ({ locationId: "@elsewhere" }), 400],
  ["patch intention", () => ({ ownerId: "@someone" }), 400],
  ["patch intention", () => ({ id: "/other" }), 400],
];
for (const [name, body, status] of FIELD_CASES) {
  const endpoint = endpointNamed(name);
  CASES.push({
    name: `${name}: ${json(body({ being: "@me", space: "@space", intention: "/i", attachment: "f", caller: null! }))?.slice(0, 60)}`,
    build: (own) => ({ method: endpoint.method, path: endpoint.path(own), body: json(body(own)), signedIn: name !== "sign in" }),
    expect: [status],
  });
}

// Every endpoint with an id: ids that are not ids, and ids of nothing.
for (const endpoint of WITH_PARAM) {
  const ids = [
    ...NASTY_IDS.filter((id) => id !== "" && id.isWellFormed()).map(encodeSegment),
    "%",
    "%ZZ",
    "%E0%A4%A",
    "%ff%fe",
    "%00",
    "%C0%AE%C0%AE",
    "..%2F..%2Fme",
    "%2e%2e%2f",
    encodeURIComponent("@" + "a".repeat(10_000)),
  ];
  for (const id of ids) {
    CASES.push({
      name: `${endpoint.name}: id ${id.slice(0, 40)}`,
      build: (own) => ({
        method: endpoint.method,
        path: endpoint.path(own, id),
        body: endpoint.json ? json(endpoint.json.valid(own)) : undefined,
        signedIn,
      }),
      expect: [400, 404],
    });
  }
  for (const segment of ["..", ".", "%2e%2e", ".%2E"]) {
    CASES.push({
      name: `${endpoint.name}: dot segment ${segment}`,
      build: (own) => ({ method: endpoint.method, path: endpoint.path(own, segment), body: endpoint.json ? json(endpoint.json.valid(own)) : undefined, signedIn }),
      expect: [400, 404],
    });
  }
  CASES.push({
    name: `${endpoint.name}: an id of nothing`,
    build: (own) => ({
      method: endpoint.method,
      path: endpoint.path(own, missingId(endpoint.param)),
      body: endpoint.json ? json(endpoint.json.valid(own)) : undefined,
      signedIn,
    }),
    expect: [404],
  });
}

// Queries.
const HISTORY = endpointNamed("history");
const CHANGES = endpointNamed("changes");
for (const query of ["limit=0", "limit=-1", "limit=101", "limit=abc", "limit=1.5", "limit=", "limit=1&limit=2", "limit[]=1", "before=", "before=%2F", "before=nope", "before=%2Fmissing-cursor", `before=${"a".repeat(5_000)}`, "unknown=1", "LIMIT=5"]) {
  CASES.push({ name: `history ?${query.slice(0, 40)}`, build: (own) => ({ method: "GET", path: `${HISTORY.path(own)}?${query}`, signedIn }), expect: [400] });
}
for (const query of ["", "after=-1", "after=abc", "after=1.5", "after=1e400", "after=9007199254740993", "after=0&after=1", "after[]=0", "after=0&limit=0", "after=0&limit=1001", "after=0&limit=x", "after=0&unknown=1", "AFTER=0", `after=${"9".repeat(5_000)}`]) {
  CASES.push({ name: `changes ?${query.slice(0, 40)}`, build: (own) => ({ method: "GET", path: `/api/spaces/${own.space}/changes?${query}`, signedIn }), expect: [400] });
}
CASES.push({ name: "changes past the end of the log", build: (own) => ({ method: "GET", path: `${CHANGES.path(own).split("?")[0]}?after=999999999`, signedIn }), expect: [410] });

// Cross-site requests: every mutating endpoint, with a request that would otherwise succeed.
for (const endpoint of MUTATING) {
  for (const origin of FOREIGN_ORIGINS) {
    CASES.push({
      name: `${endpoint.name}: Origin ${JSON.stringify(origin)}`,
      build: (own) => ({ method: endpoint.method, path: endpoint.path(own), body: endpoint.json ? json(endpoint.json.valid(own)) : undefined, origin, signedIn }),
      expect: [403],
    });
  }
  CASES.push({
    name: `${endpoint.name}: Sec-Fetch-Site cross-site without Origin`,
    build: (own) => ({
      method: endpoint.method,
      path: endpoint.path(own),
      body: endpoint.json ? json(endpoint.json.valid(own)) : undefined,
      origin: null,
      headers: { "Sec-Fetch-Site": "cross-site" },
      signedIn,
    }),
    expect: [403],
  });
  CASES.push({
    name: `${endpoint.name}: oversize body`,
    build: (own) => ({ method: endpoint.method, path: endpoint.path(own), body: "x".repeat(MAX_BODY_BYTES + 1), signedIn }),
    expect: [413],
  });
}

// No session where one is needed: a request that would succeed for the owner.
for (const endpoint of SIGNED_IN_WRITES) {
  CASES.push({
    name: `${endpoint.name}: anonymous`,
    build: (own) => ({ method: endpoint.method, path: endpoint.path(own), body: endpoint.json ? json(endpoint.json.valid(own)) : undefined, signedIn: anonymous }),
    expect: [401],
  });
  CASES.push({
    name: `${endpoint.name}: a junk session cookie`,
    build: (own) => ({
      method: endpoint.method,
      path: endpoint.path(own),
      body: endpoint.json ? json(endpoint.json.valid(own)) : undefined,
      headers: { Cookie: `session=${"A".repeat(4_000)}; session=; other=%00` },
      signedIn: anonymous,
    }),
    expect: [401],
  });
}
CASES.push({ name: "me: anonymous", build: () => ({ method: "GET", path: "/api/me", signedIn: anonymous }), expect: [401] });
CASES.push({ name: "admin stats: not a superuser", build: () => ({ method: "GET", path: "/api/admin/stats", signedIn }), expect: [403] });
CASES.push({ name: "admin stats: anonymous", build: () => ({ method: "GET", path: "/api/admin/stats", signedIn: anonymous }), expect: [401] });

// Routes and methods that do not exist.
for (const [method, path] of [
  ["PUT", "/api/beings/@intraliminal"],
  ["PUT", "/api/spaces/@intraliminal/intentions"],
  ["POST", "/api/beings/@intraliminal"],
  ["DELETE", "/api/spaces/@intraliminal"],
  ["PATCH", "/api/spaces/@intraliminal"],
  ["POST", "/api/health"],
  ["PATCH", "/api/me"],
  ["DELETE", "/api/me"],
  ["OPTIONS", "/api/beings"],
  ["POST", "/api/intentions"],
  ["POST", "/api/auth/guest/extra"],
  ["POST", "/api/auth/../auth/guest/.."],
  ["GET", "/api/beings"],
  ["GET", "/api/intentions/%2Fabc"],
  ["GET", "/api/spaces/@intraliminal/changes/0"],
  ["DELETE", "/api/spaces/@intraliminal/intentions"],
  ["GET", "/api/" + "x/".repeat(2_000)],
] as const) {
  CASES.push({ name: `no route: ${method} ${path.slice(0, 50)}`, build: () => ({ method, path, signedIn }), expect: [404] });
}
// "%2e%2e" is "..": this path resolves to /etc/passwd, outside the API, where the app's own page answers.
CASES.push({
  name: "a path that climbs out of /api: GET /api/%2e%2e/%2e%2e/etc/passwd",
  build: () => ({ method: "GET", path: "/api/%2e%2e/%2e%2e/etc/passwd", signedIn }),
  expect: [200, 404],
});
CASES.push({
  name: "a method override header is not obeyed",
  build: (own) => ({ method: "POST", path: `/api/beings/${own.being}`, headers: { "X-HTTP-Method-Override": "DELETE", "X-Method-Override": "DELETE" }, signedIn }),
  expect: [404],
});

describe("the table of known-nasty requests", () => {
  it("has a case for every endpoint of the contract", () => {
    const covered = new Set(CASES.map((c) => c.name.split(":")[0]));
    for (const endpoint of ENDPOINTS) {
      if (endpoint.method !== "GET" || endpoint.param) expect(covered.has(endpoint.name), endpoint.name).toBe(true);
    }
  });

  // Names are sent to the runner over a WebSocket: no unpaired surrogates (a slice may have cut a pair).
  it.each(CASES.map((c) => [c.name.toWellFormed(), c] as const))("%s", async (_name, c) => {
    await hostile(c.build, c.expect);
  });
});

// ---------------------------------------------------------------------------------------------
// Property-based: one defect at a time, everything else random

interface Generated {
  label: string;
  build: (own: Own) => Hostile;
  expect: readonly number[] | "4xx";
}

const validBody = (endpoint: Endpoint, own: Own) => (endpoint.json ? json(endpoint.json.valid(own)) : undefined);

/** A bad id in the path; the rest (body, session) random. */
const badParam: fc.Arbitrary<Generated> = fc
  .tuple(fc.constantFrom(...WITH_PARAM), fc.boolean(), fc.oneof(fc.constant(undefined), malformedJson, notAnObject))
  .chain(([endpoint, session, junk]) =>
    badSegment(endpoint.param === "intention" ? badIntentionIdText : badBeingIdText).map((segment) => ({
      label: `bad ${endpoint.param} id for ${endpoint.name}`,
      build: (own: Own) => ({ method: endpoint.method, path: endpoint.path(own, segment), body: junk ?? validBody(endpoint, own), signedIn: session }),
      expect: [400, 404],
    })),
  );

/** A JSON body its schema refuses, sent by the owner of the target. */
const badBody: fc.Arbitrary<Generated> = fc.constantFrom(...WITH_JSON).chain((endpoint) =>
  fc.tuple(badBodyFor(endpoint), fc.constantFrom("application/json", "application/json; charset=utf-8", "APPLICATION/JSON; charset=UTF-8")).map(([body, contentType]) => ({
    label: `bad body for ${endpoint.name}`,
    build: (own: Own) => ({ method: endpoint.method, path: endpoint.path(own), body: body(own), contentType, signedIn }),
    // Refused by the schema (400), its size (413), or what the body asks for (403 superuser, 404 location, 409 id).
    expect: [400, 403, 404, 409, 413],
  })),
);

/** A valid body under a content type that is not JSON. */
const badContentType: fc.Arbitrary<Generated> = fc
  .tuple(
    fc.constantFrom(...WITH_JSON),
    fc.oneof(
      fc.constant(null),
      fc.constantFrom("text/plain", "text/html", "application/xml", "multipart/form-data", "application/x-www-form-urlencoded", "application/octet-stream", "text/json", "application/json5", "application/jsonl"),
      fc.string({ unit: "grapheme-ascii", maxLength: 30 }).filter((t) => !/^\s*application\/json\b/i.test(t) && t.isWellFormed()),
    ),
  )
  .map(([endpoint, contentType]) => ({
    label: `${endpoint.name} as ${contentType}`,
    build: (own: Own) => ({ method: endpoint.method, path: endpoint.path(own), body: validBody(endpoint, own), contentType, signedIn }),
    expect: [400],
  }));

/** A refused query on history or catch-up. */
const badQuery: fc.Arbitrary<Generated> = fc
  .tuple(fc.constantFrom("intentions", "changes"), fc.boolean())
  .chain(([which, session]) =>
    (which === "intentions" ? badHistoryQuery : badChangesQuery).map((query) => ({
      label: `bad query for ${which}`,
      build: (own: Own) => ({
        method: "GET",
        path: `/api/spaces/${own.space}/${which}?${typeof query === "function" ? query() : query}`,
        signedIn: session,
      }),
      expect: [400],
    })),
  );

/** A request that would succeed, from a foreign origin or a cross-site browser context. */
const crossSite: fc.Arbitrary<Generated> = fc
  .tuple(fc.constantFrom(...MUTATING), fc.oneof(foreignOrigin.map((origin) => ({ origin, headers: {} })), fc.constant({ origin: null, headers: { "Sec-Fetch-Site": "cross-site" } })))
  .map(([endpoint, { origin, headers }]) => ({
    label: `${endpoint.name} from ${origin}`,
    build: (own: Own) => ({ method: endpoint.method, path: endpoint.path(own), body: validBody(endpoint, own), origin, headers, signedIn }),
    expect: [403],
  }));

/** More than 64 KiB, declared or streamed. */
const oversize: fc.Arbitrary<Generated> = fc
  .tuple(fc.constantFrom(...MUTATING), fc.integer({ min: MAX_BODY_BYTES + 1, max: 4 * MAX_BODY_BYTES }), fc.boolean(), fc.boolean())
  .map(([endpoint, size, streamed, session]) => ({
    label: `${endpoint.name} with ${streamed ? "a streamed" : `a ${size}-byte`} body`,
    build: (own: Own) => ({
      method: endpoint.method,
      path: endpoint.path(own),
      body: streamed ? "stream-oversize" : json({ name: "x".repeat(size) }),
      signedIn: session,
    }),
    expect: [413],
  }));

/** A valid request to an id of nothing, or without a session where one is needed. */
const missingOrAnonymous: fc.Arbitrary<Generated> = fc.oneof(
  fc.constantFrom(...WITH_PARAM).map((endpoint) => ({
    label: `${endpoint.name} on nothing`,
    build: (own: Own) => ({
      method: endpoint.method,
      path: endpoint.path(own, missingId(endpoint.param)),
      body: validBody(endpoint, own),
      signedIn,
    }),
    expect: [404],
  })),
  fc.constantFrom(...SIGNED_IN_WRITES).map((endpoint) => ({
    label: `${endpoint.name} anonymously`,
    build: (own: Own) => ({ method: endpoint.method, path: endpoint.path(own), body: validBody(endpoint, own), signedIn: anonymous }),
    expect: [401],
  })),
);

const PROPERTIES: [name: string, arbitrary: fc.Arbitrary<Generated>, runs: number][] = [
  ["ids that are not ids", badParam, 40],
  ["bodies the schema refuses", badBody, 60],
  ["content types that are not JSON", badContentType, 15],
  ["queries that are out of range", badQuery, 30],
  ["cross-site requests", crossSite, 25],
  ["oversize bodies", oversize, 10],
  ["ids of nothing, and no session", missingOrAnonymous, 20],
];

describe("property-based hostile input (200 runs in all)", () => {
  it("adds up to 200 runs", () => {
    expect(PROPERTIES.reduce((sum, [, , runs]) => sum + runs, 0)).toBe(200);
  });

  it.each(PROPERTIES)("%s", async (_name, arbitrary, numRuns) => {
    await fc.assert(
      fc.asyncProperty(arbitrary, async (generated) => {
        await hostile(generated.build, generated.expect);
      }),
      { numRuns, endOnFailure: false },
    );
  }, 60_000);
});

// ---------------------------------------------------------------------------------------------
// Nasty but possibly valid: no 5xx, the error shape when refused, nothing forged when accepted

describe("nasty input that may be accepted", () => {
  const NAMES = [
    "😀",
    "👩‍👩‍👧‍👦",
    "e\u0301",
    "\u202eevil\u202c",
    "zero\u200bwidth",
    "<script>alert(1)</script>",
    "'; DROP TABLE beings; --",
    "$1",
    "\\u0000",
    "%00",
    "{{7*7}}",
    "${process.env}",
    "ﷺ",
    "𝕳𝖊𝖑𝖑𝖔",
    "x".repeat(64),
    "😀".repeat(32),
  ];

  it.each(NAMES)("a name %j round-trips or is refused cleanly", async (name) => {
    const own = nextOwn();
    const reply = await own.caller.request("POST", "/api/beings", { name, type: "document" });
    expect(reply.status).toBeLessThan(500);
    if (reply.status === 201) {
      expect(reply.body.being.name).toBe(name.trim());
      expect(reply.body.being.ownerId).toBe(own.being);
      const read = await own.caller.request("GET", `/api/beings/${reply.body.being.id}`);
      expect(read.body.being.name).toBe(name.trim());
    } else {
      expect(reply.body.error.code).toBe(CODE_OF_STATUS[reply.status]);
    }
  });

  it.each(NAMES)("an utterance %j round-trips", async (text) => {
    const own = nextOwn();
    const reply = await own.caller.request("POST", `/api/spaces/${own.space}/intentions`, { content: text });
    expect(reply.status).toBe(201);
    expect(reply.body.intention.content).toEqual([text]);
  });

  it.each([
    ["__proto__", '{"name":"x","type":"bot","properties":{"__proto__":{"superuser":true}}}'],
    ["constructor", '{"name":"x","type":"bot","properties":{"constructor":{"prototype":{"superuser":true}}}}'],
    ["duplicate keys", '{"name":"x","type":"bot","properties":{"superuser":true,"superuser":null}}'],
  ])("properties with %s never make a superuser", async (_label, body) => {
    const own = nextOwn();
    const reply = await own.caller.request("POST", "/api/beings", body);
    expect(reply.status).toBeLessThan(500);
    if (reply.status === 201) expect(reply.body.being.properties.superuser).toBeUndefined();
    else expect(reply.body.error.code).toBe(CODE_OF_STATUS[reply.status]);
    const me = await own.caller.request("GET", "/api/me");
    expect(me.body.being.properties.superuser).toBeUndefined();
  });

  it.each([
    ["a BOM before the JSON", "\ufeff{\"content\":\"x\"}"],
    ["a huge number", '{"content":[{"type":"p","props":{"n":1e400}}]}'],
    ["deeply nested properties", '{"content":[{"type":"p","props":{"a":' + deepArray(1_000) + "}}]}"],
    ["a literal backslash-u-0000", '{"content":"\\\\u0000"}'],
  ])("an utterance with %s answers below 500", async (_label, body) => {
    const own = nextOwn();
    const reply = await own.caller.request("POST", `/api/spaces/${own.space}/intentions`, body);
    expect(reply.status).toBeLessThan(500);
    if (reply.status >= 400) expect(reply.body.error.code).toBe(CODE_OF_STATUS[reply.status]);
  });

  it.each(["after=", "after=%20", "after=0x0", "after=0b0", "after=1e0", "after=+0", "limit=%205%20&after=0"])(
    "catch-up with ?%s answers below 500",
    async (query) => {
      const own = nextOwn();
      const reply = await own.caller.request("GET", `/api/spaces/${own.space}/changes?${query}`);
      expect(reply.status).toBeLessThan(500);
      if (reply.status >= 400) expect(reply.body.error.code).toBe(CODE_OF_STATUS[reply.status]);
    },
  );

  it("a request with every header at its most hostile answers below 500", async () => {
    const own = nextOwn();
    const answer = await send(
      {
        method: "GET",
        path: `/api/spaces/${own.space}`,
        headers: { Cookie: "session=" + "%".repeat(8_000), "Accept-Language": "x".repeat(8_000), "X-Forwarded-For": "1.1.1.1, ".repeat(500) },
        signedIn: anonymous,
      },
      own,
    );
    expect(answer.status).toBe(200);
  });
});
