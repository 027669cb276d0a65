/** A confirmed message; its owner can edit or delete it in place (optimistically: see sync/edits.ts). */
import { createSignal, Match, Show, Switch } from "solid-js";
import type { ContentNode, Intention } from "../../shared/entities.ts";
import { ApiError, errorMessage } from "../../shared/errors.ts";
import { MAX_TEXT_LENGTH } from "../../shared/limits.ts";
import { contentText } from "../../shared/content.ts";
import type { Edits } from "../sync/edits.ts";
import { Markdown } from "./markdown.tsx";
import { MessageFrame } from "./message-frame.tsx";
import { MessageInput } from "./message-input.tsx";

export interface IntentionRowProps {
  intention: Intention;
  author: string;
  mine: boolean;
  startsGroup: boolean;
  /** Stops this bot's reply (the server decides who may: its asker, the bot's owner, the space's owner). */
  onStop(): Promise<void>;
  /** The conversation's edits and deletes under way or refused. */
  edits: Edits;
}

/** How each state of an intention styles its row (data-state): a reply streaming, or one that failed. */
const STATE_STYLES: Partial<Record<Intention["state"], string>> = { active: "active", failed: "failed" };

/** Why a bot's reply failed: the reason its `failure` node carries (see docs/api.md, Bots). */
export function failureOf(content: readonly ContentNode[]): string | undefined {
  for (const node of content) {
    const reason = typeof node === "object" && node.type === "failure" ? node.props?.reason : undefined;
    if (typeof reason === "string") return reason;
  }
  return undefined;
}

/** One message of the conversation. */
export function IntentionRow(props: IntentionRowProps) {
  const [draft, setDraft] = createSignal<string>();
  const [confirmingDelete, setConfirmingDelete] = createSignal(false);
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
  const refusal = () => {
    const state = edit();
    return state?.status === "refused" ? state : undefined;
  };
  const refusedEdit = () => {
    const state = refusal();
    return state?.action === "edit" ? state : undefined;
  };
  const text = () => contentText(content());
  // A bot's reply (it has an asker) is rewritten as it streams: that is not an edit.
  const edited = () => !props.intention.askerId && props.intention.modifiedAt.getTime() - props.intention.createdAt.getTime() > 1_000;
  const streaming = () => props.intention.state === "active";
  const failure = () => failureOf(content());
  let editButton: HTMLButtonElement | undefined;

  const startEditing = () => {
    setError(undefined);
    setDraft(text());
  };
  const stopEditing = () => {
    setDraft(undefined);
    editButton?.focus();
  };
  const save = () => {
    const next = draft()?.trim() ?? "";
    if (!next || next.length > MAX_TEXT_LENGTH) return setError(`A message is 1 to ${MAX_TEXT_LENGTH} characters.`);
    setError(undefined);
    if (next !== text()) void props.edits.edit(props.intention.id, [next]);
    stopEditing();
  };
  const editAgain = (refused: ContentNode[]) => {
    props.edits.dismiss(props.intention.id);
    setError(undefined);
    setDraft(contentText(refused));
  };
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
  const remove = () => {
    setConfirmingDelete(false);
    void props.edits.remove(props.intention.id);
  };

  return (
    <MessageFrame
      ownerId={props.intention.ownerId}
      author={props.author}
      mine={props.mine}
      startsGroup={props.startsGroup}
      time={props.intention.createdAt}
      state={
        saving() ? "pending" : refusal() ? "failed" : props.intention.type === "error" ? "error" : STATE_STYLES[props.intention.state]
      }
      busy={streaming()}
    >
      <Show
        when={draft() !== undefined}
        fallback={
          <>
            <Show when={text() || !streaming()} fallback={<p class="message-thinking">thinking…</p>}>
              <Markdown text={text()} class="markdown message-body" />
            </Show>
            <Show when={edited() && !saving()}>
              <span class="message-edited">(edited)</span>
            </Show>
            <Show when={failure()}>
              <p class="message-failure">{failure()}</p>
            </Show>
            <Show when={props.intention.state === "cancelled" && props.intention.askerId}>
              <span class="message-edited">(stopped)</span>
            </Show>
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
        <form
          class="message-edit"
          onSubmit={(event) => {
            event.preventDefault();
            void save();
          }}
        >
          <MessageInput
            label="Edit message"
            value={draft() ?? ""}
            onInput={setDraft}
            onSubmit={() => void save()}
            onCancel={stopEditing}
            ref={(element) => queueMicrotask(() => element.focus())}
          />
          <div class="message-edit-actions">
            <button type="submit" class="button small">
              Save
            </button>
            <button type="button" class="button small quiet" onClick={stopEditing}>
              Cancel
            </button>
          </div>
        </form>
      </Show>
      <Show when={error()}>
        <p class="message-status" role="alert">
          {error()}
        </p>
      </Show>
      <Show when={note()}>
        <p class="message-status">{note()}</p>
      </Show>
      <Switch>
        <Match when={saving()}>
          <p class="message-status">Saving…</p>
        </Match>
        <Match when={refusal()}>
          {(refused) => (
            <div class="message-status">
              <span role="alert">
                {refused().action === "edit" ? "Edit not saved" : "Not deleted"}: {refused().error}
              </span>
              <Show when={refusedEdit()}>
                {(refusedEdit) => (
                  <button type="button" class="link-button" onClick={() => editAgain(refusedEdit().content)}>
                    Edit again
                  </button>
                )}
              </Show>
              <button type="button" class="link-button" onClick={() => props.edits.dismiss(props.intention.id)}>
                Dismiss
              </button>
            </div>
          )}
        </Match>
      </Switch>
      <Show when={props.mine && draft() === undefined && !saving()}>
        <div class="message-actions">
          <Show
            when={confirmingDelete()}
            fallback={
              <>
                <button type="button" class="link-button" ref={editButton} onClick={startEditing} aria-label="Edit message">
                  Edit
                </button>
                <button type="button" class="link-button" onClick={() => setConfirmingDelete(true)} aria-label="Delete message">
                  Delete
                </button>
              </>
            }
          >
            <span>Delete this message?</span>
            <button type="button" class="link-button danger" onClick={remove}>
              Delete
            </button>
            <button type="button" class="link-button" onClick={() => setConfirmingDelete(false)}>
              Keep
            </button>
          </Show>
        </div>
      </Show>
    </MessageFrame>
  );
}
