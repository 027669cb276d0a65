/**
 * A participant that publishes junk on a room's `sync` topic as fast as LiveKit takes it, in a process
 * of its own: an attacker has its own machine, and rtc-node matches every answer of its native side
 * against every pending request, so in the benchmark's process the receivers' packets would slow the
 * flood down. `flood` runs this file as a child; run alone it reads its orders from argv[2], says
 * "ready" once in the room, and the number of packets it published at the end.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Room } from "@livekit/rtc-node";
import { SYNC_TOPIC } from "../../src/shared/sync.ts";

interface Orders {
  url: string;
  token: string;
  /** The packet, base64. */
  junk: string;
  ms: number;
}

/** Publishes in flight at once: enough to keep the data channel busy. */
const WIDTH = 16;

/** A flood under way: `ready` once the flooder is in the room and starts, `sent` with how many packets went out. */
export interface Flood {
  ready: Promise<void>;
  sent: Promise<number>;
}

/** Floods the room a token admits to with `junk` for `ms`, from a child process. */
export function flood(url: string, token: string, junk: Uint8Array, ms: number): Flood {
  const orders: Orders = { url, token, junk: Buffer.from(junk).toString("base64"), ms };
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), JSON.stringify(orders)], { stdio: ["ignore", "pipe", "inherit"] });
  let output = "";
  const ready = new Promise<void>((resolve) => {
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("\n")) resolve();
    });
  });
  const sent = new Promise<number>((resolve, reject) => {
    child.on("exit", (code) => {
      if (code === 0) resolve(Number(output.trim().split("\n").at(-1)));
      else reject(new Error(`the flooder exited with ${code}`));
    });
  });
  return { ready: Promise.race([ready, sent.then(() => undefined)]), sent };
}

async function floodAsOrdered({ url, token, junk, ms }: Orders): Promise<number> {
  const room = new Room();
  await room.connect(url, token, { autoSubscribe: false, dynacast: false });
  console.log("ready");
  const packet = new Uint8Array(Buffer.from(junk, "base64"));
  const end = Date.now() + ms;
  let sent = 0;
  // Once the server takes its data publishing back, a publish may be refused: that lane stops.
  const publishing = async () => {
    try {
      for (; Date.now() < end; sent++) await room.localParticipant!.publishData(packet, { reliable: true, topic: SYNC_TOPIC });
    } catch {
      // Refused: nothing more goes out on this lane.
    }
  };
  await Promise.all(Array.from({ length: WIDTH }, publishing));
  await room.disconnect();
  return sent;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(await floodAsOrdered(JSON.parse(process.argv[2]!) as Orders));
  process.exit(0);
}
