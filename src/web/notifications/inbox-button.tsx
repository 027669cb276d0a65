/** The inbox's button with its unread count, opening the inbox (its code fetched when first opened). */
import { INBOX_UNREAD_CAP } from "../../shared/limits.ts";
import { DialogButton } from "../manage/dialog-button.tsx";
import { inboxUnread } from "./count.ts";

/** The button in the space page's header: "Inbox", and "Inbox · 3" with unread notifications. */
export function InboxButton() {
  const count = () => (inboxUnread() >= INBOX_UNREAD_CAP ? `${INBOX_UNREAD_CAP - 1}+` : String(inboxUnread()));
  return (
    <DialogButton
      label={inboxUnread() > 0 ? `Inbox · ${count()}` : "Inbox"}
      ariaLabel={inboxUnread() > 0 ? `Inbox, ${count()} unread` : "Inbox"}
      class="button small quiet topbar-link"
      load={() => import("./inbox-dialog.tsx").then(({ InboxDialog }) => InboxDialog)}
    />
  );
}
