/** Entity types of the public contract (../shared/CONTRACT.md). Imported by worker and web. */
import type { Attachment } from "./attachments.ts";

export type BeingId = `@${string}`;
export type IntentionId = `/${string}`;
export type BeingType = "space" | "guest" | "bot" | "document";
export type IntentionType = "utterance" | "error";
export type IntentionState = "draft" | "active" | "paused" | "complete" | "cancelled" | "failed";
export type ContentNode =
  | string
  | { type: string; props?: Record<string, unknown>; content?: ContentNode[] };

export interface Being {
  id: BeingId;
  name: string;
  type: BeingType;
  ownerId: BeingId | null;
  locationId: BeingId | null;
  properties: Record<string, unknown>;
  content: ContentNode[];
  /** 1 on create, +1 on every update: what `ifVersion` compares. */
  version: number;
  createdAt: Date;
  modifiedAt: Date;
}

export interface Intention {
  id: IntentionId;
  name: string;
  type: IntentionType;
  state: IntentionState;
  ownerId: BeingId;
  locationId: BeingId;
  content: ContentNode[];
  /** 1 on create, +1 on every update: what `ifVersion` compares. */
  version: number;
  createdAt: Date;
  modifiedAt: Date;
  /** (addition) On a bot's reply only: the being whose post it answers. */
  askerId?: BeingId;
  /** (addition) Absent when nobody reacted. Not an edit: reacting changes neither `version` nor `modifiedAt`. */
  reactions?: Reaction[];
  /** (addition) The files the message carries (src/shared/attachments.ts); absent when it has none. */
  attachments?: Attachment[];
}

/** (addition) One emoji on a message and who reacted with it, in the order they did; emoji by their first reaction. */
export interface Reaction {
  emoji: string;
  by: BeingId[];
}

export const BEING_TYPES = ["space", "guest", "bot", "document"] as const satisfies readonly BeingType[];
export const INTENTION_STATES = [
  "draft",
  "active",
  "paused",
  "complete",
  "cancelled",
  "failed",
] as const satisfies readonly IntentionState[];

/** Which posts a bot answers: those that mention it (by id or name), or every post by someone not a bot. */
export type BotReplyTo = "mentions" | "all";
export const BOT_REPLY_TO = ["mentions", "all"] as const satisfies readonly BotReplyTo[];

/** A bot's configuration as served: `properties.bot` of a being of type "bot". */
export interface BotConfig {
  model: string;
  /** The system prompt. */
  prompt: string;
  replyTo?: BotReplyTo;
  /** (addition) Its model accepts images: it is sent the pictures attached to the messages it reads. */
  images?: boolean;
  /** Whether its model provider API key is set (the key itself is write-only). */
  hasKey?: boolean;
}

/** The public space every fresh database holds. */
export const LOBBY_ID: BeingId = "@intraliminal";

/** What a notification is about: a message that mentions the being, a reply to its message, a bot's finished reply to it. */
export const NOTIFICATION_KINDS = ["mention", "reply", "bot_reply"] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];
/** What a notification of each kind says its author did: "Ada mentioned you in Studio" (the inbox and pushes alike). */
export const NOTIFICATION_DEEDS: Record<NotificationKind, string> = {
  mention: "mentioned you",
  reply: "replied to you",
  bot_reply: "answered you",
};
