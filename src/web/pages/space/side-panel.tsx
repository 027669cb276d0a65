/** A space's side panel: who is here, its bots, new spaces, the list of spaces, and how to share a private one. */
import { createSignal, lazy, Show } from "solid-js";
import type { Being, BeingId } from "../../../shared/entities.ts";
import { AfterPaint } from "../../components/after-paint.tsx";
import { hereCount, People, type HereGroups } from "../../components/people.tsx";
import type { SpaceState } from "../../sync/apply.ts";
import { navigate } from "../../router.ts";
import type { UnreadEvents } from "../../unread/unread.ts";

// Loaded when "+ New space" is first pressed: off the start chunk.
const NewSpaceForm = lazy(() => import("../../components/new-space-form.tsx").then((module) => ({ default: module.NewSpaceForm })));
// Fetched once the panel is drawn: below the fold, they stay out of the start chunk.
const BotsPanel = lazy(() => import("../../components/bots-panel.tsx").then((module) => ({ default: module.BotsPanel })));
const SpaceList = lazy(() => import("../../components/space-list.tsx").then((module) => ({ default: module.SpaceList })));

export interface SidePanelProps {
  spaceId: BeingId;
  view: SpaceState;
  me: Being;
  groups: HereGroups;
  presenceKnown: boolean;
  /** Shown over the conversation (a phone's toggle): on a wide screen it is always shown. */
  open: boolean;
  /** What the space list's counts follow besides their own refreshes. */
  unreadEvents: UnreadEvents;
}

/** The `<aside>` beside the conversation (the people toggle's target). */
export function SidePanel(props: SidePanelProps) {
  const [creating, setCreating] = createSignal(false);
  return (
    <aside id="people-panel" class="people" classList={{ open: props.open }} aria-labelledby="people-title">
      <h2 id="people-title">
        Here <span class="count">{hereCount(props.groups)}</span>
      </h2>
      {/* A frame after the conversation: on a phone this panel is not even shown at first. */}
      <AfterPaint>
        <Show when={typeof props.view.space.properties.description === "string" && props.view.space.properties.description}>
          {(description) => <p class="space-description">{description()}</p>}
        </Show>
        <People groups={props.groups} presenceKnown={props.presenceKnown} meId={props.me.id} />
        <BotsPanel spaceId={props.spaceId} beings={props.view.beings} meId={props.me.id} />
        <Show
          when={creating()}
          fallback={
            <button type="button" class="button quiet wide" onClick={() => setCreating(true)}>
              + New space
            </button>
          }
        >
          <NewSpaceForm parentId={props.spaceId} onCreated={(space) => navigate(space.id)} onCancel={() => setCreating(false)} />
        </Show>
        <SpaceList currentId={props.spaceId} events={props.unreadEvents} />
        <Show when={props.view.space.properties.private === true}>
          <PrivateNote members={props.view.space.properties.members} />
        </Show>
        <p class="my-id">
          Your id: <code>{props.me.id}</code>
        </p>
      </AfterPaint>
    </aside>
  );
}

/** Who may open a private space, and its address to share with them. */
function PrivateNote(props: { members: unknown }) {
  const members = () => (Array.isArray(props.members) ? props.members.filter((id): id is string => typeof id === "string") : []);
  return (
    <section class="private-note" aria-labelledby="private-title">
      <h2 id="private-title">Private</h2>
      <p>
        Only its owner and members can open it: {members().length > 0 ? members().join(", ") : "nobody else yet"}.
        Share its address with them:
      </p>
      <code class="share">{location.href}</code>
    </section>
  );
}
