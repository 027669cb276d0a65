/** The bell: the inbox's unread count, opening the inbox (its code fetched when first opened). */
import { INBOX_UNREAD_CAP } from "../../shared/limits.ts";
import { DialogButton } from "../manage/dialog-button.tsx";
import { inboxUnread } from "./count.ts";

/** The bell button in the space page's header. */
export function InboxButton() {
  const count = () => (inboxUnread() >= INBOX_UNREAD_CAP ? `${INBOX_UNREAD_CAP - 1}+` : String(inboxUnread()));
  return (
    <DialogButton
      label={inboxUnread() > 0 ? `🔔 ${count()}` : "🔔"}
      ariaLabel={inboxUnread() > 0 ? `Notifications, ${count()} unread` : "Notifications"}
      class="button small quiet inbox-button"
      load={() => import("./inbox-dialog.tsx").then(({ InboxDialog }) => InboxDialog)}
    />
  );
}
