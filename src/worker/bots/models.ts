/**
 * The provider's model list for the bot form: `GET {base}/models` (OpenAI-compatible `{ data: [{ id }] }`)
 * asked by the worker with the key the bot would stream with, so the browser never holds a key.
 */
import type { BeingId } from "../../shared/entities.ts";
import { ProviderError, refusal } from "./provider.ts";
import type { KeySource } from "./secrets.ts";

/** A provider that has not answered the list in this long is reported unavailable. */
export const MODEL_LIST_TIMEOUT_MS = 5_000;

/** OpenRouter's list, with descriptions and prices, is over a megabyte; a larger answer is refused, not read. */
export const MODEL_LIST_MAX_BYTES = 4 * 1024 * 1024;

/** Ids beyond this many (or longer than a model name can sensibly be) are left out. */
const MAX_MODELS = 2_000;
const MAX_ID_LENGTH = 200;

/** The body, read until it ends or passes `max` bytes (then the rest is cancelled and ProviderError thrown). */
async function boundedText(response: Response, max: number): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return "";
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      throw new ProviderError(`The model provider's list of models is larger than ${max / 1024 / 1024} MiB`);
    }
    parts.push(value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const part of parts) bytes.set(part, (at += part.byteLength) - part.byteLength);
  return new TextDecoder().decode(bytes);
}

/**
 * The model ids the provider lists, sorted; throws ProviderError (readable, not yet scrubbed of the key)
 * when it cannot be reached in time, refuses, or answers something that is not a list.
 */
export async function listModels(baseUrl: string, apiKey: string | undefined): Promise<string[]> {
  let text: string;
  let status: number;
  try {
    const response = await fetch(`${baseUrl}/models`, {
      headers: { Accept: "application/json", ...(apiKey ? { Authorization: `Bearer ${apiKey}` } : {}) },
      signal: AbortSignal.timeout(MODEL_LIST_TIMEOUT_MS),
    });
    status = response.status;
    text = await boundedText(response, MODEL_LIST_MAX_BYTES);
  } catch (error) {
    if (error instanceof ProviderError) throw error;
    const timedOut = error instanceof Error && error.name === "TimeoutError";
    throw new ProviderError(timedOut ? `The model provider did not list its models within ${MODEL_LIST_TIMEOUT_MS / 1000} s` : "The model provider could not be reached");
  }
  if (status < 200 || status >= 300) throw refusal(status, text);
  let data: unknown;
  try {
    data = (JSON.parse(text) as { data?: unknown }).data;
  } catch {
    data = undefined;
  }
  if (!Array.isArray(data)) throw new ProviderError("The model provider's answer is not a list of models");
  const ids = data
    .map((entry) => (entry as { id?: unknown } | null)?.id)
    .filter((id): id is string => typeof id === "string" && id.length > 0 && id.length <= MAX_ID_LENGTH);
  return [...new Set(ids)].sort().slice(0, MAX_MODELS);
}

/**
 * Names the key a list was fetched with, for its cache, without holding the key: "none", "default" (the
 * operator's), or the bot and a hash of its sealed key (a new key seals afresh, so it lists afresh).
 */
export async function keyIdentity(source: KeySource, bot: BeingId | undefined, sealed: string | null): Promise<string> {
  if (source !== "own" || !bot || !sealed) return source;
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(sealed)));
  return `bot:${bot}:${[...digest.slice(0, 12)].map((byte) => byte.toString(16).padStart(2, "0")).join("")}`;
}
