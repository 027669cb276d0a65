/** Sign-in as a guest, sign-out, and who am I. */
import { Hono } from "hono";
import { newBeingId } from "../../shared/ids.ts";
import { ApiError } from "../../shared/errors.ts";
import type { Me } from "../../shared/responses.ts";
import { guestSignIn } from "../../shared/schemas.ts";
import { getMe } from "../db/queries/beings.ts";
import { createGuest, deleteSession } from "../db/queries/sessions.ts";
import type { AppEnv } from "../env.ts";
import { clearSession, newSession, writeSession } from "../http/session.ts";
import { valid } from "../http/validate.ts";

export const auth = new Hono<AppEnv>()
  .post("/auth/guest", valid("json", guestSignIn), async (c) => {
    if (c.env.GUEST_SIGNIN === "off") throw new ApiError("FORBIDDEN", "guest sign-in is switched off");
    const { name } = c.req.valid("json");
    const session = newSession(c);
    const being = await createGuest(c.var.db, newBeingId(name), name, session);
    await writeSession(c, session.id);
    return c.json({ being }, 201);
  })
  .post("/auth/signout", async (c) => {
    if (c.var.viewer.sessionId) await deleteSession(c.var.db, c.var.viewer.sessionId);
    clearSession(c);
    return c.body(null, 204);
  })
  .get("/me", async (c) => c.json((await getMe(c.var.db, c.var.viewer)) satisfies Me, 200));
