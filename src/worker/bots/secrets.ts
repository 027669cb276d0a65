/**
 * Bots' model provider API keys at rest: AES-GCM (WebCrypto) under a key derived from the worker
 * secret BOT_SECRETS_KEY, with the bot's id as additional data, so a sealed key copied onto another
 * bot does not open. Plain keys live only in memory for the length of one request or one turn.
 */
import type { BeingId } from "../../shared/entities.ts";
import { ApiError } from "../../shared/errors.ts";
import { fromBase64url, toBase64url } from "../../shared/signing.ts";

const VERSION = "v1";
/** A shorter secret would make the derived key guessable; an operator gets a clear refusal instead. */
const MIN_SECRET_LENGTH = 32;

const encoder = new TextEncoder();


/** The AES-GCM key, derived (HKDF-SHA-256) from the configured secret; undefined when none is configured. */
async function sealingKey(env: Partial<Pick<Env, "BOT_SECRETS_KEY">>): Promise<CryptoKey | undefined> {
  const secret = env.BOT_SECRETS_KEY ?? "";
  if (secret.length < MIN_SECRET_LENGTH) return undefined;
  const material = await crypto.subtle.importKey("raw", encoder.encode(secret), "HKDF", false, ["deriveKey"]);
  return crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: encoder.encode("spaces bot secrets"), info: encoder.encode(VERSION) },
    material,
    { name: "AES-GCM", length: 256 },
    false,
    ["encrypt", "decrypt"],
  );
}

/** Seals a bot's API key for storage; refuses (503) when the server has no BOT_SECRETS_KEY. */
export async function sealApiKey(env: Partial<Pick<Env, "BOT_SECRETS_KEY">>, bot: BeingId, apiKey: string): Promise<string> {
  const key = await sealingKey(env);
  if (!key) throw new ApiError("UNAVAILABLE", `this server cannot store API keys: BOT_SECRETS_KEY is not set (at least ${MIN_SECRET_LENGTH} characters)`);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: encoder.encode(bot) }, key, encoder.encode(apiKey));
  return `${VERSION}.${toBase64url(iv)}.${toBase64url(new Uint8Array(sealed))}`;
}

/** Opens a sealed key, or undefined when it cannot be opened (no secret configured, another secret, another bot). */
export async function openApiKey(env: Partial<Pick<Env, "BOT_SECRETS_KEY">>, bot: BeingId, sealed: string): Promise<string | undefined> {
  const [version, iv, data] = sealed.split(".");
  const key = await sealingKey(env);
  if (!key || version !== VERSION || !iv || !data) return undefined;
  try {
    const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: fromBase64url(iv), additionalData: encoder.encode(bot) }, key, fromBase64url(data));
    return new TextDecoder().decode(plain);
  } catch {
    return undefined;
  }
}

/**
 * Text with a secret removed: the secret itself, and any word that carries a recognisable piece of it
 * (providers echo keys masked, such as "sk-abc1****wxyz", or cut).
 */
export function scrubSecret(text: string, secret: string | undefined): string {
  if (!secret || secret.length < 4) return text;
  const pieces = [secret.slice(0, 8), secret.slice(-6)].filter((piece) => piece.length >= 6);
  return text
    .split(secret)
    .join("[redacted]")
    .replace(/\S+/g, (word) => (pieces.some((piece) => word.includes(piece)) ? "[redacted]" : word));
}

/** Where the key a bot's requests carry comes from: its owner, the operator's default, or nowhere. */
export type KeySource = "own" | "default" | "none";

/** The key a bot uses (its own when it has one, undefined if that no longer opens), else the operator's BOT_DEFAULT_API_KEY, else none. */
export async function botApiKey(
  env: Partial<Pick<Env, "BOT_SECRETS_KEY" | "BOT_DEFAULT_API_KEY">>,
  bot: BeingId | null,
  sealed: string | null,
): Promise<{ source: KeySource; apiKey?: string }> {
  if (bot && sealed) return { source: "own", apiKey: await openApiKey(env, bot, sealed) };
  const fallback = defaultApiKey(env);
  return fallback ? { source: "default", apiKey: fallback } : { source: "none" };
}

/** The operator's key for bots without one (BOT_DEFAULT_API_KEY), or undefined when none is set. */
export function defaultApiKey(env: Partial<Pick<Env, "BOT_DEFAULT_API_KEY">>): string | undefined {
  return env.BOT_DEFAULT_API_KEY?.trim() || undefined;
}
