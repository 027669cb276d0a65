/**
 * Moving a bot to another space its owner may read (PATCH locationId) and handing it over to another person
 * (POST /api/beings/:id/owner). Fetched on first open.
 */
import { createResource, createSignal, For } from "solid-js";
import type { Being, BeingId } from "../../shared/entities.ts";
import { listSpaces, patchBeing } from "../api.ts";
import { createFormAction, FormError } from "../components/form-action.tsx";
import { Modal } from "./modal.tsx";
import { HandOver } from "./hand-over.tsx";

export interface BotSettingsProps {
  bot: Being;
  meId: BeingId;
  onClose(): void;
}

/** The dialog, open while it is rendered. */
export function BotSettings(props: BotSettingsProps) {
  const [spaces] = createResource(listSpaces);
  const [target, setTarget] = createSignal<BeingId>();
  const move = createFormAction();

  const moveTo = async (event: SubmitEvent) => {
    event.preventDefault();
    const space = target();
    if (space && (await move.run(() => patchBeing(props.bot.id, { locationId: space, ifVersion: props.bot.version })))) props.onClose();
  };

  return (
    <Modal titleId="bot-settings-title" title={`${props.bot.name}: move or hand over`} onClose={props.onClose}>
      <form class="settings-section" onSubmit={(event) => void moveTo(event)}>
        <label for="bot-space">Move it to</label>
        <select id="bot-space" class="input" onChange={(event) => setTarget(event.currentTarget.value as BeingId)}>
          <option value="">Choose a space</option>
          <For each={(spaces() ?? []).filter((space) => space.id !== props.bot.locationId)}>
            {(space) => <option value={space.id}>{space.name}</option>}
          </For>
        </select>
        <FormError action={move} />
        <button type="submit" class="button primary" disabled={!target() || move.busy()}>
          Move
        </button>
      </form>
      <HandOver
        being={props.bot}
        meId={props.meId}
        consequence="You can no longer configure it. Its API key is removed (it was yours): it answers again once they set theirs."
        onDone={props.onClose}
      />
    </Modal>
  );
}
