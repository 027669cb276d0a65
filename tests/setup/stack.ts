// globalSetup of the `stack` project: one full local stack (wrangler dev, PostgreSQL, the Neon
// endpoint, livekit-server) shared by the integration and e2e files, plus a loopback control
// server, because test files run in other processes and cannot reach the stack's handles:
//   POST /livekit/down | /livekit/up | /livekit/restart   an outage of the LiveKit server
//   POST /postgres/down | /postgres/up                    an outage of PostgreSQL (same data, same port)
//   POST /postgres/pause | /postgres/resume               a hung PostgreSQL (SIGSTOP / SIGCONT)
//   GET  /neon/stats   POST /neon/reset-stats             queries the worker sent over HTTP
//   GET  /livekit/calls                                   the worker's LiveKit server API calls so far (ApiCall[])
// The worker reaches LiveKit through a counting proxy (tests/bench/livekit-proxy.ts), so a test can
// show that a change reached a room without a server call (a writer relayed it).
// Bots stream from the fake OpenAI-compatible provider (tests/support/fake-model-provider.ts), started here,
// and people may sign in at a real OpenID provider (tests/support/oidc-provider.ts) configured as "test".
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { TestProject } from "vitest/node";
import { freePort } from "../../scripts/local/free-port.ts";
import { type Stack, startStack } from "../../scripts/local/stack.ts";
import { startLivekitProxy, type LivekitProxy } from "../bench/livekit-proxy.ts";
import { startFakeModelProvider } from "../support/fake-model-provider.ts";
import { callbackUrl, OIDC_CLIENT } from "../support/oidc-client.ts";
import { startOidcProvider } from "../support/oidc-provider.ts";

declare module "vitest" {
  export interface ProvidedContext {
    stack: { url: string; databaseUrl: string; livekitUrl: string; livekitApiKey: string; livekitApiSecret: string };
    /** Base URL of the control server described at the top of tests/setup/stack.ts. */
    stackControl: string;
  }
}

function control(stack: Stack, proxy: LivekitProxy) {
  const livekit = stack.livekit!;
  const postgres = stack.postgres!;
  const actions: Record<string, () => Promise<unknown>> = {
    "POST /livekit/down": () => livekit.down(),
    "POST /livekit/up": () => livekit.up(),
    "POST /livekit/restart": () => livekit.restart(),
    "POST /postgres/down": () => postgres.down(),
    "POST /postgres/up": () => postgres.up(),
    "POST /postgres/pause": () => postgres.pause(),
    "POST /postgres/resume": () => postgres.resume(),
    "GET /livekit/calls": async () => proxy.calls,
    "GET /neon/stats": async () => stack.neonEndpoint?.stats(),
    "POST /neon/reset-stats": async () => stack.neonEndpoint?.resetStats(),
  };
  return async (request: IncomingMessage, response: ServerResponse) => {
    request.resume();
    const action = actions[`${request.method} ${request.url}`];
    if (!action) return void response.writeHead(404).end();
    try {
      const result = await action();
      response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(result ?? { ok: true }));
    } catch (error) {
      response.writeHead(500, { "content-type": "text/plain" }).end(String(error));
    }
  };
}

/** Starts the stack and the control server, provides their URLs, and returns the teardown that stops both. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const provider = await startFakeModelProvider();
  const oidc = await startOidcProvider();
  // The worker's port first: the OpenID provider accepts only callbacks it knows. Passkeys need a host
  // name (WebAuthn refuses IP addresses), so browsers may come as localhost as well as 127.0.0.1.
  const port = await freePort();
  oidc.configure(["127.0.0.1", "localhost"].map((host) => callbackUrl(`http://${host}:${port}`, "test")));
  // The LiveKit server starts with the stack, after the worker was told the proxy's URL.
  let livekitUrl = "";
  const proxy = await startLivekitProxy({ upstream: () => livekitUrl, callsPerMinute: null });
  const stack = await startStack({
    database: { kind: "postgres" },
    livekit: "required",
    buildWeb: false,
    port,
    vars: {
      BOT_API_BASE_URL: provider.url,
      AUTH_PROVIDERS: JSON.stringify([{ id: "test", name: "Test ID", issuer: oidc.issuer, clientId: OIDC_CLIENT.id }]),
      AUTH_TEST_CLIENT_SECRET: OIDC_CLIENT.secret,
      LIVEKIT_URL: proxy.url,
    },
  }).catch(async (error: unknown) => {
    await proxy.close();
    await provider.close();
    await oidc.close();
    throw error;
  });
  const livekit = stack.livekit!;
  livekitUrl = livekit.url;
  const server = createServer(control(stack, proxy));
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", resolve);
    });
  } catch (error) {
    await stack.stop();
    await proxy.close();
    await provider.close();
    await oidc.close();
    throw error;
  }
  project.provide("stack", {
    url: stack.url,
    databaseUrl: stack.databaseUrl,
    livekitUrl: livekit.url,
    livekitApiKey: livekit.apiKey,
    livekitApiSecret: livekit.apiSecret,
  });
  project.provide("stackControl", `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  return async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await stack.stop();
    await proxy.close();
    await provider.close();
    await oidc.close();
  };
}
