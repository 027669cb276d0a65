/**
 * "Space settings", for the space's owner and superusers (the snapshot's mayManage says who): its name,
 * description (properties.description), who may enter (private, members), handing it over, deleting it.
 * Every write is PATCH/DELETE /api/beings/:id or POST /api/beings/:id/owner with the version the form
 * started from, so a change made elsewhere meanwhile is not overwritten unseen. Fetched on first open.
 */
import { createSignal, For, Show } from "solid-js";
import { LOBBY_ID, type Being, type BeingId } from "../../shared/entities.ts";
import { ApiError } from "../../shared/errors.ts";
import { MAX_NAME_LENGTH } from "../../shared/limits.ts";
import { deleteBeing, patchBeing } from "../api.ts";
import { createFormAction, FormError } from "../components/form-action.tsx";
import { nameOf } from "../names.ts";
import { navigate } from "../router.ts";
import { Modal } from "./modal.tsx";
import { HandOver } from "./hand-over.tsx";
import { PersonPicker } from "./person-picker.tsx";

export interface SpaceSettingsProps {
  /** The space as synced: live, so a change made elsewhere shows here too. */
  space: Being;
  meId: BeingId;
  onClose(): void;
}

/** How long a description may be: a paragraph, not a document. */
const MAX_DESCRIPTION_LENGTH = 500;

const membersOf = (space: Being): BeingId[] => (Array.isArray(space.properties.members) ? (space.properties.members as BeingId[]) : []);
const descriptionOf = (space: Being): string => (typeof space.properties.description === "string" ? space.properties.description : "");
const isConflict = (failure: unknown) => failure instanceof ApiError && failure.code === "CONFLICT";

/** The dialog, open while it is rendered. */
export function SpaceSettings(props: SpaceSettingsProps) {
  return (
    <Modal titleId="space-settings-title" title="Space settings" onClose={props.onClose} class="space-settings">
      <SettingsForm space={props.space} />
      <HandOver
        being={props.space}
        meId={props.meId}
        consequence={`You can no longer change its settings${props.space.properties.private === true ? ", and unless you are a member you lose it" : ""}.`}
        onDone={props.onClose}
      />
      <DeleteSpace space={props.space} />
    </Modal>
  );
}

/** Name, description and who may enter, saved together. */
function SettingsForm(props: { space: Being }) {
  const [version, setVersion] = createSignal(props.space.version);
  const [name, setName] = createSignal(props.space.name);
  const [description, setDescription] = createSignal(descriptionOf(props.space));
  const [isPrivate, setPrivate] = createSignal(props.space.properties.private === true);
  const [members, setMembers] = createSignal(membersOf(props.space));
  const [saved, setSaved] = createSignal(false);
  const action = createFormAction();

  /** Starts again from the space as it is now. */
  const reset = () => {
    setVersion(props.space.version);
    setName(props.space.name);
    setDescription(descriptionOf(props.space));
    setPrivate(props.space.properties.private === true);
    setMembers(membersOf(props.space));
  };
  // Who the draft takes the space from: members dropped from a private space, or everyone else when it turns private.
  const losing = () => (isPrivate() ? membersOf(props.space).filter((id) => !members().includes(id)) : []);
  const turningPrivate = () => isPrivate() && props.space.properties.private !== true;
  const consequence = () => {
    const who = turningPrivate() ? "everyone who is not a member" : losing().map((id) => nameOf(id) ?? id).join(", ");
    return who ? `Saving takes the space from ${who} at once: an open page of theirs closes it, and their voice and video here end.` : "";
  };

  const save = async (event: SubmitEvent) => {
    event.preventDefault();
    setSaved(false);
    const { description: _, ...kept } = props.space.properties;
    const text = description().trim();
    const properties = { ...kept, ...(text ? { description: text } : {}), private: isPrivate(), members: members() };
    const ok = await action.run(async () => {
      try {
        setVersion((await patchBeing(props.space.id, { name: name().trim(), properties, ifVersion: version() })).version);
      } catch (failure) {
        if (!isConflict(failure)) throw failure;
        reset();
        throw new Error("The space was changed elsewhere meanwhile: the form now shows it as it is. Make your change again.");
      }
    });
    setSaved(ok);
  };

  return (
    <form class="settings-section" onSubmit={(event) => void save(event)}>
      <label for="space-name">Name</label>
      <input id="space-name" class="input" required maxLength={MAX_NAME_LENGTH} value={name()} onInput={(event) => setName(event.currentTarget.value)} />
      <label for="space-description">Description</label>
      <textarea
        id="space-description"
        class="input"
        rows="3"
        maxLength={MAX_DESCRIPTION_LENGTH}
        value={description()}
        onInput={(event) => setDescription(event.currentTarget.value)}
      />
      <label class="check">
        <input type="checkbox" checked={isPrivate()} onChange={(event) => setPrivate(event.currentTarget.checked)} />
        Private: only its members (and you) may enter
      </label>
      <Show when={isPrivate()}>
        <fieldset class="members">
          <legend>Members</legend>
          <Show when={members().length > 0} fallback={<p class="hint">Nobody else yet.</p>}>
            <ul class="person-list">
              <For each={members()}>
                {(id) => (
                  <li>
                    <span class="person-name">{nameOf(id) ?? id}</span>
                    <button
                      type="button"
                      class="button small quiet"
                      aria-label={`Remove ${nameOf(id) ?? id} from the members`}
                      onClick={() => setMembers(members().filter((member) => member !== id))}
                    >
                      Remove
                    </button>
                  </li>
                )}
              </For>
            </ul>
          </Show>
          <PersonPicker
            label="Add a member"
            action="Add"
            exclude={props.space.ownerId ? [...members(), props.space.ownerId] : members()}
            onPick={(person) => setMembers([...members(), person.id])}
          />
        </fieldset>
      </Show>
      <Show when={consequence()}>
        <p class="consequence">{consequence()}</p>
      </Show>
      <FormError action={action} />
      <Show when={saved()}>
        <p class="hint" role="status">
          Saved.
        </p>
      </Show>
      <button type="submit" class="button primary" disabled={action.busy()}>
        Save
      </button>
    </form>
  );
}

/** Deleting the space, after saying what happens to what is inside. */
function DeleteSpace(props: { space: Being }) {
  const [confirming, setConfirming] = createSignal(false);
  const action = createFormAction();
  const remove = async () => {
    if (await action.run(() => deleteBeing(props.space.id))) navigate(props.space.locationId ?? LOBBY_ID, true);
  };
  return (
    <section class="settings-section" aria-labelledby="delete-space-title">
      <h3 id="delete-space-title">Delete the space</h3>
      <Show
        when={confirming()}
        fallback={
          <button type="button" class="button danger" onClick={() => setConfirming(true)}>
            Delete this space…
          </button>
        }
      >
        <div class="confirm" role="group" aria-labelledby="delete-space-title" aria-describedby="delete-space-what">
          <p id="delete-space-what">
            Deleting “{props.space.name}” deletes every message in it, for everyone. The people, bots and spaces in it stay but
            are no longer anywhere (they lose their location). This cannot be undone.
          </p>
          <FormError action={action} />
          <button type="button" class="button danger" disabled={action.busy()} onClick={() => void remove()}>
            Delete it
          </button>
          <button type="button" class="button quiet" onClick={() => setConfirming(false)}>
            Keep it
          </button>
        </div>
      </Show>
    </section>
  );
}
