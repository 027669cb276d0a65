/**
 * Accounts, all under /api/auth/ (app.ts mounts them there): signing in as a guest and signing out,
 * passkeys, sign-in providers, and the device list. Every sign-in ends in the same kind of session
 * (src/worker/http/session.ts).
 */
import { Hono, type Context } from "hono";
import { object } from "zod";
import { ApiError } from "../../shared/errors.ts";
import { newBeingId } from "../../shared/ids.ts";
import type { IdentityInfo } from "../../shared/responses.ts";
import { guestSignIn, oidcStart, passkeyFinish, passkeyId, providerId, sessionPublicId } from "../../shared/schemas.ts";
import { deviceLabel } from "../../shared/device-label.ts";
import { accountFromCallback, authorizationUrl, SignInRefused, type FlowSecrets } from "../auth/oidc.ts";
import {
  authenticationOptions,
  claimedChallenge,
  registrationOptions,
  relyingParty,
  verifyAuthentication,
  verifyRegistration,
} from "../auth/passkeys.ts";
import { configuredProviders, findProvider, type Provider } from "../auth/providers.ts";
import {
  addPasskey,
  listIdentities,
  listPasskeys,
  registrationContext,
  removeIdentity,
  removePasskey,
  saveChallenge,
  signInWithIdentity,
  signInWithPasskey,
  takeChallenge,
  takeSignInChallenge,
} from "../db/queries/accounts.ts";
import { getMe } from "../db/queries/beings.ts";
import { createGuest, deleteSession, endSession, listSessions } from "../db/queries/sessions.ts";
import type { AppEnv } from "../env.ts";
import { clearSession, newSession, takeFlowState, writeFlowState, writeSession } from "../http/session.ts";
import { valid } from "../http/validate.ts";
import { accountSettings } from "../settings.ts";

const byProvider = valid("param", object({ provider: providerId }));

/** Where a provider sends the browser back to: this deployment's own callback for that provider. */
const redirectUri = (c: Context<AppEnv>, provider: string) => `${new URL(c.req.url).origin}/api/auth/oidc/${provider}/callback`;

function requireProvider(env: Env, id: string): Provider {
  const provider = findProvider(env, id);
  if (!provider) throw new ApiError("NOT_FOUND", `no sign-in provider ${id} is configured`);
  return provider;
}

/** The app page a provider callback lands on; `signin_error` says what went wrong, for the page to show. */
function landing(attach: boolean, error?: "denied" | "failed" | "expired" | "conflict"): string {
  const page = attach ? "/account" : "/";
  return error ? `${page}?signin_error=${error}` : page;
}

export const accounts = new Hono<AppEnv>()
  .post("/guest", valid("json", guestSignIn), async (c) => {
    if (!accountSettings(c.env).guestSignIn) throw new ApiError("FORBIDDEN", "guest sign-in is switched off");
    const { name } = c.req.valid("json");
    const session = newSession(c);
    const being = await createGuest(c.var.db, newBeingId(name), name, session);
    await writeSession(c, session.id);
    return c.json({ being }, 201);
  })
  .post("/signout", async (c) => {
    if (c.var.viewer.sessionId) await deleteSession(c.var.db, c.var.viewer.sessionId);
    clearSession(c);
    return c.body(null, 204);
  })
  .get("/providers", (c) => {
    // No secret, no client id: the id and the name to show.
    const providers = configuredProviders(c.env).map(({ id, name }) => ({ id, name }));
    return c.json({ providers }, 200);
  })

  // Passkeys: register one for the signed-in being (a guest keeps its id, name and messages).
  .post("/passkeys/register/options", async (c) => {
    const { being, credentials } = await registrationContext(c.var.db, c.var.viewer);
    const options = await registrationOptions(relyingParty(c.req.url), being, credentials);
    await saveChallenge(c.var.db, { id: options.challenge, kind: "passkey-register", beingId: being.id });
    return c.json({ options }, 200);
  })
  .post("/passkeys/register", valid("json", passkeyFinish), async (c) => {
    const { credential } = c.req.valid("json");
    const challenge = claimedChallenge(credential);
    const taken = await takeChallenge(c.var.db, challenge, "passkey-register");
    if (!taken?.beingId) throw new ApiError("VALIDATION", "the passkey challenge is unknown, used already or expired: start again");
    const made = await verifyRegistration(relyingParty(c.req.url), credential, challenge);
    const label = deviceLabel(c.req.header("User-Agent") ?? "");
    const passkey = await addPasskey(c.var.db, c.var.viewer, taken.beingId, { ...made, label });
    return c.json({ passkey }, 201);
  })

  // Passkeys: sign in as the being a passkey belongs to (from any browser).
  .post("/passkeys/signin/options", async (c) => {
    const options = await authenticationOptions(relyingParty(c.req.url));
    await saveChallenge(c.var.db, { id: options.challenge, kind: "passkey-signin", beingId: null });
    return c.json({ options }, 200);
  })
  .post("/passkeys/signin", valid("json", passkeyFinish), async (c) => {
    const { credential } = c.req.valid("json");
    const challenge = claimedChallenge(credential);
    const { fresh, passkey } = await takeSignInChallenge(c.var.db, challenge, credential.id);
    if (!fresh) throw new ApiError("UNAUTHENTICATED", "the passkey challenge is unknown, used already or expired: start again");
    if (!passkey) throw new ApiError("UNAUTHENTICATED", "this passkey is not registered here (it may have been removed)");
    const newCounter = await verifyAuthentication(relyingParty(c.req.url), credential, challenge, passkey);
    const session = newSession(c);
    const being = await signInWithPasskey(c.var.db, c.var.viewer, { credentialId: passkey.id, verifiedCounter: passkey.counter, newCounter }, session);
    await writeSession(c, session.id);
    return c.json({ being }, 200);
  })
  .get("/passkeys", async (c) => c.json({ passkeys: await listPasskeys(c.var.db, c.var.viewer) }, 200))
  .delete("/passkeys/:id", valid("param", object({ id: passkeyId })), async (c) => {
    await removePasskey(c.var.db, c.var.viewer, c.req.valid("param").id);
    return c.body(null, 204);
  })

  // Sign-in providers. Start is a same-origin POST that answers the provider's URL; the page then navigates there.
  .post("/oidc/:provider/start", byProvider, valid("json", oidcStart), async (c) => {
    const provider = requireProvider(c.env, c.req.valid("param").provider);
    const attach = c.req.valid("json").attach === true;
    // "Save this identity" attaches to the being signed in now; getMe refuses when there is none.
    const attachTo = attach ? (await getMe(c.var.db, c.var.viewer)).being.id : null;
    const { url, state, secrets } = await authorizationUrl(provider, redirectUri(c, provider.id));
    await saveChallenge(c.var.db, { id: state, kind: "oidc", beingId: attachTo, data: { ...secrets } });
    await writeFlowState(c, state);
    return c.json({ url }, 200);
  })
  // A top-level navigation from the provider: it answers with a redirect into the app, never with JSON.
  .get("/oidc/:provider/callback", byProvider, async (c) => {
    const state = c.req.query("state") ?? "";
    const began = await takeFlowState(c);
    // A state this browser did not begin (forged, or another browser's link) is refused and left untouched.
    // Whether it was a sign-in or a "Save this identity" is unknown then: someone signed in was saving.
    if (!state || began !== state) return c.redirect(landing(c.var.viewer.sessionId !== null, "expired"), 303);
    const flow = await takeChallenge(c.var.db, state, "oidc");
    if (!flow?.data) return c.redirect(landing(c.var.viewer.sessionId !== null, "expired"), 303);
    // A flow that attaches was issued for the being signed in then (see start).
    const attach = flow.beingId !== null;
    const provider = findProvider(c.env, c.req.valid("param").provider);
    if (!provider || provider.id !== flow.data.provider) return c.redirect(landing(attach, "failed"), 303);
    try {
      const account = await accountFromCallback(provider, redirectUri(c, provider.id), new URL(c.req.url), state, flow.data as unknown as FlowSecrets);
      const session = newSession(c);
      const identity = { provider: provider.id, subject: account.subject, newBeing: { id: newBeingId(account.name), name: account.name } };
      await signInWithIdentity(c.var.db, c.var.viewer, identity, flow.beingId, session);
      if (!attach) await writeSession(c, session.id);
      return c.redirect(landing(attach), 303);
    } catch (error) {
      if (error instanceof SignInRefused) {
        console.warn(JSON.stringify({ level: "warn", event: "signin_refused", provider: provider.id, reason: error.reason, message: error.message }));
        return c.redirect(landing(attach, error.reason), 303);
      }
      if (error instanceof ApiError && error.code === "CONFLICT") return c.redirect(landing(attach, "conflict"), 303);
      if (error instanceof ApiError && error.code === "FORBIDDEN") return c.redirect(landing(attach, "expired"), 303);
      throw error;
    }
  })
  .get("/identities", async (c) => {
    const names = new Map(configuredProviders(c.env).map((p) => [p.id, p.name]));
    const identities: IdentityInfo[] = (await listIdentities(c.var.db, c.var.viewer)).map((i) => ({ ...i, name: names.get(i.provider) ?? i.provider }));
    return c.json({ identities }, 200);
  })
  .delete("/identities/:provider", byProvider, async (c) => {
    await removeIdentity(c.var.db, c.var.viewer, c.req.valid("param").provider);
    return c.body(null, 204);
  })

  // Devices: the being's sessions, and signing one out from another.
  .get("/sessions", async (c) => c.json({ sessions: await listSessions(c.var.db, c.var.viewer) }, 200))
  .delete("/sessions/:id", valid("param", object({ id: sessionPublicId })), async (c) => {
    const { current } = await endSession(c.var.db, c.var.viewer, c.req.valid("param").id);
    if (current) clearSession(c);
    return c.body(null, 204);
  });
