/**
 * A small OpenAI-compatible streaming server on loopback: the network edge bots talk to, played in
 * tests (as the worker tests intercept LiveKit's). What it does is chosen per request by the model
 * name, so tests running at once never share its state:
 *
 *   fake?tokens=20&rate=40       streams "t1 t2 … t20 " at 40 tokens a second, then [DONE]
 *   …&fail=401                   answers that status with an OpenAI-style error body instead
 *   …&echoKey=1                  (with fail) the error message repeats the Authorization header's key
 *   …&stallAfter=3               sends 3 tokens, then nothing (the connection stays open)
 *   …&crashAfter=3&crashTimes=1  sends 3 tokens, then drops the connection, for the first N requests
 *                                of a conversation (its last message); later ones stream normally
 *   …&tag=x                      records the request body under x (GET /__requests?tag=x)
 *   …&usage=500                  (asked with stream_options.include_usage) reports 500 tokens in its last
 *                                chunk; without it, a count of its own (prompt characters ÷ 4 + tokens sent)
 *
 * GET /v1/models lists `fake-large`, `fake-small` and `with-key` or `without-key` (whether an Authorization
 * header came), recording each request's header under the tag `models`. Its answer is chosen by the key:
 *
 *   fail-503-…                   answers 503 with an OpenAI-style error that repeats the key
 *   huge-…                       answers a list of more than 4 MiB
 */
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { readBody } from "./http.ts";

export { fakeModel, fakeText } from "./fake-model.ts";

export interface FakeModelProvider {
  /** The base URL bots use: `…/v1`. */
  url: string;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts the fake provider on a free loopback port. */
export async function startFakeModelProvider(): Promise<FakeModelProvider> {
  const attempts = new Map<string, number>();
  const recorded = new Map<string, unknown[]>();
  const open = new Set<ServerResponse>();

  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? "/", "http://fake");
    if (request.method === "GET" && url.pathname === "/__requests") {
      response.setHeader("Content-Type", "application/json");
      return response.end(JSON.stringify(recorded.get(url.searchParams.get("tag") ?? "") ?? []));
    }
    if (request.method === "GET" && url.pathname === "/v1/models") return listModels(request.headers.authorization, response);
    if (request.method !== "POST" || url.pathname !== "/v1/chat/completions") {
      response.statusCode = 404;
      return response.end(JSON.stringify({ error: { message: "not found" } }));
    }
    const body = JSON.parse(await readBody(request)) as {
      model: string; messages: Array<{ content: string }>; stream?: boolean; stream_options?: { include_usage?: boolean };
    };
    const options = new URL(body.model, "http://fake/").searchParams;
    const number = (name: string, fallback: number) => Number(options.get(name) ?? fallback);
    const tag = options.get("tag");
    if (tag) recorded.set(tag, [...(recorded.get(tag) ?? []), { ...body, authorization: request.headers.authorization }]);

    const fail = number("fail", 0);
    if (fail) {
      const key = (request.headers.authorization ?? "").replace(/^Bearer /, "");
      const message = options.get("echoKey") ? `Incorrect API key provided: ${key}. Bearer ${key} is not valid.` : "The model is overloaded.";
      response.writeHead(fail, { "Content-Type": "application/json" });
      return response.end(JSON.stringify({ error: { message, type: "invalid_request_error" } }));
    }

    const conversation = `${body.model} ${JSON.stringify(body.messages.at(-1))}`;
    const attempt = (attempts.get(conversation) ?? 0) + 1;
    attempts.set(conversation, attempt);
    const tokens = number("tokens", 10);
    const interval = 1000 / number("rate", 40);
    const stallAfter = number("stallAfter", Infinity);
    const crashAfter = attempt <= number("crashTimes", 0) ? number("crashAfter", Infinity) : Infinity;

    open.add(response);
    response.on("close", () => open.delete(response));
    response.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache", Connection: "keep-alive" });
    response.write(": fake provider\n\n");
    for (let i = 1; i <= tokens; i++) {
      if (response.destroyed) return;
      if (i > stallAfter) return; // stalls: the connection stays open, nothing more comes
      if (i > crashAfter) return void response.socket?.destroy();
      const chunk = { id: "fake", object: "chat.completion.chunk", choices: [{ index: 0, delta: { content: `t${i} ` } }] };
      response.write(`data: ${JSON.stringify(chunk)}\n\n`);
      await sleep(interval);
    }
    if (body.stream_options?.include_usage) {
      const prompt = Math.ceil(body.messages.reduce((sum, message) => sum + message.content.length, 0) / 4);
      const total = number("usage", prompt + tokens);
      response.write(`data: ${JSON.stringify({ id: "fake", object: "chat.completion.chunk", choices: [], usage: { total_tokens: total } })}\n\n`);
    }
    response.end("data: [DONE]\n\n");
  });

  /** GET /v1/models, as described above. */
  const listModels = (authorization: string | undefined, response: ServerResponse) => {
    recorded.set("models", [...(recorded.get("models") ?? []), { authorization }]);
    const key = (authorization ?? "").replace(/^Bearer /, "");
    response.setHeader("Content-Type", "application/json");
    if (key.startsWith("fail-503")) {
      response.statusCode = 503;
      return response.end(JSON.stringify({ error: { message: `The models are resting. Key ${key} is fine.` } }));
    }
    if (key.startsWith("huge")) return response.end(JSON.stringify({ data: [{ id: "x".repeat(5 * 1024 * 1024) }] }));
    const ids = ["fake-small", "fake-large", authorization ? "with-key" : "without-key"];
    response.end(JSON.stringify({ object: "list", data: ids.map((id) => ({ id, object: "model", owned_by: "fake" })) }));
  };
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    close: async () => {
      for (const response of open) response.socket?.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
