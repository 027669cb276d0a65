/**
 * A counting proxy in front of a local livekit-server, standing in for LiveKit Cloud's limit: it counts
 * the server API calls (Twirp POST /twirp/livekit.RoomService/<Method>) per room and per method, and
 * with a budget answers 429 with Retry-After once a call would put more than `callsPerMinute` calls in
 * any 60-s window. Everything else (the receivers' WebSocket signalling, /rtc/validate) passes
 * through untouched: the worker's token endpoint hands out the LIVEKIT_URL it was given, so
 * receivers connect through here too.
 */
import { createServer, request as httpRequest, type IncomingMessage } from "node:http";
import { connect } from "node:net";
import type { AddressInfo } from "node:net";

const TWIRP_PREFIX = "/twirp/livekit.RoomService/";
const WINDOW_MS = 60_000;

export interface ApiCall {
  /** When the call reached the proxy (ms since the epoch). */
  at: number;
  /** The RoomService method: SendData, ListRooms … */
  method: string;
  /** The room the call names ("" for project-wide calls such as ListRooms). */
  room: string;
  /** False when the proxy answered 429 instead of passing the call on. */
  accepted: boolean;
}

export interface LivekitProxy {
  /** Give this to the worker as LIVEKIT_URL. */
  url: string;
  readonly calls: readonly ApiCall[];
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function roomOf(body: Buffer): string {
  try {
    const room = (JSON.parse(body.toString("utf8")) as { room?: unknown }).room;
    return typeof room === "string" ? room : "";
  } catch {
    return ""; // a protobuf body: the SDK's clients speak JSON, so only a foreign client sends one
  }
}

/** The most calls any 60-s window holds, for calls sorted by time. */
export function maxPerWindow(times: readonly number[]): number {
  let most = 0;
  for (let start = 0, end = 0; start < times.length; start++) {
    while (end < times.length && times[end]! < times[start]! + WINDOW_MS) end++;
    most = Math.max(most, end - start);
  }
  return most;
}

/** Starts the proxy on a free loopback port; `callsPerMinute` null counts without limiting (a self-hosted server). */
export async function startLivekitProxy(options: { upstream: string | (() => string); callsPerMinute: number | null }): Promise<LivekitProxy> {
  // A function when the server starts after the proxy (the test stack gives the worker the proxy's URL
  // first): until it names one, the proxy answers as a server that is down.
  const upstreamOf = () => {
    const url = typeof options.upstream === "string" ? options.upstream : options.upstream();
    return url ? new URL(url.replace(/^ws/, "http")) : null;
  };
  const calls: ApiCall[] = [];
  /** Times of the accepted calls inside the current window, oldest first. */
  const window: number[] = [];

  const server = createServer(async (request, response) => {
    const body = await readBody(request);
    if (request.method === "POST" && request.url?.startsWith(TWIRP_PREFIX)) {
      const at = Date.now();
      while (window.length && window[0]! <= at - WINDOW_MS) window.shift();
      const accepted = options.callsPerMinute === null || window.length < options.callsPerMinute;
      calls.push({ at, method: request.url.slice(TWIRP_PREFIX.length), room: roomOf(body), accepted });
      if (!accepted) {
        const retryAfter = Math.max(1, Math.ceil((window[0]! + WINDOW_MS - at) / 1000));
        response.writeHead(429, { "content-type": "application/json", "retry-after": String(retryAfter) });
        response.end(JSON.stringify({ code: "resource_exhausted", msg: "rate limit exceeded" }));
        return;
      }
      window.push(at);
    }
    const upstream = upstreamOf();
    if (!upstream) return void response.writeHead(503).end("no LiveKit server yet");
    const forward = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: request.method, path: request.url, headers: request.headers },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    forward.on("error", (error) => {
      if (!response.headersSent) response.writeHead(502);
      response.end(String(error));
    });
    forward.end(body);
  });

  // WebSocket upgrades (LiveKit's signalling) are relayed as raw bytes, the handshake included.
  // An upgraded socket leaves the server's bookkeeping, so close() ends these itself.
  const relayed = new Set<{ destroy(): void }>();
  server.on("upgrade", (request, socket, head) => {
    const upstream = upstreamOf();
    if (!upstream) return void socket.destroy();
    const relay = connect(Number(upstream.port), upstream.hostname, () => {
      const lines = [`${request.method} ${request.url} HTTP/${request.httpVersion}`];
      for (let i = 0; i < request.rawHeaders.length; i += 2) lines.push(`${request.rawHeaders[i]}: ${request.rawHeaders[i + 1]}`);
      relay.write(lines.join("\r\n") + "\r\n\r\n");
      if (head.length) relay.write(head);
      socket.pipe(relay).pipe(socket);
    });
    const end = () => {
      socket.destroy();
      relay.destroy();
      relayed.delete(socket);
    };
    relayed.add(socket);
    relay.on("error", end);
    socket.on("error", end);
    relay.on("close", end);
    socket.on("close", end);
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}`,
    calls,
    async close() {
      const closed = new Promise((resolve) => server.close(resolve));
      server.closeAllConnections();
      for (const socket of relayed) socket.destroy();
      await closed;
    },
  };
}
