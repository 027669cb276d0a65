/** The Hono app: middleware, one sub-app per resource under /api, one error renderer. */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";
import { requestId } from "hono/request-id";
import { ApiError } from "../shared/errors.ts";
import { MAX_BODY_BYTES } from "../shared/limits.ts";
import { createDb } from "./db/client.ts";
import type { AppEnv } from "./env.ts";
import { errorResponse } from "./http/errors.ts";
import { limitWrites } from "./http/rate-limit.ts";
import { sameOrigin } from "./http/same-origin.ts";
import { readSession } from "./http/session.ts";
import { accounts } from "./routes/accounts.ts";
import { attachments } from "./routes/attachments.ts";
import { admin } from "./routes/admin.ts";
import { beings } from "./routes/beings.ts";
import { bots } from "./routes/bots.ts";
import { health } from "./routes/health.ts";
import { intentions } from "./routes/intentions.ts";
import { livekit } from "./routes/livekit.ts";
import { notifications } from "./routes/notifications.ts";
import { push } from "./routes/push.ts";
import { search } from "./routes/search.ts";
import { spaces } from "./routes/spaces.ts";
import { sync } from "./routes/sync.ts";
import { accountSettings } from "./settings.ts";

/** A database client and the caller's session for this request. */
const requestContext = createMiddleware<AppEnv>(async (c, next) => {
  c.set("db", createDb(c.env));
  c.set("viewer", { sessionId: await readSession(c), superuserIds: accountSettings(c.env).superuserIds });
  await next();
});

/** JSON bodies are limited to MAX_BODY_BYTES. */
const jsonBodyLimit = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: () => {
    throw new ApiError("PAYLOAD_TOO_LARGE", `request bodies are limited to ${MAX_BODY_BYTES} bytes`);
  },
});

export const app = new Hono<AppEnv>()
  .basePath("/api")
  .use(requestId(), sameOrigin, requestContext, limitWrites)
  // Mounted before the body limit, which its routes never reach: a file's body is held to the attachments' own limits.
  .route("/", attachments)
  .use(jsonBodyLimit)
  .route("/auth", accounts)
  .route("/", beings)
  .route("/", spaces)
  .route("/", intentions)
  .route("/", health)
  .route("/", admin)
  .route("/", livekit)
  .route("/", sync)
  .route("/", search)
  .route("/", bots)
  .route("/", notifications)
  .route("/", push);

app.onError(errorResponse);

app.notFound((c) => c.json(new ApiError("NOT_FOUND", `no endpoint ${c.req.method} ${c.req.path}`).toBody(), 404));

/** The API's type, for the web client's `hc<AppType>`. */
export type AppType = typeof app;
