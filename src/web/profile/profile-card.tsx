/**
 * A being's profile card: its name and type, who owns it (for a bot, its model and who configured it),
 * where it is, whether it is a superuser and here now. Loaded on first open (see open-profile.ts).
 */
import { createEffect, createSignal, Match, on, Show, Switch } from "solid-js";
import { render } from "solid-js/web";
import type { Being, BeingId, BeingType, BotConfig } from "../../shared/entities.ts";
import { ApiError, errorMessage } from "../../shared/errors.ts";
import type { BeingRead } from "../../shared/responses.ts";
import { getBeing } from "../api.ts";
import { AppLink } from "../components/app-link.tsx";
import { Avatar } from "../components/avatar.tsx";
import { SpaceLink } from "../components/space-link.tsx";
import { nameOf } from "../names.ts";
import { ACCOUNT_PATH, currentSpace, onAccountPage } from "../router.ts";
import { me } from "../session.ts";
import type { ProfileOptions } from "./open-profile.ts";
import "./profile-card.css";

const TYPE_NAMES: Record<BeingType, string> = { guest: "person", bot: "bot", space: "space", document: "document" };

/** What the card shows: the being, and its owner's name (null: an owner the viewer may not see). */
interface Profile extends BeingRead {
  ownerName?: string | null;
}

const notFound = (error: unknown) => error instanceof ApiError && error.code === "NOT_FOUND";

/** The being and its owner's name; "not-found" when the viewer may not see it (or it is gone). */
async function loadProfile(id: BeingId): Promise<Profile | "not-found"> {
  let read: BeingRead;
  try {
    read = await getBeing(id);
  } catch (error) {
    if (notFound(error)) return "not-found";
    throw error;
  }
  // A person owns itself: no owner to name.
  const ownerId = read.being.ownerId;
  if (!ownerId || ownerId === id) return read;
  const ownerName = await getBeing(ownerId).then(
    (owner) => owner.being.name,
    (error: unknown) => (notFound(error) ? null : Promise.reject(error)),
  );
  return { ...read, ownerName };
}

let open: HTMLDialogElement | undefined;

/** Shows `id`'s card as a modal `<dialog>` (replacing one already open), focus returning to the opener on close. */
export function showProfile(id: BeingId, options: ProfileOptions): void {
  open?.close();
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : undefined;
  const dialog = document.createElement("dialog");
  dialog.className = "profile-card";
  dialog.setAttribute("aria-labelledby", "profile-title");
  document.body.appendChild(dialog);
  const dispose = render(() => <ProfileCard id={id} options={options} onClose={() => dialog.close()} />, dialog);
  dialog.addEventListener("close", () => {
    dispose();
    dialog.remove();
    if (open === dialog) open = undefined;
    opener?.focus();
  });
  // The dialog's own box is all backdrop: the card fills it, so a click that lands on the dialog itself was outside the card.
  dialog.addEventListener("click", (event) => event.target === dialog && dialog.close());
  open = dialog;
  dialog.showModal();
}

function ProfileCard(props: { id: BeingId; options: ProfileOptions; onClose(): void }) {
  const [profile, setProfile] = createSignal<Profile | "not-found">();
  const [failure, setFailure] = createSignal<string>();
  loadProfile(props.id).then(setProfile, (error: unknown) => setFailure(errorMessage(error)));
  // Following one of its links (its place, my account), or going Back, leaves the card behind.
  createEffect(on([currentSpace, onAccountPage], () => props.onClose(), { defer: true }));
  const found = () => {
    const value = profile();
    return typeof value === "object" ? value : undefined;
  };
  return (
    <div class="profile-card-body">
      <button type="button" class="button small quiet profile-close" aria-label="Close" onClick={() => props.onClose()}>
        ×
      </button>
      <Switch fallback={<p role="status" id="profile-title">Loading…</p>}>
        <Match when={failure()}>
          <p role="alert" id="profile-title">
            {failure()}
          </p>
        </Match>
        <Match when={profile() === "not-found"}>
          <p id="profile-title">You cannot see this being: it is gone, or somewhere private.</p>
        </Match>
        <Match when={found()}>{(found) => <Details profile={found()} presence={props.options.presence?.()} />}</Match>
      </Switch>
    </div>
  );
}

function Details(props: { profile: Profile; presence: string | undefined }) {
  const being = (): Being => props.profile.being;
  const mine = () => being().id === me()?.id;
  const owner = () => {
    const { ownerId } = being();
    if (ownerId === me()?.id) return "you";
    return props.profile.ownerName ?? "someone you cannot see";
  };
  const hasOwner = () => props.profile.ownerName !== undefined;
  return (
    <>
      <div class="profile-head">
        <Avatar id={being().id} name={being().name} />
        <h2 id="profile-title">{being().name}</h2>
      </div>
      <p class="profile-tags">
        <span class="tag">{TYPE_NAMES[being().type]}</span>
        <Show when={mine()}>
          <span class="tag">you</span>
        </Show>
        <Show when={props.profile.superuser}>
          <span class="tag">superuser</span>
        </Show>
        <Show when={props.presence}>
          <span class="tag">{props.presence}</span>
        </Show>
      </p>
      <dl class="profile-facts">
        {/* Not through bot-form's botConfigOf: importing the form here made the bundler split the start chunk in three. */}
        <Show when={being().type === "bot"}>
          <dt>Model</dt>
          <dd>{(being().properties.bot as Partial<BotConfig> | undefined)?.model || "not set"}</dd>
        </Show>
        <Show when={hasOwner()}>
          <dt>{being().type === "bot" ? "Configured by" : "Owner"}</dt>
          <dd>{owner()}</dd>
        </Show>
        <dt>Where</dt>
        <dd>
          <Show when={being().locationId} fallback="not disclosed">
            {(location) => <SpaceLink id={location()}>{nameOf(location()) ?? location()}</SpaceLink>}
          </Show>
        </dd>
        <dt>Id</dt>
        <dd>
          <code>{being().id}</code>
        </dd>
      </dl>
      <Show when={mine()}>
        <p>
          <AppLink href={ACCOUNT_PATH} class="button small">
            Your account
          </AppLink>
        </p>
      </Show>
    </>
  );
}
