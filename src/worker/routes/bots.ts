/** What the bot form asks of the server beyond the being itself: the provider's models. */
import { Hono } from "hono";
import { ApiError } from "../../shared/errors.ts";
import type { BotModels } from "../../shared/responses.ts";
import { botModelsQuery } from "../../shared/schemas.ts";
import { keyIdentity, listModels } from "../bots/models.ts";
import { ProviderError } from "../bots/provider.ts";
import { botApiKey, defaultApiKey, scrubSecret } from "../bots/secrets.ts";
import { requireAccess, requireSignedIn } from "../db/queries/access.ts";
import { cachedModelList, keepModelList, modelListAccess } from "../db/queries/model-lists.ts";
import type { AppEnv } from "../env.ts";
import { valid } from "../http/validate.ts";
import { botSettings } from "../settings.ts";

export const bots = new Hono<AppEnv>().get("/bots/models", valid("query", botModelsQuery), async (c) => {
  const { bot } = c.req.valid("query");
  const access = await modelListAccess(c.var.db, c.var.viewer, bot);
  // A bot's own key lists only for who may change the bot; without a bot, only the operator's key is used.
  if (bot) requireAccess(access, "bot");
  else requireSignedIn(access);
  const settings = botSettings(c.env);
  if (!settings.apiBaseUrl) throw new ApiError("UNAVAILABLE", "This server has no model provider: its operator sets BOT_API_BASE_URL.");
  const key = await botApiKey(c.env, bot ?? null, bot ? access.sealed : null);
  const identity = await keyIdentity(key.source, bot, access.sealed);
  let models = await cachedModelList(c.var.db, settings.apiBaseUrl, identity);
  if (!models) {
    try {
      models = await listModels(settings.apiBaseUrl, key.apiKey);
    } catch (error) {
      if (error instanceof ProviderError) throw new ApiError("UNAVAILABLE", scrubSecret(error.message, key.apiKey));
      throw error;
    }
    await keepModelList(c.var.db, settings.apiBaseUrl, identity, models);
  }
  const defaultKey = defaultApiKey(c.env) ? { tokensPerPersonPerDay: settings.defaultKeyTokensPerBeing } : null;
  return c.json({ models, key: key.source, defaultKey } satisfies BotModels, 200);
});
