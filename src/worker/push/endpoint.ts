/**
 * Which push subscription endpoints the worker POSTs to: https on a listed push service (PUSH_SERVICE_HOSTS, by host
 * or parent domain), or plain http on a listed loopback host (development, tests). A subscription is the client's
 * word; without this rule it could point the worker at any address (an internal service, another site).
 */
import { isLoopback } from "../../shared/loopback.ts";

/** Whether the worker may send pushes to `endpoint`, given the listed push service hosts. */
export function mayPushTo(endpoint: string, hosts: readonly string[]): boolean {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return false;
  }
  if (url.username || url.password) return false;
  const host = url.hostname.toLowerCase();
  const listed = hosts.some((allowed) => host === allowed || host.endsWith(`.${allowed}`));
  return listed && (url.protocol === "https:" || (url.protocol === "http:" && isLoopback(url)));
}
