/** Test helpers for the sync queue: a binding that records notices, and a consumer run over notices. */
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import type { BeingId } from "../../src/shared/entities.ts";
import worker from "../../src/worker/index.ts";

/** A queue binding that records what is sent to it (the consumer's delayed notices). */
export function recordingQueue() {
  const sent: Array<{ space: string; delaySeconds?: number }> = [];
  const queue = {
    send: async (body: { space: string }, options?: { delaySeconds?: number }) => void sent.push({ space: body.space, delaySeconds: options?.delaySeconds }),
    sendBatch: async (messages: Array<{ body: { space: string } }>, options?: { delaySeconds?: number }) =>
      void messages.forEach((m) => sent.push({ space: m.body.space, delaySeconds: options?.delaySeconds })),
  } as unknown as Queue;
  return { queue, sent };
}

/** Runs the queue consumer over one notice per space. */
export async function consume(spaces: BeingId[], env: Env) {
  const batch = createMessageBatch("spaces-sync", spaces.map((space) => ({ id: crypto.randomUUID(), timestamp: new Date(), attempts: 1, body: { space } })));
  await worker.queue(batch as MessageBatch<any>, env);
  return getQueueResult(batch, createExecutionContext());
}
