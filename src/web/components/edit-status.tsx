/**
 * Where an edit or delete of my message stands: "Saving…"; refused with the reason, Edit again and Dismiss;
 * or overtaken by someone else's change (EditConflict).
 */
import { Match, Show, Switch } from "solid-js";
import type { ContentNode } from "../../shared/entities.ts";
import type { EditState } from "../sync/edits.ts";
import { EditConflict } from "./edit-conflict.tsx";

export interface EditStatusProps {
  /** The message's edit or delete under way or refused, if any. */
  edit: EditState | undefined;
  /** Opens the refused edit's text in the form again. */
  onEditAgain(content: ContentNode[]): void;
  /** Saves a conflicting edit's text over the message, if it is still at `version` (the one the conflict showed). */
  onOverwrite(content: ContentNode[], version: number): void;
  /** Forgets a refusal, or settles a conflict by keeping their text. */
  onDismiss(): void;
}

/** The line under a message saying how its edit went (nothing once it is saved). */
export function EditStatus(props: EditStatusProps) {
  const refusal = () => (props.edit?.status === "refused" ? props.edit : undefined);
  const refusedEdit = () => {
    const state = refusal();
    return state?.action === "edit" ? state : undefined;
  };
  const conflict = () => (props.edit?.status === "conflict" ? props.edit : undefined);
  return (
    <Switch>
      <Match when={props.edit?.status === "saving"}>
        <p class="message-status">Saving…</p>
      </Match>
      <Match when={conflict()}>
        {(conflict) => (
          <EditConflict
            theirs={conflict().current.content}
            yours={conflict().content}
            onKeepTheirs={() => props.onDismiss()}
            onOverwrite={() => props.onOverwrite(conflict().content, conflict().current.version)}
            onEditAgain={() => props.onEditAgain(conflict().content)}
          />
        )}
      </Match>
      <Match when={refusal()}>
        {(refused) => (
          <div class="message-status">
            <span role="alert">
              {refused().action === "edit" ? "Edit not saved" : "Not deleted"}: {refused().error}
            </span>
            <Show when={refusedEdit()}>
              {(refusedEdit) => (
                <button type="button" class="link-button" onClick={() => props.onEditAgain(refusedEdit().content)}>
                  Edit again
                </button>
              )}
            </Show>
            <button type="button" class="link-button" onClick={() => props.onDismiss()}>
              Dismiss
            </button>
          </div>
        )}
      </Match>
    </Switch>
  );
}
