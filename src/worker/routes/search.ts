/** Search: beings by name and messages by their words (the "Go to…" dialog). */
import { Hono } from "hono";
import { beingSearchQuery, intentionSearchQuery } from "../../shared/schemas.ts";
import { searchBeings, searchIntentions } from "../db/queries/search.ts";
import type { AppEnv } from "../env.ts";
import { valid } from "../http/validate.ts";

export const search = new Hono<AppEnv>()
  .get("/search/beings", valid("query", beingSearchQuery), async (c) =>
    c.json({ beings: await searchBeings(c.var.db, c.var.viewer, c.req.valid("query")) }, 200))
  .get("/search/intentions", valid("query", intentionSearchQuery), async (c) =>
    c.json(await searchIntentions(c.var.db, c.var.viewer, c.req.valid("query")), 200));
