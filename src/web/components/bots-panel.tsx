/** The bots of the space the viewer owns, each to configure, and a way to add one; the form loads when first opened. */
import { createSignal, For, lazy, Show } from "solid-js";
import type { Being, BeingId } from "../../shared/entities.ts";
import { DialogButton } from "../manage/dialog-button.tsx";

// Off the start chunk: a form almost nobody opens on a visit (about 2 KiB gzip).
const BotForm = lazy(() => import("./bot-form.tsx").then((module) => ({ default: module.BotForm })));

export interface BotsPanelProps {
  spaceId: BeingId;
  /** The beings located in the space. */
  beings: Record<BeingId, Being>;
  meId: BeingId;
}

/** The bots of the space the viewer owns, each configurable, and a way to add one. */
export function BotsPanel(props: BotsPanelProps) {
  const [editing, setEditing] = createSignal<BeingId | "new" | null>(null);
  const mine = () => Object.values(props.beings).filter((being) => being.type === "bot" && being.ownerId === props.meId);
  return (
    <section class="bots" aria-label="Your bots here">
      <Show
        when={editing()}
        keyed
        fallback={
          <>
            <For each={mine()}>
              {(bot) => (
                <>
                  <button type="button" class="button quiet wide" onClick={() => setEditing(bot.id)}>
                    Configure {bot.name}
                  </button>
                  <DialogButton
                    label={`Move or hand over ${bot.name}`}
                    class="button quiet wide"
                    load={() =>
                      import("../manage/bot-settings.tsx").then(({ BotSettings }) => (dialog) => <BotSettings bot={bot} meId={props.meId} onClose={dialog.onClose} />)
                    }
                  />
                </>
              )}
            </For>
            <button type="button" class="button quiet wide" onClick={() => setEditing("new")}>
              + New bot
            </button>
          </>
        }
      >
        {(id) => <BotForm spaceId={props.spaceId} bot={id === "new" ? undefined : props.beings[id]} onDone={() => setEditing(null)} />}
      </Show>
    </section>
  );
}
