/** Search: beings by name (the "Go to…" dialog). */
import { Hono } from "hono";
import { beingSearchQuery } from "../../shared/schemas.ts";
import { searchBeings } from "../db/queries/search.ts";
import type { AppEnv } from "../env.ts";
import { valid } from "../http/validate.ts";

export const search = new Hono<AppEnv>()
  .get("/search/beings", valid("query", beingSearchQuery), async (c) =>
    c.json({ beings: await searchBeings(c.var.db, c.var.viewer, c.req.valid("query")) }, 200));
