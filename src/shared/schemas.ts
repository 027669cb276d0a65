/** Validation schemas for every API input; the worker validates with them at the edge (the web app checks only `limits.ts`, to stay light). */
// Named imports, not the `z` namespace: the namespace object drags every locale into the bundle.
import { array, boolean, lazy, number, object, record, strictObject, string, union, unknown, enum as oneOf, type infer as Infer, type input as Input, type ZodType } from "zod";
import { ATTACHMENT_ID_PATTERN, MAX_ATTACHMENTS_PER_MESSAGE, type AttachmentId } from "./attachments.ts";
import { BEING_TYPES, BOT_REPLY_TO, INTENTION_STATES, NOTIFICATION_KINDS, type BeingId, type ContentNode, type IntentionId } from "./entities.ts";
import { isEmoji } from "./emoji.ts";
import { beingOfIdentity } from "./presence.ts";
import { BEING_ID_PATTERN, MAX_BOT_PROMPT_LENGTH, MAX_NAME_LENGTH, MAX_TEXT_LENGTH } from "./limits.ts";

const MAX_CONTENT_NODES = 1_000;
const MAX_CONTENT_DEPTH = 16;
const MAX_PROPERTIES_BYTES = 16 * 1024;

export const beingId = string()
  .regex(BEING_ID_PATTERN, "a being id is @ followed by 1–64 letters, digits, '_', '.' or '-'")
  .transform((id) => id as BeingId);

export const intentionId = string()
  .regex(/^\/[A-Za-z0-9_-]{1,64}$/, "an intention id is / followed by 1–64 letters, digits, '_' or '-'")
  .transform((id) => id as IntentionId);

/** An intention id in a URL path: "%2F01JD…" decodes to "/01JD…"; a bare "01JD…" is accepted too. */
export const intentionIdParam = string()
  .transform((id) => (id.startsWith("/") ? id : `/${id}`))
  .pipe(intentionId);

const name = string().trim().min(1, "name must not be empty").max(MAX_NAME_LENGTH);

function depth(node: ContentNode): number {
  if (typeof node === "string" || !node.content) return 1;
  return 1 + Math.max(0, ...node.content.map(depth));
}

/** The node types whose props name something by id (see shared/content.ts), and the id's form: a malformed one is refused. */
const REFERENCES: Record<string, { prop: string; id: ZodType; what: string }> = {
  mention: { prop: "id", id: beingId, what: "being" },
  reply: { prop: "to", id: intentionId, what: "intention" },
};

const contentNode: ZodType<ContentNode> = lazy(() =>
  union([
    string().max(MAX_TEXT_LENGTH),
    strictObject({
      type: string().min(1).max(64),
      props: record(string(), unknown()).optional(),
      content: array(contentNode).max(MAX_CONTENT_NODES).optional(),
    }).superRefine((node, context) => {
      const reference = REFERENCES[node.type];
      if (reference && !reference.id.safeParse(node.props?.[reference.prop]).success) {
        context.addIssue({ code: "custom", path: ["props", reference.prop], message: `a ${node.type} node's ${reference.prop} must be a ${reference.what} id` });
      }
    }),
  ]),
);

export const contentNodes = array(contentNode)
  .max(MAX_CONTENT_NODES)
  .refine((nodes) => nodes.every((n) => depth(n) <= MAX_CONTENT_DEPTH), `content nests deeper than ${MAX_CONTENT_DEPTH}`);

/** An utterance: plain text (1–10,000 chars) or structured content. Text is stored as a one-string node list. */
export const intentionContent = union([
  string().min(1, "content must not be empty").max(MAX_TEXT_LENGTH).transform((text) => [text] as ContentNode[]),
  contentNodes.min(1, "content must not be empty"),
]);

/**
 * A bot's configuration, `properties.bot`. `hasKey` is the server's: whatever a caller sends there is
 * replaced by whether the bot's sealed API key exists.
 */
export const botConfig = strictObject({
  model: string().trim().min(1, "model must not be empty").max(200),
  prompt: string().max(MAX_BOT_PROMPT_LENGTH),
  replyTo: oneOf(BOT_REPLY_TO).optional(),
  images: boolean().optional(),
  hasKey: boolean().optional(),
});

const properties = record(string(), unknown())
  .refine((p) => JSON.stringify(p).length <= MAX_PROPERTIES_BYTES, "properties are larger than 16 KiB")
  .superRefine((p, ctx) => {
    if (!("bot" in p)) return;
    const result = botConfig.safeParse(p.bot);
    for (const issue of result.error?.issues ?? []) ctx.addIssue({ code: "custom", message: issue.message, path: ["bot", ...issue.path] });
  });

/**
 * Write-only secrets of a bot, from its owner: `apiKey` (its model provider's key; null removes it).
 * Validation messages never repeat the value.
 */
export const botSecretsInput = strictObject({
  apiKey: string().trim().min(1, "apiKey must not be empty").max(1_000, "apiKey is too long").nullable(),
});

export const guestSignIn = strictObject({ name });

export const beingCreate = strictObject({
  id: beingId.optional(),
  name,
  type: oneOf(BEING_TYPES),
  locationId: beingId.nullable().optional(),
  properties: properties.optional(),
  content: contentNodes.optional(),
  secrets: botSecretsInput.optional(),
});

/**
 * The version a write expects the row to have (the `version` the caller last saw): when the row has another,
 * nothing is written and the answer is 409 CONFLICT with the row as it is. PostgreSQL's integer bounds it.
 */
const ifVersion = number().int("ifVersion must be a whole number").min(1).max(2_147_483_647);

/** Whether a patch changes anything: ifVersion alone only asks. */
const changesSomething = ({ ifVersion: _, ...fields }: { ifVersion?: number }) => Object.keys(fields).length > 0;

export const beingPatch = strictObject({
    name: name.optional(),
    locationId: beingId.nullable().optional(),
    properties: properties.optional(),
    content: contentNodes.optional(),
    ownerId: beingId.nullable().optional(),
    secrets: botSecretsInput.optional(),
    ifVersion: ifVersion.optional(),
  })
  .refine(changesSomething, "nothing to change");

/** POST /api/beings/:id/owner: hand a being over to another person. */
export const ownerHandOver = strictObject({
  ownerId: beingId,
  ifVersion: ifVersion.optional(),
});

export const attachmentId = string()
  .regex(ATTACHMENT_ID_PATTERN, "an attachment id is f followed by 26 letters and digits")
  .transform((id) => id as AttachmentId);

/**
 * A new message: its content, and the files it carries (each the caller's own upload in the space). With files the
 * content may be empty ("" or []): the text is their caption.
 */
export const intentionCreate = strictObject({
  id: intentionId.optional(),
  content: union([string().max(MAX_TEXT_LENGTH).transform((text): ContentNode[] => (text === "" ? [] : [text])), contentNodes]),
  attachments: array(attachmentId)
    .min(1)
    .max(MAX_ATTACHMENTS_PER_MESSAGE)
    .refine((ids) => new Set(ids).size === ids.length, "an attachment is named twice")
    .optional(),
}).superRefine((body, context) => {
  if (body.content.length === 0 && !body.attachments) context.addIssue({ code: "custom", path: ["content"], message: "content must not be empty" });
});

export const intentionPatch = strictObject({
    content: intentionContent.optional(),
    state: oneOf(INTENTION_STATES).optional(),
    ifVersion: ifVersion.optional(),
  })
  .refine(changesSomething, "nothing to change");

// Query values are text: only plain digits count ("0x10", "1e1", "+1" and "" are refused, not coerced).
const wholeNumber = (min: number, max: number) =>
  string().regex(/^\d{1,15}$/, "must be a whole number").transform(Number).pipe(number().int().min(min).max(max));

const limit = (max: number, fallback: number) => wholeNumber(1, max).default(fallback);

export const historyQuery = strictObject({
  before: intentionId.optional(),
  limit: limit(100, 50),
});

export const changesQuery = strictObject({
  after: wholeNumber(0, Number.MAX_SAFE_INTEGER),
  limit: limit(1000, 500),
});

/** POST /api/spaces/:id/relayed: the writer published every relay batch of its own writes in the space up to seq `to`. */
export const relayedConfirmation = strictObject({
  to: number().int().min(1).max(Number.MAX_SAFE_INTEGER),
});

/** A room connection's identity: `<being id>#<connection id>`. */
const connectionIdentity = string()
  .max(128)
  .refine((identity) => /#[A-Za-z0-9]{1,32}$/.test(identity) && BEING_ID_PATTERN.test(beingOfIdentity(identity) ?? ""), "an identity is <being id>#<connection id>");

/** POST /api/spaces/:id/muted: the room connection a receiver muted. */
export const mutedReport = strictObject({
  identity: connectionIdentity,
});

export type GuestSignIn = Infer<typeof guestSignIn>;
export type BeingCreate = Infer<typeof beingCreate>;
export type BeingPatch = Infer<typeof beingPatch>;
export type BotConfigInput = Infer<typeof botConfig>;
export type BotSecretsInput = Infer<typeof botSecretsInput>;
export type IntentionCreate = Input<typeof intentionCreate>;

/** POST /api/spaces/:id/attachments: the file's name (the body is its bytes). */
export const attachmentUpload = object({ name: string().max(4096).optional() });
/** GET /api/attachments/:id: `download=1` sends even an image as a download. */
export const attachmentServe = object({ download: oneOf(["1"]).optional() });
export type IntentionPatch = Input<typeof intentionPatch>;
export type RelayedConfirmation = Infer<typeof relayedConfirmation>;

/**
 * A WebAuthn credential as the browser serialises it (PublicKeyCredential.toJSON(), which SimpleWebAuthn's
 * browser package produces). Only its shape is checked here; the server's WebAuthn library verifies the rest.
 * Fields browsers add later are dropped, not refused.
 */
const base64url = string().max(16_384).regex(/^[A-Za-z0-9_-]*$/, "must be base64url");
export const passkeyCredential = object({
  id: base64url.min(1),
  rawId: base64url.min(1),
  type: oneOf(["public-key"]),
  response: object({
    clientDataJSON: base64url,
    attestationObject: base64url.optional(),
    authenticatorData: base64url.optional(),
    signature: base64url.optional(),
    userHandle: base64url.optional(),
    transports: array(string().max(32)).max(16).optional(),
    publicKey: base64url.optional(),
    publicKeyAlgorithm: number().optional(),
  }),
  clientExtensionResults: record(string(), unknown()),
  authenticatorAttachment: oneOf(["platform", "cross-platform"]).optional(),
});
export type PasskeyCredential = Infer<typeof passkeyCredential>;

/** A passkey's credential id in a path. */
export const passkeyId = base64url.min(1).max(1_024);

/** POST /api/auth/passkeys/register and /signin. */
export const passkeyFinish = strictObject({ credential: passkeyCredential });

/** POST /api/auth/oidc/:provider/start: `attach` links the account to the signed-in being instead of signing in. */
export const oidcStart = strictObject({ attach: boolean().optional() });

/** A sign-in provider's id in a path (configuration ids are lowercase words). */
export const providerId = string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, "a provider id is 1–32 lowercase letters, digits, '_' or '-'");

/** A session's public id in a path. */
export const sessionPublicId = string().uuid("a session id is a UUID");

const MAX_HEALTH_COUNT = 1_000_000;
const MAX_HEALTH_KEYS = 64;
const DAY_MS = 24 * 60 * 60 * 1_000;
const healthCount = number().int().min(0).max(MAX_HEALTH_COUNT);

/**
 * POST /api/sync/health: how sync reached one receiver in one space since its last report (at most one a
 * minute, and one at page hide). `counts` are named tallies (`applied`, `rejected.signature`, …): names are
 * open so a receiver can add one without a server change, but bounded in number and shape. `minute` is the
 * Unix minute (ms / 60,000) the report closes; `lag` is commit → apply in ms, the clock offset already
 * subtracted; `clockOffsetMs` is the receiver's estimate of server clock minus its own.
 */
export const syncHealthReport = strictObject({
  space: beingId,
  minute: number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  counts: record(string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/, "a count's name is 1–64 letters, digits, '_', '.' or '-'"), healthCount)
    .refine((counts) => Object.keys(counts).length <= MAX_HEALTH_KEYS, `at most ${MAX_HEALTH_KEYS} counts`),
  lag: strictObject({
    p50: number().min(0).max(DAY_MS),
    p99: number().min(0).max(DAY_MS),
    samples: healthCount,
  }),
  clockOffsetMs: number().min(-DAY_MS).max(DAY_MS),
});
export type SyncHealthReport = Infer<typeof syncHealthReport>;

// Search (issue 19) ----------------------------------------------------------------------------------

/** The being types a name search finds: spaces, people (guests) and bots. */
export const SEARCHABLE_BEING_TYPES = ["space", "guest", "bot"] as const;

/** GET /api/search/beings: a name fragment, optionally one type. */
export const beingSearchQuery = strictObject({
  q: string().trim().min(1, "q must not be empty").max(MAX_NAME_LENGTH),
  type: oneOf(SEARCHABLE_BEING_TYPES).optional(),
  limit: limit(50, 20),
});
export type BeingSearchQuery = Infer<typeof beingSearchQuery>;

/**
 * Where a page of message search results ended: `<rank>~<epoch ms>~<intention id>`, the last hit's sort key
 * (the next page starts after it). Written by the server; a client passes it back as it is.
 */
export const searchCursor = string()
  .regex(/^\d[\d.e+-]{0,23}~\d{1,15}~\/[A-Za-z0-9_-]{1,64}$/, "not a cursor this server wrote")
  .refine((cursor) => Number.isFinite(Number(cursor.split("~")[0])), "not a cursor this server wrote");

/** GET /api/search/intentions: words to find (web-search syntax: "a phrase", or, -word) and the page. */
export const intentionSearchQuery = strictObject({
  q: string().trim().min(1, "q must not be empty").max(200),
  before: searchCursor.optional(),
  limit: limit(50, 20),
});
export type IntentionSearchQuery = Infer<typeof intentionSearchQuery>;

/** GET /api/bots/models: the bot whose key lists them (absent for a bot not yet created: the operator's key). */
export const botModelsQuery = object({ bot: beingId.optional() });

/** PUT and DELETE /api/intentions/:id/reactions/:emoji: the message and one emoji (isEmoji in emoji.ts). */
export const reactionParam = object({
  id: intentionIdParam,
  emoji: string().refine(isEmoji, "a reaction is one emoji"),
});

// Notifications (issue 20) ----------------------------------------------------------------------------

/**
 * GET /api/notifications: newest first, the page before notification `before` (an earlier page's `next`), digits
 * kept as text: the typed client would take an optional parsed key's type for what it sends.
 */
export const notificationsQuery = strictObject({
  before: string().regex(/^\d{1,15}$/, "must be a whole number").optional(),
  limit: limit(50, 20),
});
export type NotificationsQuery = Infer<typeof notificationsQuery>;

/** POST /api/notifications/read: these notifications, or (ids absent) all of the caller's. */
export const notificationsRead = strictObject({
  ids: array(number().int().min(1).max(Number.MAX_SAFE_INTEGER)).min(1).max(100).optional(),
});

/** The most characters a push subscription's endpoint may have (push services' are a few hundred). */
const MAX_PUSH_ENDPOINT_LENGTH = 2_048;
/** base64url of exactly `bytes` bytes, unpadded (what PushSubscription.toJSON() gives). */
const base64urlOf = (bytes: number) => string().regex(new RegExp(`^[A-Za-z0-9_-]{${Math.ceil((bytes * 4) / 3)}}$`), `must be ${bytes} bytes, base64url`);
/** The kinds a device wants pushed: each known kind at most once. */
const notificationKinds = array(oneOf(NOTIFICATION_KINDS)).max(NOTIFICATION_KINDS.length).refine((kinds) => new Set(kinds).size === kinds.length, "each kind once");

/**
 * PUT /api/push/subscription: this device's push subscription (PushSubscription.toJSON()) and, optionally, the kinds it
 * wants. Which endpoints the worker sends to is one rule, the worker's: mayPushTo (src/worker/push/endpoint.ts).
 */
export const pushSubscriptionInput = object({
  endpoint: string().max(MAX_PUSH_ENDPOINT_LENGTH).url(),
  keys: object({ p256dh: base64urlOf(65), auth: base64urlOf(16) }),
  kinds: notificationKinds.optional(),
});
export type PushSubscriptionInput = Infer<typeof pushSubscriptionInput>;

/** PATCH /api/push/subscription: the kinds this device wants pushed. */
export const pushPreferences = strictObject({ kinds: notificationKinds });

/** POST /api/push/visible: the space this device has open and visible now, or null when none. */
export const pushVisible = strictObject({ space: beingId.nullable() });

/**
 * POST /api/spaces/:id/read: what one has now seen up to, either a seq of the space's change log or `through` a
 * message of the space (read up to its creation), and optionally the room connection (`<being id>#<connection id>`)
 * of the page that saw it, which needs no notice of it.
 */
export const readPoint = strictObject({
  seq: number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  through: intentionId.optional(),
  by: connectionIdentity.optional(),
}).refine((body) => (body.seq === undefined) !== (body.through === undefined), "give exactly one of seq and through");

/** PUT /api/spaces/:id/mute */
export const muteSetting = strictObject({
  muted: boolean(),
});
