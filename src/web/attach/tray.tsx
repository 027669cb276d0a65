/**
 * The files a message carries before it is sent: under the composer while it is written, in the pending
 * message after. Each shows its name, size, a thumbnail for an image, its upload's progress, and Cancel
 * (Remove once up); a failed one says why and offers Retry.
 */
import { For, Match, Show, Switch } from "solid-js";
import type { OutboxFile } from "../sync/outbox.ts";
import { STILL_IMAGE_TYPES } from "../../shared/attachments.ts";
import { fileSize } from "./file-size.ts";
import { retryUpload, uploads, type UploadStatus } from "./uploads.ts";

export interface TrayProps {
  files: readonly OutboxFile[];
  /** Takes the file out (its upload stops). */
  onRemove(key: string): void;
  /** Tries a failed file again; by default its upload alone (a pending message retries itself, files and all). */
  onRetry?(key: string): void;
}

/** The files, and a word on what re-encoding photos removes. */
export function Tray(props: TrayProps) {
  // A photo is known by its bytes (reencode.ts), not its name: one picked with no type is told of once it is up, typed by the server.
  const typeOf = (file: OutboxFile) => (file.attachment ?? uploads[file.key]?.attachment)?.type ?? file.type;
  const reencoded = () => props.files.some((file) => STILL_IMAGE_TYPES.includes(typeOf(file)));
  return (
    <div class="attach-tray">
      <ul class="attach-files" aria-label="Attached files">
        <For each={props.files}>
          {(file) => <TrayFile file={file} onRemove={() => props.onRemove(file.key)} onRetry={() => (props.onRetry ?? retryUpload)(file.key)} />}
        </For>
      </ul>
      <Show when={reencoded()}>
        <p class="attach-note">Photos are re-encoded on this device: location and camera details are removed.</p>
      </Show>
    </div>
  );
}

function TrayFile(props: { file: OutboxFile; onRemove(): void; onRetry(): void }) {
  const upload = () => uploads[props.file.key];
  // After a reload a file has no upload until its message's turn to send comes.
  const status = (): UploadStatus => upload()?.status ?? (props.file.attachment ? "done" : "queued");
  const percent = () => Math.round((upload()?.progress ?? 0) * 100);
  return (
    <li class="attach-file" data-status={status()}>
      <Show when={upload()?.thumbnail} fallback={<span class="attach-icon" aria-hidden="true" />}>
        {(thumbnail) => <img class="attach-thumb" src={thumbnail()} alt="" width="40" height="40" />}
      </Show>
      <span class="attach-name">{props.file.name}</span>
      <span class="attach-size">{fileSize(props.file.size)}</span>
      <Switch>
        <Match when={status() === "uploading"}>
          <div
            class="attach-progress"
            role="progressbar"
            aria-label={`Uploading ${props.file.name}`}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={percent()}
          >
            <div class="attach-progress-bar" style={{ width: `${percent()}%` }} />
          </div>
        </Match>
        <Match when={status() === "queued"}>
          <span class="attach-state">Waiting</span>
        </Match>
        <Match when={status() === "failed"}>
          <span class="attach-error" role="alert">
            {upload()?.error}
          </span>
          <button type="button" class="link-button" aria-label={`Retry ${props.file.name}`} onClick={() => props.onRetry()}>
            Retry
          </button>
        </Match>
      </Switch>
      <button type="button" class="link-button" aria-label={`${status() === "done" ? "Remove" : "Cancel"} ${props.file.name}`} onClick={() => props.onRemove()}>
        {status() === "done" ? "Remove" : "Cancel"}
      </button>
    </li>
  );
}
