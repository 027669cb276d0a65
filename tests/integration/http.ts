import superjson from "superjson";
import { createKeyring, type SyncKey } from "../../src/shared/signing.ts";
import type { PacketReader } from "../../src/shared/sync.ts";
/** What a request answered. */
export interface StackReply<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** A signed-in HTTP caller of the local stack, from Node (cookie jar, the app's own Origin). */
/** How a receiver on the stack reads packets: superjson, and the signing keys GET /api/sync/keys lists. */
export function stackReader(client: StackClient): PacketReader {
  const keys = async () => (await client.request("GET", "/api/sync/keys")).body.keys as SyncKey[];
  return { parse: (text) => superjson.parse(text), keyring: createKeyring(keys) };
}

export class StackClient {
  cookie: string | null = null;
  id = "";
  readonly baseUrl: string;

  constructor(baseUrl: string) {
    this.baseUrl = baseUrl;
  }

  /** Sends a JSON request (with `extraHeaders`, such as `Sync-Relay`) and returns status, headers and parsed body; throws nothing. */
  async request<T = any>(method: string, path: string, body?: unknown, extraHeaders: Record<string, string> = {}): Promise<StackReply<T>> {
    const headers: Record<string, string> = { ...extraHeaders, Origin: this.baseUrl };
    if (this.cookie) headers.Cookie = this.cookie;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(`${this.baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const setCookie = response.headers.get("set-cookie");
    if (setCookie) this.cookie = setCookie.split(";")[0]!;
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
  }

  /** Uploads a file's bytes to a space as an attachment (POST /api/spaces/:id/attachments); parsed like `request`. */
  upload<T = any>(space: string, name: string, bytes: Uint8Array<ArrayBuffer>): Promise<StackReply<T>> {
    return this.sendBytes("POST", `/api/spaces/${encodeURIComponent(space)}/attachments?name=${encodeURIComponent(name)}`, bytes);
  }

  /** Gives an upload its preview (PUT /api/attachments/:id/preview); parsed like `request`. */
  putPreview<T = any>(id: string, bytes: Uint8Array<ArrayBuffer>): Promise<StackReply<T>> {
    return this.sendBytes("PUT", `/api/attachments/${id}/preview`, bytes);
  }

  private async sendBytes<T>(method: string, path: string, bytes: Uint8Array<ArrayBuffer>): Promise<StackReply<T>> {
    const headers: Record<string, string> = { Origin: this.baseUrl, ...(this.cookie ? { Cookie: this.cookie } : {}) };
    const response = await fetch(`${this.baseUrl}${path}`, { method, headers, body: bytes });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
  }

  /** Signs in as a new guest. */
  static async guest(baseUrl: string, name: string): Promise<StackClient> {
    const client = new StackClient(baseUrl);
    const reply = await client.request("POST", "/api/auth/guest", { name });
    if (reply.status !== 201) throw new Error(`sign-in failed: ${reply.status}`);
    client.id = reply.body.being.id;
    return client;
  }
}

/** Polls until `check` returns true or the time is up; returns whether it did. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 15_000, stepMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
  return check();
}

/** What the stack's control server (tests/setup/stack.ts) can do to its parts. */
export type StackAction = `livekit/${"down" | "up" | "restart"}` | `postgres/${"down" | "up" | "pause" | "resume"}`;

/** Asks the control server at `control` for an outage or a recovery; throws if it could not. */
export async function controlStack(control: string, action: StackAction): Promise<void> {
  const response = await fetch(`${control}/${action}`, { method: "POST" });
  if (!response.ok) throw new Error(`${action}: ${response.status} ${await response.text()}`);
}

/** One LiveKit server API call the worker made, as the stack's counting proxy saw it (tests/bench/livekit-proxy.ts). */
export interface LivekitCall {
  at: number;
  method: string;
  room: string;
}

/** The worker's LiveKit server API calls naming `room` made at or after `since` (of `method` only, if given), from the control server at `control`. */
export async function livekitCalls(control: string, room: string, since: number, method?: string): Promise<LivekitCall[]> {
  const response = await fetch(`${control}/livekit/calls`);
  if (!response.ok) throw new Error(`livekit/calls: ${response.status} ${await response.text()}`);
  return ((await response.json()) as LivekitCall[]).filter((call) => call.room === room && call.at >= since && (!method || call.method === method));
}
