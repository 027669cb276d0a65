/** What a message says, as its content holds it: a reply's quote of its original, then the Markdown with mentions as chips. */
import { createMemo, Show, useContext } from "solid-js";
import type { ContentNode } from "../../shared/entities.ts";
import { mentionedIds, replyTarget } from "../../shared/content.ts";
import { useOpenProfile } from "../profile/being-link.tsx";
import { ConversationContext } from "./conversation-context.ts";
import { Markdown } from "./markdown.tsx";
import { markdownWithMentions } from "./mention-chips.ts";
import { ReplyQuote } from "./reply-quote.tsx";

/** The body of a message, pending or confirmed. */
export function MessageContent(props: { content: readonly ContentNode[] }) {
  const facts = useContext(ConversationContext);
  const openProfile = useOpenProfile();
  const flow = createMemo(() => markdownWithMentions(props.content));
  // A mention shows the being's name now when it is known (names change), else the text it was written with.
  const chips = () =>
    flow().mentions.map(({ id, text }) => {
      const name = facts.nameOf(id);
      return { id, label: name ? `@${name}` : text, me: id === facts.meId };
    });
  const mentionsMe = () => facts.meId !== undefined && mentionedIds(props.content).includes(facts.meId);
  return (
    <>
      <Show when={replyTarget(props.content)}>{(to) => <ReplyQuote to={to()} />}</Show>
      <Show when={mentionsMe()}>
        <span class="sr-only">Mentions you: </span>
      </Show>
      <Markdown text={flow().markdown} chips={chips()} onChip={openProfile} class={mentionsMe() ? "markdown message-body mentions-me" : "markdown message-body"} />
    </>
  );
}
