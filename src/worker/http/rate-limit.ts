/** Per-session write limits, by Cloudflare's rate limiting binding (no database round trip). */
import { createMiddleware } from "hono/factory";
import { ApiError } from "../../shared/errors.ts";
import type { AppEnv } from "../env.ts";

export const WEBHOOK_PATH = "/api/livekit/webhook";

/**
 * Refuses writes beyond the WRITE_LIMITER budget with 429. The key is the session (one being
 * each) or, before sign-in, the client address.
 */
export const limitWrites = createMiddleware<AppEnv>(async (c, next) => {
  // LiveKit's webhooks come from a few addresses in bursts; they are signed, not a person's writes.
  if (c.req.method !== "GET" && c.req.method !== "HEAD" && c.req.path !== WEBHOOK_PATH) {
    const key = c.var.viewer.sessionId ?? `ip:${c.req.header("CF-Connecting-IP") ?? "local"}`;
    const { success } = await c.env.WRITE_LIMITER.limit({ key });
    if (!success) throw new ApiError("RATE_LIMITED", "too many writes: slow down and retry shortly");
  }
  await next();
});
