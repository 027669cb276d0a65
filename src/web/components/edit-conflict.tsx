/** An edit someone else's change overtook: their text now and mine side by side, and the three ways to settle it. */
import type { ContentNode } from "../../shared/entities.ts";
import { contentText } from "../../shared/content.ts";

export interface EditConflictProps {
  /** The message as it is now (what the other edit wrote). */
  theirs: ContentNode[];
  /** What my edit tried to write: never dropped until I choose. */
  yours: ContentNode[];
  onKeepTheirs(): void;
  /** Writes mine over theirs (over exactly the version shown). */
  onOverwrite(): void;
  /** Opens the editor with my text, to merge by hand. */
  onEditAgain(): void;
}

/** The conflict under a message whose edit was refused because it changed meanwhile. */
export function EditConflict(props: EditConflictProps) {
  return (
    <div class="edit-conflict" role="group" aria-label="Edit conflict">
      <p class="message-status" role="alert">
        Someone changed this message while you edited it: your edit is not saved yet.
      </p>
      <dl class="edit-conflict-texts">
        <dt>Theirs now</dt>
        <dd>{contentText(props.theirs)}</dd>
        <dt>Yours</dt>
        <dd>{contentText(props.yours)}</dd>
      </dl>
      <div class="message-status">
        <button type="button" class="link-button" onClick={() => props.onKeepTheirs()}>
          Keep theirs
        </button>
        <button type="button" class="link-button" onClick={() => props.onOverwrite()}>
          Overwrite with yours
        </button>
        <button type="button" class="link-button" onClick={() => props.onEditAgain()}>
          Edit again
        </button>
      </div>
    </div>
  );
}
