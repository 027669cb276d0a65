// globalSetup: a push service on loopback for the worker suite, which also plays the browsers that subscribe to it.
// GET /subscribe/<status> makes a subscription (a fresh P-256 key and auth secret, as a browser's) whose endpoint
// answers `status`; every push POSTed to it is recorded, decrypted with the independent http_ece implementation and
// its VAPID token verified with jose; GET /records/<id> lists them.
/// <reference path="./http-ece.d.ts" />
import { createECDH, randomBytes, type ECDH } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import ece from "http_ece";
import { decodeProtectedHeader, importJWK, jwtVerify } from "jose";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    pushServiceUrl: string;
  }
}

/** One push as the service received it. */
export interface PushRecord {
  status: number;
  headers: Record<string, string | undefined>;
  /** The payload as http_ece decrypted it, or the error it threw. */
  payload: unknown;
  decryptError?: string;
  /** The VAPID token's claims once jose verified its signature with the key in `k=`, and that key. */
  vapid: { claims: Record<string, unknown>; publicKey: string; alg: string } | { error: string };
}

const body = async (request: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

/** Verifies `Authorization: vapid t=<jwt>, k=<key>` (RFC 8292) with jose. */
async function verifyVapid(header: string | undefined): Promise<PushRecord["vapid"]> {
  const match = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(header ?? "");
  if (!match) return { error: `not a vapid header: ${header}` };
  const [, token, key] = match as unknown as [string, string, string];
  try {
    const point = Buffer.from(key, "base64url");
    const jwk = { kty: "EC", crv: "P-256", x: point.subarray(1, 33).toString("base64url"), y: point.subarray(33).toString("base64url") };
    const { payload } = await jwtVerify(token, await importJWK(jwk, "ES256"));
    return { claims: payload as Record<string, unknown>, publicKey: key, alg: decodeProtectedHeader(token).alg ?? "" };
  } catch (error) {
    return { error: String(error) };
  }
}

/** Starts the service, provides its URL, and returns the teardown that stops it. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const browsers = new Map<string, { ecdh: ECDH; auth: Buffer; status: number; records: PushRecord[] }>();
  const server = createServer(async (request, response) => {
    const [, action, first] = (request.url ?? "").split("/");
    const reply = (status: number, json?: unknown) => {
      response.writeHead(status, json === undefined ? {} : { "Content-Type": "application/json" });
      response.end(json === undefined ? undefined : JSON.stringify(json));
    };
    if (request.method === "GET" && action === "subscribe") {
      const id = randomBytes(8).toString("hex");
      const ecdh = createECDH("prime256v1");
      ecdh.generateKeys();
      const auth = randomBytes(16);
      browsers.set(id, { ecdh, auth, status: Number(first), records: [] });
      const { port } = server.address() as AddressInfo;
      return reply(200, { id, endpoint: `http://127.0.0.1:${port}/push/${id}`, keys: { p256dh: ecdh.getPublicKey().toString("base64url"), auth: auth.toString("base64url") } });
    }
    const browser = browsers.get(first ?? "");
    if (!browser) return reply(404);
    if (request.method === "GET" && action === "records") return reply(200, browser.records);
    if (request.method === "POST" && action === "push") {
      const sealed = await body(request);
      let payload: unknown = null;
      let decryptError: string | undefined;
      try {
        payload = JSON.parse(ece.decrypt(sealed, { version: "aes128gcm", privateKey: browser.ecdh, authSecret: browser.auth.toString("base64url") }).toString("utf8"));
      } catch (error) {
        decryptError = String(error);
      }
      const headers = Object.fromEntries(["content-encoding", "content-type", "ttl", "urgency"].map((name) => [name, request.headers[name] as string | undefined]));
      browser.records.push({ status: browser.status, headers, payload, decryptError, vapid: await verifyVapid(request.headers.authorization) });
      // A redirect points back at itself: a sender that followed it would be recorded again.
      if (browser.status >= 300 && browser.status < 400) return void response.writeHead(browser.status, { Location: request.url ?? "/" }).end();
      return reply(browser.status);
    }
    reply(404);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  project.provide("pushServiceUrl", `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  return () => new Promise((resolve) => server.close(() => resolve()));
}
