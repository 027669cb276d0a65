/**
 * A message's files (Intention.attachments): images in place at their known size (the room is kept before
 * they load, so nothing below moves), their preview when there is one and the original a click away;
 * video and audio play in place; anything else is a download (the server serves those only so).
 */
import { For, Match, Switch, useContext } from "solid-js";
import { attachmentKind, attachmentUrl, IMAGE_BOX, type Attachment } from "../../shared/attachments.ts";
import type { IntentionId } from "../../shared/entities.ts";
import { ConversationContext } from "../components/conversation-context.ts";
import { fileSize } from "./file-size.ts";

/** The files of message `messageId`, in the order they were attached. */
export function AttachmentList(props: { messageId: IntentionId; attachments: readonly Attachment[] }) {
  const conversation = useContext(ConversationContext);
  // In the first screen's newest messages, a picture loads at once; further up, when scrolled near.
  const eager = () => conversation?.isNewest(props.messageId) ?? false;
  return (
    <ul class="attachments" aria-label="Files">
      <For each={props.attachments}>
        {(attachment) => (
          <li class="attachment">
            <Switch fallback={<FileLink attachment={attachment} />}>
              <Match when={attachmentKind(attachment) === "image"}>
                <ImageView attachment={attachment} eager={eager()} />
              </Match>
              <Match when={attachmentKind(attachment) === "video"}>
                <video class="attachment-media" controls preload="metadata" src={attachmentUrl(attachment.id)} aria-label={attachment.name} />
                <FileLink attachment={attachment} />
              </Match>
              <Match when={attachmentKind(attachment) === "audio"}>
                <audio class="attachment-media" controls preload="metadata" src={attachmentUrl(attachment.id)} aria-label={attachment.name} />
                <FileLink attachment={attachment} />
              </Match>
            </Switch>
          </li>
        )}
      </For>
    </ul>
  );
}

/** An image's size on screen: its own, shrunk (never grown) to fit IMAGE_BOX. */
export function shownSize(width: number, height: number): { width: number; height: number } {
  const scale = Math.min(1, IMAGE_BOX.width / width, IMAGE_BOX.height / height);
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

function ImageView(props: { attachment: Attachment; eager: boolean }) {
  const size = () => (props.attachment.width && props.attachment.height ? shownSize(props.attachment.width, props.attachment.height) : undefined);
  return (
    <a class="attachment-image" href={attachmentUrl(props.attachment.id)} target="_blank" rel="noopener" title={`${props.attachment.name}, ${fileSize(props.attachment.size)}: open the original`}>
      <img
        src={attachmentUrl(props.attachment.id, props.attachment.preview ? "preview" : "original")}
        alt={props.attachment.name}
        width={size()?.width}
        height={size()?.height}
        loading={props.eager ? "eager" : "lazy"}
        fetchpriority={props.eager ? "high" : "auto"}
        decoding="async"
      />
    </a>
  );
}

function FileLink(props: { attachment: Attachment }) {
  return (
    <a class="attachment-file" href={attachmentUrl(props.attachment.id, "download")} download={props.attachment.name}>
      <span>{props.attachment.name}</span> <span class="attachment-size">{fileSize(props.attachment.size)}</span>
    </a>
  );
}
