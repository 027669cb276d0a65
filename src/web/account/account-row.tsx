/** A row of the account page's lists: what it is, when, and its one action. */
import { Show, type JSX } from "solid-js";

/** One passkey, linked account or device, with its action as the children. */
export function AccountRow(props: { title: string; detail: string; tag?: string; children: JSX.Element }) {
  return (
    <li class="account-row">
      <div>
        <strong>{props.title}</strong>
        <Show when={props.tag}>
          <span class="tag">{props.tag}</span>
        </Show>
        <div class="account-detail">{props.detail}</div>
      </div>
      {props.children}
    </li>
  );
}
