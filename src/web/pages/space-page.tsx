/** A space: its conversation, who is here, and the way to other spaces. Mounted once per space visited. */
import { createEffect, createMemo, createSignal, Match, on, onCleanup, Show, Switch } from "solid-js";
import { LOBBY_ID, type Being, type BeingId } from "../../shared/entities.ts";
import { enterSpace, isRetryable } from "../api.ts";
import { AfterPaint } from "../components/after-paint.tsx";
import { AppLink } from "../components/app-link.tsx";
import { BotsPanel } from "../components/bot-form.tsx";
import { Composer } from "../components/composer.tsx";
import { ConnectionStatusBadge } from "../components/connection-status.tsx";
import { MessageList } from "../components/message-list.tsx";
import { NameEditor } from "../components/name-editor.tsx";
import { NewSpaceForm } from "../components/new-space-form.tsx";
import { groupHere, hereCount, People } from "../components/people.tsx";
import { SpaceLink } from "../components/space-link.tsx";
import { SpaceList } from "../components/space-list.tsx";
import { TypingIndicator } from "../components/typing.tsx";
import { firstScreenDone } from "../first-screen.ts";
import { loadMarkdown } from "../markdown.ts";
import { MediaDock } from "../media/dock.tsx";
import { nameOf } from "../names.ts";
import { ACCOUNT_PATH, navigate, OPERATIONS_PATH } from "../router.ts";
import { afterPaint, deferred } from "../scheduling.ts";
import { rename, signOut, superuser } from "../session.ts";
import { appCache } from "../sync/cache.ts";
import type { Outbox } from "../sync/outbox.ts";
import { createSpaceSync } from "../sync/store.ts";

export interface SpacePageProps {
  spaceId: BeingId;
  me: Being;
  outbox: Outbox;
}

/** The whole screen for one space. */
export function SpacePage(props: SpacePageProps) {
  // The room opens once the messages are on screen (see openLinkAfter).
  const conversationShown = deferred<void>();
  const sync = createSpaceSync(props.spaceId, {
    outbox: props.outbox,
    cache: appCache.spaces(props.me.id),
    openLinkAfter: () => conversationShown.promise.then(afterPaint),
  });
  onCleanup(() => sync.close());
  // The messages' renderer is not in the start chunk: fetch it alongside the snapshot, not after it.
  void loadMarkdown().catch(() => undefined);
  const [peopleOpen, setPeopleOpen] = createSignal(false);
  const [creating, setCreating] = createSignal(false);
  const [signOutFailed, setSignOutFailed] = createSignal(false);

  // Arriving moves my being here, which is how the others see me come in. Retried once back online.
  let entered = false;
  const enter = () => {
    if (entered) return;
    entered = true;
    enterSpace(props.spaceId).catch((error) => (entered = !isRetryable(error)));
  };
  // Once the page has painted: a request less in the task that first renders it.
  void afterPaint().then(enter);
  createEffect(
    on(sync.connection, (connection) => {
      if (connection !== "connected" && connection !== "polling") return;
      enter();
      void props.outbox.resume();
    }),
  );

  // Presence comes from the LiveKit room: without it (reconnecting, polling, offline) nobody can be shown as away.
  const presenceKnown = () => sync.connection() === "connected";
  // The away group ages: someone who left drops out of it once the listing window has passed.
  const [now, setNow] = createSignal(Date.now());
  const clock = setInterval(() => setNow(Date.now()), 30_000);
  onCleanup(() => clearInterval(clock));
  const groups = createMemo(() =>
    groupHere({
      beings: sync.view?.beings ?? {},
      online: presenceKnown() ? sync.presence().online : null,
      lastSeen: sync.lastSeen(),
      awayListedSeconds: sync.awayListedSeconds(),
      meId: props.me.id,
      now: now(),
    }),
  );
  const typingNames = () =>
    [...sync.presence().typing].filter((id) => id !== props.me.id).map((id) => sync.view?.beings[id]?.name ?? nameOf(id) ?? id);
  const spaceName = () => sync.view?.space.name ?? props.spaceId;
  const parentId = () => sync.view?.space.locationId ?? (props.spaceId === LOBBY_ID ? null : LOBBY_ID);
  const author = (id: BeingId) => (id === props.me.id ? props.me.name : (sync.view?.beings[id]?.name ?? nameOf(id) ?? id));
  const members = () => {
    const listed = sync.view?.space.properties.members;
    return Array.isArray(listed) ? listed.filter((id): id is string => typeof id === "string") : [];
  };
  createEffect(() => (document.title = `${spaceName()} · Spaces`));
  // Done once live (or known not to be): the room connects after the conversation has painted.
  createEffect(() => (sync.status() === "not-found" || sync.connection() !== "connecting") && firstScreenDone());

  const leave = async () => {
    try {
      await signOut();
    } catch {
      setSignOutFailed(true);
    }
  };

  return (
    <div class="app">
      <header class="topbar">
        <div class="topbar-space">
          <Show when={parentId()}>
            {(parent) => (
              <SpaceLink id={parent()} class="crumb" aria-label={`Up to ${nameOf(parent()) ?? parent()}`}>
                <span aria-hidden="true">‹ </span>
                {nameOf(parent()) ?? parent()}
              </SpaceLink>
            )}
          </Show>
          <h1 class="space-name">{spaceName()}</h1>
          <Show when={sync.view?.space.properties.private === true}>
            <span class="tag">private</span>
          </Show>
          {/* In the title's row, which has room to spare on a phone; the row below has none. */}
          <Show when={superuser()}>
            <AppLink href={OPERATIONS_PATH} class="button small quiet topbar-link">
              Operations
            </AppLink>
          </Show>
          <AppLink href={ACCOUNT_PATH} class="button small quiet topbar-link">
            Account
          </AppLink>
        </div>
        {/* A space that is not there has no live channel to report on, nor anyone in it. */}
        <Show when={sync.status() !== "not-found"}>
          <ConnectionStatusBadge status={sync.connection()} />
          <button
            type="button"
            class="button small quiet people-toggle"
            aria-expanded={peopleOpen()}
            aria-controls="people-panel"
            onClick={() => setPeopleOpen(!peopleOpen())}
          >
            Here · {hereCount(groups())}
          </button>
        </Show>
        <NameEditor name={props.me.name} onRename={rename} />
        <button type="button" class="button small quiet" onClick={() => void leave()}>
          {signOutFailed() ? "Sign out failed, retry" : "Sign out"}
        </button>
      </header>
      <Switch fallback={<p class="page-note" role="status">Loading {spaceName()}…</p>}>
        <Match when={sync.status() === "not-found"}>
          <main class="page-note">
            <h2>Space not found</h2>
            <p>It does not exist, or it is private and you are not one of its members.</p>
            <SpaceLink id={LOBBY_ID} class="button primary">
              Go to the lobby
            </SpaceLink>
          </main>
        </Match>
        <Match when={sync.view}>
          {(view) => (
            <div class="space-body">
              <main class="conversation" aria-label={`Conversation in ${view().space.name}`}>
                <Show when={view().deleted}>
                  <p class="banner" role="alert">
                    This space has been deleted.
                  </p>
                </Show>
                <MediaDock room={sync.room()} publishing={sync.presence().media.size > 0} author={author} />
                <MessageList sync={sync} view={view()} meId={props.me.id} author={author} onShown={() => conversationShown.resolve()} />
                <Show when={!view().deleted}>
                  <TypingIndicator names={typingNames()} />
                  <Composer
                    spaceName={view().space.name}
                    onSend={sync.post}
                    onTyping={sync.setTyping}
                  />
                </Show>
              </main>
              <aside id="people-panel" class="people" classList={{ open: peopleOpen() }} aria-labelledby="people-title">
                <h2 id="people-title">
                  Here <span class="count">{hereCount(groups())}</span>
                </h2>
                {/* A frame after the conversation: on a phone this panel is not even shown at first. */}
                <AfterPaint>
                  <People groups={groups()} presenceKnown={presenceKnown()} meId={props.me.id} />
                  <BotsPanel spaceId={props.spaceId} beings={view().beings} meId={props.me.id} />
                  <Show
                    when={creating()}
                    fallback={
                      <button type="button" class="button quiet wide" onClick={() => setCreating(true)}>
                        + New space
                      </button>
                    }
                  >
                    <NewSpaceForm
                      parentId={props.spaceId}
                      onCreated={(space) => navigate(space.id)}
                      onCancel={() => setCreating(false)}
                    />
                  </Show>
                  <SpaceList currentId={props.spaceId} />
                  <Show when={view().space.properties.private === true}>
                    <section class="private-note" aria-labelledby="private-title">
                      <h2 id="private-title">Private</h2>
                      <p>
                        Only its owner and members can open it: {members().length > 0 ? members().join(", ") : "nobody else yet"}.
                        Share its address with them:
                      </p>
                      <code class="share">{location.href}</code>
                    </section>
                  </Show>
                  <p class="my-id">
                    Your id: <code>{props.me.id}</code>
                  </p>
                </AfterPaint>
              </aside>
            </div>
          )}
        </Match>
      </Switch>
    </div>
  );
}
