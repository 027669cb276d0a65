/** Cross-site request forgery guard for mutating requests. */
import { createMiddleware } from "hono/factory";
import { ApiError } from "../../shared/errors.ts";
import type { AppEnv } from "../env.ts";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Refuses a mutating request that a browser sent from another site: its Origin is not the app's
 * own, or (without Origin) Sec-Fetch-Site says cross-site. Clients that send neither are not
 * browsers, so no ambient cookie can be abused through them.
 */
export const sameOrigin = createMiddleware<AppEnv>(async (c, next) => {
  if (!SAFE_METHODS.has(c.req.method)) {
    const origin = c.req.header("Origin");
    const site = c.req.header("Sec-Fetch-Site");
    const own = new URL(c.req.url).origin;
    if ((origin !== undefined && origin !== own) || (origin === undefined && site === "cross-site")) {
      throw new ApiError("FORBIDDEN", "cross-site request refused");
    }
  }
  await next();
});
