/** Creating a space inside the current one: a name, and optionally private with a list of members. */
import { createSignal, Show } from "solid-js";
import type { Being, BeingId } from "../../shared/entities.ts";
import { isBeingId, MAX_NAME_LENGTH } from "../../shared/limits.ts";
import { createBeing } from "../api.ts";
import { createFormAction, FormError } from "./form-action.tsx";

/** Reads "@ada, bob" as ["@ada", "@bob"]; returns the entries that are not valid being ids as `invalid`. */
export function parseMembers(text: string): { members: BeingId[]; invalid: string[] } {
  const members: BeingId[] = [];
  const invalid: string[] = [];
  for (const word of text.split(/[\s,]+/).filter(Boolean)) {
    const id = word.startsWith("@") ? word : `@${word}`;
    if (isBeingId(id)) members.includes(id) || members.push(id);
    else invalid.push(word);
  }
  return { members, invalid };
}

export interface NewSpaceFormProps {
  parentId: BeingId;
  onCreated(space: Being): void;
  onCancel(): void;
}

/** The form; on success the caller moves into the new space. */
export function NewSpaceForm(props: NewSpaceFormProps) {
  const [name, setName] = createSignal("");
  const [isPrivate, setPrivate] = createSignal(false);
  const [membersText, setMembersText] = createSignal("");
  const action = createFormAction();

  const create = () =>
    action.run(async () => {
      const { members, invalid } = parseMembers(membersText());
      if (!name().trim()) throw new Error("Give the space a name.");
      if (isPrivate() && invalid.length > 0) throw new Error(`Not a being id: ${invalid.join(", ")}`);
      // A private space is placed nowhere: a being in the parent is announced to everyone in the
      // parent's room, which would disclose the private space's name. Members get its address.
      const space = await createBeing(
        isPrivate()
          ? { name: name().trim(), type: "space", properties: { private: true, members } }
          : { name: name().trim(), type: "space", locationId: props.parentId },
      );
      props.onCreated(space);
    });

  return (
    <form
      class="new-space"
      aria-labelledby="new-space-title"
      onSubmit={(event) => {
        event.preventDefault();
        void create();
      }}
      onKeyDown={(event) => event.key === "Escape" && props.onCancel()}
    >
      <h3 id="new-space-title">New space</h3>
      <label class="field">
        <span>Name</span>
        <input
          class="input"
          maxLength={MAX_NAME_LENGTH}
          value={name()}
          onInput={(event) => setName(event.currentTarget.value)}
          ref={(element) => queueMicrotask(() => element.focus())}
          required
        />
      </label>
      <label class="check">
        <input type="checkbox" checked={isPrivate()} onChange={(event) => setPrivate(event.currentTarget.checked)} />
        <span>Private: only you and its members can open it, by its address</span>
      </label>
      <Show when={isPrivate()}>
        <label class="field">
          <span>Members</span>
          <textarea
            class="input"
            rows={2}
            placeholder="@ada-3f9k2q, @grace-7h2m1p"
            value={membersText()}
            onInput={(event) => setMembersText(event.currentTarget.value)}
            aria-describedby="members-hint"
          />
          <small id="members-hint">Being ids, separated by commas or spaces.</small>
        </label>
      </Show>
      <FormError action={action} />
      <div class="form-actions">
        <button type="submit" class="button primary" disabled={action.busy()}>
          Create and enter
        </button>
        <button type="button" class="button quiet" onClick={() => props.onCancel()}>
          Cancel
        </button>
      </div>
    </form>
  );
}
