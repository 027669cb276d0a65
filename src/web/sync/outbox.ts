/**
 * Optimistic writes. A message is shown at once as pending under a client-generated id, sent in
 * the order it was typed, and kept (in localStorage, across reloads) until the server has it.
 * Sending the same id twice is harmless: the server answers a repeat by its owner with the
 * existing row, so a send whose answer was lost is simply sent again. A message with files waits for
 * them to be uploaded (src/web/attach/outbox-files.ts, loaded with the first one) and then names them.
 */
import { batch } from "solid-js";
import { createStore } from "solid-js/store";
import type { Attachment } from "../../shared/attachments.ts";
import type { BeingId, ContentNode, IntentionId } from "../../shared/entities.ts";
import { contentText } from "../../shared/content.ts";
import { ApiError, errorMessage } from "../../shared/errors.ts";
import type { WriteResult } from "../../shared/responses.ts";
import { isRetryable, postIntention } from "../api.ts";
import { backoff, type Backoff } from "./backoff.ts";
import { newIntentionId } from "../../shared/ids.ts";
import { unrelayed, type Relayer } from "./relay.ts";

/**
 * The longest a queued message waits between attempts, a server's Retry-After included: someone is
 * watching it, so once the server is back it should go within seconds; sent one at a time, this is
 * one request per 10 s per waiting client at most.
 */
const MAX_RETRY_DELAY_MS = 10_000;

/** A file a message carries: the upload that holds its bytes (by key) and, once it is up, its attachment. */
export interface OutboxFile {
  key: string;
  name: string;
  size: number;
  type: string;
  attachment?: Attachment;
}

/** `queued`: waiting its turn, for the network or for the server; `failed`: the server refused it (see `error`). */
export type OutboxStatus = "queued" | "sending" | "failed";

export interface OutboxEntry {
  id: IntentionId;
  spaceId: BeingId;
  /** What it says, as text (a mention as its "@Name"). */
  text: string;
  /** Its structured content (mentions, a reply), sent as it is; absent for plain text, which is sent as `[text]`. */
  content?: ContentNode[];
  /** When it was typed, ms since the epoch (JSON-friendly, for the queue in localStorage). */
  createdAt: number;
  /** Its files, in the order attached; absent when it has none. */
  files?: OutboxFile[];
  status: OutboxStatus;
  error?: string;
}

export type SentListener = (entry: OutboxEntry, result: WriteResult) => void;

export interface Outbox {
  readonly entries: readonly OutboxEntry[];
  /** Queues a message (text, or content nodes; with files, its caption) and starts sending; returns its id. */
  send(spaceId: BeingId, content: string | readonly ContentNode[], files?: readonly OutboxFile[]): IntentionId;
  /** Puts a failed message back in the queue. */
  retry(id: IntentionId): void;
  /** Drops a failed or queued message for good. */
  discard(id: IntentionId): void;
  /** Takes a file out of a message not yet sent (a message left with neither words nor files is dropped). */
  dropFile(id: IntentionId, key: string): void;
  /** Sends whatever is queued now, without waiting out the retry delay (the network is back). */
  resume(): Promise<void>;
  /** Calls `listener` with each message the server accepted; returns an unsubscribe function. */
  onSent(listener: SentListener): () => void;
  /** Sends the space's messages through `relayer` (its open conversation's, relay.ts); returns an unsubscribe function. */
  relayThrough(spaceId: BeingId, relayer: Relayer): () => void;
  close(): void;
}

export interface OutboxOptions {
  /** localStorage key; one queue per signed-in being. */
  storageKey: string;
  storage?: Storage;
  delays?: Backoff;
}

/** Creates the outbox, restores its persisted queue and starts sending it. */
export function createOutbox(options: OutboxOptions): Outbox {
  const storage = options.storage ?? globalThis.localStorage;
  const delays = options.delays ?? backoff(1_000, MAX_RETRY_DELAY_MS);
  const [store, setStore] = createStore<{ entries: OutboxEntry[] }>({ entries: restore(storage, options.storageKey) });
  const listeners = new Set<SentListener>();
  const relayers = new Map<BeingId, Relayer>();
  let running: Promise<void> | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let waiting = false;
  let closed = false;
  // Each new message's files being kept on this device: whatever reads or drops them waits for that first.
  const keeping = new Map<IntentionId, Promise<void>>();
  const withFiles = async (id: IntentionId) => {
    const module = await import("../attach/outbox-files.ts");
    await keeping.get(id);
    return module;
  };

  const persist = () => {
    try {
      storage.setItem(options.storageKey, JSON.stringify(store.entries));
    } catch {
      // Storage full or disabled (private browsing): the queue still lives for this page.
    }
  };
  const update = (id: IntentionId, patch: Partial<OutboxEntry>) => {
    setStore("entries", (entry) => entry.id === id, patch);
    persist();
  };
  const updateFile = (id: IntentionId, key: string, patch: Partial<OutboxFile>) => {
    setStore("entries", (entry) => entry.id === id, "files", (file) => file.key === key, patch);
    persist();
  };
  const remove = (id: IntentionId) => {
    setStore("entries", (entries) => entries.filter((entry) => entry.id !== id));
    persist();
  };

  async function sendQueued(): Promise<void> {
    // Messages whose swept uploads went up again in this run: refused again, they fail rather than upload forever.
    const uploadedAgain = new Set<IntentionId>();
    for (;;) {
      // Strictly one at a time, oldest first: the conversation keeps the order it was typed in.
      const entry = store.entries.find((e) => e.status === "queued");
      if (!entry || closed || waiting) return;
      const sent = { ...entry };
      update(entry.id, { status: "sending", error: undefined });
      let files: typeof import("../attach/outbox-files.ts") | undefined;
      try {
        if (sent.files) files = await withFiles(sent.id);
        const attachments = files && (await files.attachmentIds(sent, (key, attachment) => updateFile(sent.id, key, { attachment })));
        const relay = relayers.get(sent.spaceId) ?? unrelayed;
        const result = await relay((options) => postIntention(sent.spaceId, { id: sent.id, content: contentOf(sent), ...(attachments && { attachments }) }, options));
        delays.reset();
        // Hand the row over before dropping the pending one, in one update, so nothing flickers.
        batch(() => {
          for (const listener of listeners) listener(sent, result);
          remove(sent.id);
        });
        files?.release(sent.files!);
      } catch (error) {
        // A file was taken out while it uploaded: send what is left.
        if (files?.isCancelled(error)) {
          const left = store.entries.find((e) => e.id === sent.id);
          if (left && !left.files && !left.text.trim()) remove(sent.id);
          else if (left) update(sent.id, { status: "queued" });
          continue;
        }
        const unusable = files && !uploadedAgain.has(sent.id) ? files.forgetUnusable(sent, error) : [];
        if (unusable.length) {
          uploadedAgain.add(sent.id);
          for (const file of unusable) updateFile(sent.id, file.key, { attachment: undefined });
          update(sent.id, { status: "queued" });
          continue;
        }
        if (isRetryable(error)) {
          update(sent.id, { status: "queued" });
          waiting = true;
          const asked = error instanceof ApiError ? (error.retryAfter ?? 0) * 1_000 : 0;
          timer = setTimeout(() => void resume(), Math.max(delays.next(), Math.min(asked, MAX_RETRY_DELAY_MS)));
          return;
        }
        update(sent.id, { status: "failed", error: errorMessage(error) });
      }
    }
  }

  function flush(): Promise<void> {
    running ??= sendQueued().finally(() => {
      running = undefined;
      // Something queued while the last send was finishing would otherwise wait for a trigger.
      if (!closed && !waiting && store.entries.some((e) => e.status === "queued")) void flush();
    });
    return running;
  }

  function resume(): Promise<void> {
    waiting = false;
    clearTimeout(timer);
    return flush();
  }

  const onOnline = () => void resume();
  globalThis.addEventListener?.("online", onOnline);
  void flush();

  return {
    get entries() {
      return store.entries;
    },
    send(spaceId, content, files) {
      const id = newIntentionId();
      const nodes = typeof content === "string" ? [content] : [...content];
      const plain = nodes.length === 1 && typeof nodes[0] === "string";
      const attached = files?.length ? { files: [...files] } : {};
      setStore("entries", store.entries.length, { id, spaceId, text: contentText(nodes), ...(plain ? {} : { content: nodes }), ...attached, createdAt: Date.now(), status: "queued" });
      persist();
      if (files?.length) keeping.set(id, import("../attach/outbox-files.ts").then((module) => module.keepFiles(files), () => undefined));
      void resume();
      return id;
    },
    retry(id) {
      update(id, { status: "queued", error: undefined });
      void resume();
    },
    discard(id) {
      const entry = store.entries.find((e) => e.id === id && e.status !== "sending");
      if (!entry) return;
      remove(id);
      if (entry.files) void withFiles(id).then((module) => module.release(entry.files!));
    },
    dropFile(id, key) {
      const entry = store.entries.find((e) => e.id === id);
      const file = entry?.files?.find((f) => f.key === key);
      if (!entry || !file) return;
      const files = entry.files!.filter((f) => f !== file);
      if (!files.length && !entry.text.trim() && entry.status !== "sending") remove(id);
      else update(id, { files: files.length ? files : undefined });
      void withFiles(id).then((module) => module.release([file]));
    },
    resume,
    onSent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    relayThrough(spaceId, relayer) {
      relayers.set(spaceId, relayer);
      return () => relayers.get(spaceId) === relayer && relayers.delete(spaceId);
    },
    close() {
      closed = true;
      clearTimeout(timer);
      globalThis.removeEventListener?.("online", onOnline);
    },
  };
}

/** What an entry sends: its content nodes, or its text. */
export function contentOf(entry: OutboxEntry): ContentNode[] {
  return entry.content ?? [entry.text];
}

/** The persisted queue; a send that was in flight when the page went away is sent again. */
function restore(storage: Storage | undefined, key: string): OutboxEntry[] {
  try {
    const saved: unknown = JSON.parse(storage?.getItem(key) ?? "[]");
    if (!Array.isArray(saved)) return [];
    return saved
      .filter((e): e is OutboxEntry => typeof e?.id === "string" && typeof e.spaceId === "string" && typeof e.text === "string")
      .map((e) => (e.status === "sending" ? { ...e, status: "queued" } : e));
  } catch {
    return [];
  }
}
