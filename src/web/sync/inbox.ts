/** Packets from the room waiting to be read: bounded, and read in slices so that a flood never freezes the page. */
import { nextTask } from "../scheduling.ts";

/** Packets waiting to be read at most: a flood beyond it loses its oldest, and a catch-up follows. */
const MAX_INBOX = 2_048;
/** The longest the pump reads packets before it lets the page paint and take input. */
const SLICE_MS = 8;

/** A packet as it came from the room, with the sender LiveKit named (a writer relaying), if any. */
export interface InboxPacket {
  packet: Uint8Array;
  sender: string | undefined;
}

/** The packets waiting to be read; `onOverflow` hears of each one dropped unread. */
export function createInbox(onOverflow: () => void) {
  const packets: InboxPacket[] = [];
  return {
    add(packet: InboxPacket): void {
      packets.push(packet);
      if (packets.length <= MAX_INBOX) return;
      packets.shift();
      onOverflow();
    },
    take: () => packets.shift(),
    pending: () => packets.length > 0,
    clear(): void {
      packets.length = 0;
    },
  };
}

/** Time slices of SLICE_MS for a reader of packets: once one is spent, the next starts after the page has painted and taken input. */
export function timeSlices() {
  let start = performance.now();
  return {
    spent: () => performance.now() - start > SLICE_MS,
    async next(): Promise<void> {
      await nextTask();
      start = performance.now();
    },
  };
}
