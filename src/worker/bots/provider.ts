/**
 * A chat completion streamed from an OpenAI-compatible endpoint (OpenAI, OpenRouter, Ollama,
 * llama.cpp's server, Workers AI's /v1): plain fetch, Server-Sent Events parsed by eventsource-parser.
 */
import { createParser, type EventSourceMessage } from "eventsource-parser";
import type { ChatMessage } from "./conversation.ts";

/** The provider refused or broke off the completion; `message` is readable (the caller scrubs secrets from it). */
export class ProviderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProviderError";
  }
}

export interface CompletionRequest {
  baseUrl: string;
  apiKey: string;
  model: string;
  messages: ChatMessage[];
  signal: AbortSignal;
  /** Hears the tokens the provider says the completion cost (prompt and reply); asking for them adds `stream_options.include_usage`. */
  onUsage?: (tokens: number) => void;
}

/** What a provider said went wrong, from its error body (`{ error: { message } }`, `{ error }` or text). */
function providerMessage(body: string): string {
  try {
    const json = JSON.parse(body) as { error?: { message?: unknown } | string; message?: unknown };
    const message = typeof json.error === "string" ? json.error : (json.error?.message ?? json.message);
    if (typeof message === "string") return message;
  } catch {
    // Not JSON: the text itself.
  }
  return body.trim();
}

const cut = (text: string, max = 500) => (text.length > max ? `${text.slice(0, max)}…` : text);

/** A provider's refusal of a request (an HTTP error status), with what it said, cut short. */
export function refusal(status: number, body: string): ProviderError {
  const message = providerMessage(body);
  return new ProviderError(`The model provider answered ${status}${message ? `: ${cut(message)}` : ""}`);
}

/**
 * Streams the completion's text deltas. Throws ProviderError for an answer that is not a stream
 * (HTTP error) or an error event inside it; other throws (network, abort) pass through as they are.
 */
export async function* streamCompletion(request: CompletionRequest): AsyncGenerator<string> {
  const response = await fetch(`${request.baseUrl}/chat/completions`, {
    method: "POST",
    headers: { Authorization: `Bearer ${request.apiKey}`, "Content-Type": "application/json", Accept: "text/event-stream" },
    body: JSON.stringify({
      model: request.model, messages: request.messages, stream: true,
      ...(request.onUsage ? { stream_options: { include_usage: true } } : {}),
    }),
    signal: request.signal,
  });
  if (!response.ok || !response.body) throw refusal(response.status, await response.text().catch(() => ""));
  const events: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (event) => events.push(event) });
  const decoder = new TextDecoder();
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      parser.feed(decoder.decode(value, { stream: true }));
      for (const event of events.splice(0)) {
        if (event.data.trim() === "[DONE]") return;
        let chunk: { choices?: Array<{ delta?: { content?: unknown } }>; error?: { message?: unknown } | string; usage?: { total_tokens?: unknown } };
        try {
          chunk = JSON.parse(event.data);
        } catch {
          continue; // a comment or keep-alive some providers send
        }
        if (chunk.error) throw new ProviderError(`The model provider failed: ${cut(providerMessage(JSON.stringify(chunk)))}`);
        if (typeof chunk.usage?.total_tokens === "number") request.onUsage?.(chunk.usage.total_tokens);
        const delta = chunk.choices?.[0]?.delta?.content;
        if (typeof delta === "string" && delta) yield delta;
      }
    }
  } finally {
    reader.releaseLock();
    await response.body.cancel().catch(() => undefined);
  }
}
