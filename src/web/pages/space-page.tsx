/** A space: its conversation, who is here, and the way to other spaces. Mounted once per space visited. */
import { createEffect, createSignal, Match, onCleanup, Show, Switch } from "solid-js";
import { LOBBY_ID, type Being, type BeingId, type IntentionId } from "../../shared/entities.ts";
import { Composer } from "../components/composer.tsx";
import { preloadAttachmentList } from "../components/message-body.tsx";
import { MessageList } from "../components/message-list.tsx";
import { hereCount } from "../components/people.tsx";
import { SpaceLink } from "../components/space-link.tsx";
import { TypingIndicator } from "../components/typing.tsx";
import { firstScreenDone } from "../first-screen.ts";
import { loadMarkdown } from "../markdown.ts";
import { MediaDock } from "../media/dock.tsx";
import { PresenceContext } from "../profile/being-link.tsx";
import { nameOf } from "../names.ts";
import { noticeChanges } from "../notifications/count.ts";
import { reportVisibleSpace } from "../notifications/visible-space.ts";
import { messageInLocation } from "../router.ts";
import { afterPaint, deferred } from "../scheduling.ts";
import { appCache } from "../sync/cache.ts";
import type { Outbox } from "../sync/outbox.ts";
import { createSpaceSync } from "../sync/store.ts";
import { unreadOnDemand } from "../unread/on-demand.ts";
import { enterOnArrival, whenReachable } from "./space/arrival.ts";
import { SpaceHeader } from "./space/header.tsx";
import { createHere } from "./space/here.ts";
import { SidePanel } from "./space/side-panel.tsx";

export interface SpacePageProps {
  spaceId: BeingId;
  me: Being;
  outbox: Outbox;
}

/** The whole screen for one space. */
export function SpacePage(props: SpacePageProps) {
  // The room opens once the messages are on screen (see openLinkAfter).
  const conversationShown = deferred<void>();
  // Unread (the "New" line, marking read as seen, the list's counts live) is not for the first screen: loaded after it.
  const unread = unreadOnDemand(conversationShown.promise, props.spaceId, props.me.id, {
    view: () => sync.view,
    connection: () => sync.room()?.localParticipant.identity,
  });
  const sync = createSpaceSync(props.spaceId, {
    outbox: props.outbox,
    cache: appCache.spaces(props.me.id),
    openLinkAfter: () => conversationShown.promise.then(afterPaint),
    onChanges: (changes) => noticeChanges(changes, props.me.id, sync.view),
    onPersonalPacket: unread.onPersonalPacket,
  });
  onCleanup(() => sync.close());
  // The messages' renderer is not in the start chunk: fetch it alongside the snapshot, not after it.
  void loadMarkdown().catch(() => undefined);
  void preloadAttachmentList().catch(() => undefined);
  const [peopleOpen, setPeopleOpen] = createSignal(false);
  const [replyTo, setReplyTo] = createSignal<IntentionId>();
  let conversation: HTMLElement | undefined;
  // A reply whose original went away (deleted meanwhile) is no longer offered.
  const replyingTo = () => {
    const original = replyTo() && sync.view?.intentions[replyTo()!];
    return original ? { original, author: author(original.ownerId) } : undefined;
  };
  enterOnArrival(props.spaceId, sync.connection);
  reportVisibleSpace(props.spaceId);
  whenReachable(sync.connection, () => void props.outbox.resume());

  const here = createHere(sync, props.me.id);
  const spaceName = () => sync.view?.space.name ?? props.spaceId;
  const author = (id: BeingId) => (id === props.me.id ? props.me.name : (sync.view?.beings[id]?.name ?? nameOf(id) ?? id));
  const typingNames = () => [...sync.presence().typing].filter((id) => id !== props.me.id).map(author);
  createEffect(() => (document.title = `${spaceName()} · Spaces`));
  // Done once live (or known not to be): the room connects after the conversation has painted.
  createEffect(() => (sync.status() === "not-found" || sync.connection() !== "connecting") && firstScreenDone());

  return (
    <PresenceContext.Provider value={here.presenceOf}>
      <div class="app">
        <SpaceHeader
          spaceId={props.spaceId}
          spaceName={spaceName()}
          sync={sync}
          me={props.me}
          hereCount={hereCount(here.groups())}
          peopleOpen={peopleOpen()}
          onTogglePeople={() => setPeopleOpen(!peopleOpen())}
        />
        <Switch fallback={<p class="page-note" role="status">Loading {spaceName()}…</p>}>
          <Match when={sync.status() === "not-found"}>
            <SpaceNotFound />
          </Match>
          <Match when={sync.view}>
            {(view) => (
              <div class="space-body">
                <main ref={conversation} class="conversation" aria-label={`Conversation in ${view().space.name}`}>
                  <Show when={view().deleted}>
                    <p class="banner" role="alert">
                      This space has been deleted.
                    </p>
                  </Show>
                  <MediaDock room={sync.room()} publishing={sync.presence().media.size > 0} author={author} />
                  <MessageList
                    sync={sync}
                    view={view()}
                    meId={props.me.id}
                    author={author}
                    onShown={() => conversationShown.resolve()}
                    target={messageInLocation()}
                    onReply={(id) => {
                      setReplyTo(id);
                      document.getElementById("composer-input")?.focus();
                    }}
                    newFrom={unread.newFrom()}
                    endRef={unread.markEnd}
                    rowRef={unread.markRow}
                  />
                  <Show when={!view().deleted}>
                    <TypingIndicator names={typingNames()} />
                    <Composer
                      spaceId={props.spaceId}
                      spaceName={view().space.name}
                      onSend={sync.post}
                      onTyping={sync.setTyping}
                      here={() => Object.values(view().beings)}
                      replyingTo={replyingTo()}
                      onCancelReply={() => setReplyTo(undefined)}
                      dropArea={() => conversation}
                    />
                  </Show>
                </main>
                <SidePanel
                  spaceId={props.spaceId}
                  view={view()}
                  me={props.me}
                  groups={here.groups()}
                  presenceKnown={here.presenceKnown()}
                  open={peopleOpen()}
                  unreadEvents={unread.events}
                />
              </div>
            )}
          </Match>
        </Switch>
      </div>
    </PresenceContext.Provider>
  );
}

/** What a space that cannot be opened shows instead of a conversation. */
function SpaceNotFound() {
  return (
    <main class="page-note">
      <h2>Space not found</h2>
      <p>It does not exist, or it is private and you are not one of its members.</p>
      <SpaceLink id={LOBBY_ID} class="button primary">
        Go to the lobby
      </SpaceLink>
    </main>
  );
}
