/** A space's top bar: the way up, its name, the connection, who is here, my name and signing out. */
import { createSignal, Show } from "solid-js";
import { LOBBY_ID, type Being, type BeingId } from "../../../shared/entities.ts";
import { AppLink } from "../../components/app-link.tsx";
import { ConnectionStatusBadge } from "../../components/connection-status.tsx";
import { NameEditor } from "../../components/name-editor.tsx";
import { DialogButton } from "../../manage/dialog-button.tsx";
import { InboxButton } from "../../notifications/inbox-button.tsx";
import { FinderButton } from "../../finder/launcher.tsx";
import { SpaceLink } from "../../components/space-link.tsx";
import { install, installable } from "../../install.ts";
import { nameOf } from "../../names.ts";
import { ACCOUNT_PATH, OPERATIONS_PATH } from "../../router.ts";
import { rename, signOut, superuser } from "../../session.ts";
import type { SpaceSync } from "../../sync/store.ts";

export interface SpaceHeaderProps {
  spaceId: BeingId;
  spaceName: string;
  sync: SpaceSync;
  me: Being;
  /** How many are here, on the button that opens the people panel. */
  hereCount: number;
  peopleOpen: boolean;
  onTogglePeople(): void;
}

/** The `<header>` above the conversation. */
export function SpaceHeader(props: SpaceHeaderProps) {
  const [signOutFailed, setSignOutFailed] = createSignal(false);
  const leave = async () => {
    try {
      await signOut();
    } catch {
      setSignOutFailed(true);
    }
  };

  return (
    <header class="topbar">
      <SpaceTitle spaceId={props.spaceId} spaceName={props.spaceName} sync={props.sync} meId={props.me.id} />
      {/* One line that never wraps: on a phone it is the row under the title, and a longer connection word
          ("Live sync off · polling") once wrapped it onto a third row and moved the conversation down. */}
      <div class="topbar-tools">
        <FinderButton meId={props.me.id} />
        {/* A space that is not there has no live channel to report on, nor anyone in it. */}
        <Show when={props.sync.status() !== "not-found"}>
          <ConnectionStatusBadge status={props.sync.connection()} />
          <button
            type="button"
            class="button small quiet people-toggle"
            aria-expanded={props.peopleOpen}
            aria-controls="people-panel"
            onClick={() => props.onTogglePeople()}
          >
            Here · {props.hereCount}
          </button>
        </Show>
        <NameEditor name={props.me.name} onRename={rename} />
        <button type="button" class="button small quiet" onClick={() => void leave()}>
          {signOutFailed() ? "Sign out failed, retry" : "Sign out"}
        </button>
      </div>
    </header>
  );
}

/** The space's name, with the way up to the space it is in, and the links to the other pages. */
function SpaceTitle(props: { spaceId: BeingId; spaceName: string; sync: SpaceSync; meId: BeingId }) {
  const parentId = () => props.sync.view?.space.locationId ?? (props.spaceId === LOBBY_ID ? null : LOBBY_ID);
  return (
    <div class="topbar-space">
      <Show when={parentId()}>
        {(parent) => (
          <SpaceLink id={parent()} class="crumb" aria-label={`Up to ${nameOf(parent()) ?? parent()}`}>
            <span aria-hidden="true">‹ </span>
            {nameOf(parent()) ?? parent()}
          </SpaceLink>
        )}
      </Show>
      <h1 class="space-name">{props.spaceName}</h1>
      <Show when={props.sync.view?.space.properties.private === true}>
        <span class="tag">private</span>
      </Show>
      <Show when={props.sync.view?.mayManage && !props.sync.view.deleted && props.sync.view.space}>
        {(space) => (
          <DialogButton
            label="⚙"
            ariaLabel="Space settings"
            class="button small quiet topbar-link"
            load={() =>
              import("../../manage/space-settings.tsx").then(
                ({ SpaceSettings }) => (dialog) => <SpaceSettings space={space()} meId={props.meId} onClose={dialog.onClose} />,
              )
            }
          />
        )}
      </Show>
      {/* In the title's row, which has room to spare on a phone; the row below has none. */}
      <Show when={superuser()}>
        <AppLink href={OPERATIONS_PATH} class="button small quiet topbar-link">
          Operations
        </AppLink>
      </Show>
      {/* Before Inbox and Account: the browser's offer comes after the first paint, and the room it takes comes out of
          the title's width (one line, see .space-name), so nothing already shown moves. */}
      <Show when={installable()}>
        <button type="button" class="button small quiet topbar-link" onClick={() => void install()}>
          Install app
        </button>
      </Show>
      <InboxButton />
      <AppLink href={ACCOUNT_PATH} class="button small quiet topbar-link">
        Account
      </AppLink>
    </div>
  );
}
