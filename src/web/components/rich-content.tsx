/**
 * Content with nodes in it, loaded when the first such message is shown: a reply's quote of its original,
 * then the Markdown with mentions as chips; a message that mentions the reader is marked.
 */
import { createMemo, Show, useContext } from "solid-js";
import type { ContentNode } from "../../shared/entities.ts";
import { replyTarget } from "../../shared/content.ts";
import { useOpenProfile } from "../profile/being-link.tsx";
import { ConversationContext } from "./conversation-context.ts";
import { Markdown } from "./markdown.tsx";
import { chipClicked, insertChips, markdownWithMentions } from "./mention-chips.ts";
import { ReplyQuote } from "./reply-quote.tsx";

/** The body of a message whose content holds nodes. */
export function RichContent(props: { content: readonly ContentNode[] }) {
  const facts = useContext(ConversationContext)!;
  const openProfile = useOpenProfile();
  const flow = createMemo(() => markdownWithMentions(props.content));
  // A mention shows the being's name now when it is known (names change), else the text it was written with.
  const chips = () =>
    flow().mentions.map(({ id, text }) => {
      const name = facts.nameOf(id);
      return { id, label: name ? `@${name}` : text, me: id === facts.meId };
    });
  const mentionsMe = () => flow().mentions.some(({ id }) => id === facts.meId);
  return (
    <>
      <Show when={replyTarget(props.content)}>{(to) => <ReplyQuote to={to()} />}</Show>
      <Show when={mentionsMe()}>
        <span class="sr-only">Mentions you: </span>
      </Show>
      <Markdown
        text={flow().markdown}
        class={mentionsMe() ? "markdown message-body mentions-me" : "markdown message-body"}
        decorate={(fragment) => insertChips(fragment, chips())}
        onClick={(event) => {
          const id = chipClicked(event);
          if (id) openProfile(id);
        }}
      />
    </>
  );
}
