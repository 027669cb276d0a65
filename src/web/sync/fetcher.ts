/** The pump's requests over HTTP: the space's snapshot and the changes after our point, with the offline flag kept true. */
import type { BeingId } from "../../shared/entities.ts";
import { ApiError } from "../../shared/errors.ts";
import { getChanges, getSpace, OfflineError } from "../api.ts";
import { takePrefetched } from "./prefetch.ts";
import type { PumpSink } from "./pump.ts";

/** Fetches a space's state into `sink`; nothing more reaches it once `closed()`. */
export function createFetcher(spaceId: BeingId, sink: Pick<PumpSink, "last" | "reset" | "apply" | "facts" | "onOffline">, closed: () => boolean) {
  /** Runs a request, keeping the offline flag true to what the network last said. */
  async function request<T>(send: () => Promise<T>): Promise<T> {
    try {
      const result = await send();
      sink.onOffline(false);
      return result;
    } catch (error) {
      if (error instanceof OfflineError) sink.onOffline(true);
      throw error;
    }
  }

  /** Replaces the state with the space's snapshot (the one prefetched with the page, while unused). */
  async function loadSnapshot(): Promise<void> {
    const snapshot = await request(() => takePrefetched(spaceId) ?? getSpace(spaceId));
    if (!closed()) sink.reset(snapshot);
  }

  /** Fetches every change after the last applied one, following `hasMore`. */
  async function fetchChanges(): Promise<void> {
    for (;;) {
      const page = await request(() => getChanges(spaceId, sink.last()!));
      if (closed()) return;
      sink.facts(page);
      if (page.changes.length === 0) return;
      sink.apply(page.changes, page.changes[page.changes.length - 1].seq);
      if (!page.hasMore) return;
    }
  }

  return {
    request,
    loadSnapshot,
    /** Fetches what the state misses, reloading the snapshot when the server no longer holds our point. */
    async fetchMissing(): Promise<void> {
      try {
        await fetchChanges();
      } catch (error) {
        if (!(error instanceof ApiError && error.code === "GONE")) throw error;
        await loadSnapshot();
      }
    },
  };
}
