/** A confirmed message; its owner can edit or delete it in place, a moderator remove it (optimistically: see sync/edits.ts). */
import { createSignal, Show } from "solid-js";
import type { Intention } from "../../shared/entities.ts";
import { ApiError, errorMessage } from "../../shared/errors.ts";
import type { Edits } from "../sync/edits.ts";
import { EditForm } from "./edit-form.tsx";
import { EditStatus } from "./edit-status.tsx";
import { MessageActions } from "./message-actions.tsx";
import { MessageBody } from "./message-body.tsx";
import { createMessageEditing } from "./message-editing.ts";
import { MessageFrame } from "./message-frame.tsx";
import { MessageInput } from "./message-input.tsx";
import { ReactionBar, type ReactionContext } from "./reaction-bar.tsx";

export interface IntentionRowProps {
  intention: Intention;
  author: string;
  mine: boolean;
  /** The server's moderation facts let me remove it (always true of my own: see shared/moderation.ts). */
  removable: boolean;
  startsGroup: boolean;
  /** Stops this bot's reply (the server decides who may: its asker, the bot's owner, the space's owner). */
  onStop(): Promise<void>;
  /** The conversation's edits and deletes under way or refused. */
  edits: Edits;
  /** Who I am, my reactions under way, and whose names to show on a reaction. */
  reacting: ReactionContext;
  /** Starts a reply to this message in the composer. */
  onReply?(): void;
  /** Takes the row's element (the read marker watches it). */
  ref?(row: HTMLLIElement): void;
}

/** How each state of an intention styles its row (data-state): a reply streaming, or one that failed. */
const STATE_STYLES: Partial<Record<Intention["state"], string>> = { active: "active", failed: "failed" };

/** One message of the conversation. */
export function IntentionRow(props: IntentionRowProps) {
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string>();
  const [note, setNote] = createSignal<string>();
  const edit = () => props.edits.of(props.intention.id);
  const saving = () => edit()?.status === "saving";
  // An edit under way shows what it will write; a refused one shows the server's row again.
  const content = () => {
    const state = edit();
    return state?.status === "saving" ? state.content : props.intention.content;
  };
  const streaming = () => props.intention.state === "active";
  let editButton: HTMLButtonElement | undefined;
  const editing = createMessageEditing({
    id: () => props.intention.id,
    content,
    version: () => props.intention.version,
    edits: props.edits,
    setError,
    returnFocus: () => editButton?.focus(),
  });

  const stop = async () => {
    setBusy(true);
    try {
      await props.onStop();
    } catch (failure) {
      const code = failure instanceof ApiError ? failure.code : undefined;
      if (code === "CONFLICT") setNote("This reply had already finished.");
      else setError(code === "FORBIDDEN" ? "You may not stop this reply." : errorMessage(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <MessageFrame
      ref={(row) => props.ref?.(row)}
      ownerId={props.intention.ownerId}
      author={props.author}
      mine={props.mine}
      startsGroup={props.startsGroup}
      time={props.intention.createdAt}
      state={
        saving() ? "pending" : edit()?.status === "refused" ? "failed" : props.intention.type === "error" ? "error" : STATE_STYLES[props.intention.state]
      }
      busy={streaming()}
    >
      <Show
        when={editing.draft() !== undefined}
        fallback={
          <>
            <MessageBody intention={props.intention} content={content()} saving={saving()} />
            <Show when={props.intention.askerId && streaming()}>
              <div class="reply-actions">
                <button type="button" class="button small quiet" disabled={busy()} onClick={() => void stop()} aria-label="Stop this reply">
                  ■ Stop
                </button>
              </div>
            </Show>
          </>
        }
      >
        <EditForm class="message-edit" onSave={editing.save} onCancel={editing.close}>
          <MessageInput
            label="Edit message"
            value={editing.draft() ?? ""}
            onInput={editing.setDraft}
            onSubmit={editing.save}
            ref={(element) => queueMicrotask(() => element.focus())}
          />
        </EditForm>
      </Show>
      <ReactionBar intention={props.intention} reacting={props.reacting} />
      <Show when={error()}>
        <p class="message-status" role="alert">
          {error()}
        </p>
      </Show>
      <Show when={note()}>
        <p class="message-status">{note()}</p>
      </Show>
      <EditStatus
        edit={edit()}
        onEditAgain={editing.editAgain}
        onOverwrite={(yours, version) => void props.edits.edit(props.intention.id, yours, version)}
        onDismiss={() => props.edits.dismiss(props.intention.id)}
      />
      <Show when={(props.onReply || props.mine || props.removable) && editing.draft() === undefined && !saving()}>
        <MessageActions
          editRef={(button) => (editButton = button)}
          onReply={props.onReply}
          onEdit={props.mine ? editing.start : undefined}
          onDelete={props.mine || props.removable ? () => void props.edits.remove(props.intention.id) : undefined}
        />
      </Show>
    </MessageFrame>
  );
}
