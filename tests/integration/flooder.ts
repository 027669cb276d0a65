// A participant that publishes junk on a room's sync topic as fast as it can, in a process of its own so
// that its publishing does not share an event loop with the receivers it floods (relay.livekit.test.ts).
// Usage: node tests/integration/flooder.ts URL TOKEN MILLISECONDS; prints "flooding", then "sent N" (among LiveKit's own log lines).
import { Room } from "@livekit/rtc-node";

const [url, token, ms] = process.argv.slice(2);
/** Packets in flight at once: enough to keep the data channel full. */
const IN_FLIGHT = 32;
const junk = new TextEncoder().encode(`{"kid":"x","payload":"${"j".repeat(200)}","sig":"nope"}`);

const room = new Room();
await room.connect(url!, token!, { autoSubscribe: false, dynacast: false });
// Once the server takes its data publishing back, LiveKit refuses what it still tries: it goes on trying.
const publish = () => room.localParticipant!.publishData(junk, { reliable: true, topic: "sync" }).catch(() => undefined);
console.log("flooding");
let sent = 0;
for (const until = Date.now() + Number(ms); Date.now() < until; sent += IN_FLIGHT) await Promise.all(Array.from({ length: IN_FLIGHT }, publish));
console.log(`sent ${sent}`);
// Leaving at once would drop what is still queued to send: those packets would never reach anyone.
await new Promise((resolve) => setTimeout(resolve, 5_000));
await room.disconnect();
// The LiveKit FFI keeps the process alive after disconnect.
process.exit(0);
