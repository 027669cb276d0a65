/**
 * Who is here: the people connected now (and bots and spaces), then the people who were here lately
 * folded into an "away" group. A being away longer than the server's setting is not listed at all:
 * guests never leave a space, so without that cut the panel would fill with everyone who ever came.
 */
import { For, Show } from "solid-js";
import type { Being, BeingId } from "../../shared/entities.ts";
import { BeingLink } from "../profile/being-link.tsx";
import { SpaceLink } from "./space-link.tsx";

/** False for a private space this being may not open (other clients may still place one in a public space). */
export function mayOpen(being: Being, meId: BeingId): boolean {
  const { private: isPrivate, members } = being.properties;
  return isPrivate !== true || being.ownerId === meId || (Array.isArray(members) && members.includes(meId));
}

export interface HereInput {
  beings: Record<BeingId, Being>;
  /** Beings connected to the room; null when that is unknown (live sync off): then nobody is shown away. */
  online: ReadonlySet<BeingId> | null;
  lastSeen: Readonly<Record<BeingId, Date>>;
  awayListedSeconds: number;
  meId: BeingId;
  now: number;
}

export interface HereGroups {
  /** People online now (me first), then bots, then spaces and documents. */
  here: Being[];
  /** People who left within the listing window, most recently seen first. */
  away: Being[];
}

const RANK: Record<Being["type"], number> = { guest: 0, bot: 1, space: 2, document: 3 };

/** Splits the beings located in a space into who is here now and who is away (and drops the long gone). */
export function groupHere(input: HereInput): HereGroups {
  const here: Being[] = [];
  const away: Being[] = [];
  // Never seen in the room: their arrival (the move that put them here) is the best we know.
  const seen = (being: Being) => (input.lastSeen[being.id] ?? being.modifiedAt).getTime();
  for (const being of Object.values(input.beings)) {
    if (!mayOpen(being, input.meId)) continue;
    const person = being.type === "guest";
    if (!person || being.id === input.meId || input.online === null || input.online.has(being.id)) here.push(being);
    else if (input.now - seen(being) <= input.awayListedSeconds * 1000) away.push(being);
  }
  here.sort(
    (a, b) =>
      RANK[a.type] - RANK[b.type] || Number(b.id === input.meId) - Number(a.id === input.meId) || a.name.localeCompare(b.name),
  );
  away.sort((a, b) => seen(b) - seen(a) || a.name.localeCompare(b.name));
  return { here, away };
}

/** How many are here now, for the header: people connected and bots. */
export const hereCount = (groups: HereGroups) => groups.here.filter((being) => being.type === "guest" || being.type === "bot").length;

export interface PeopleProps {
  groups: HereGroups;
  /** Whether presence is known (the room is connected); without it no dots are drawn. */
  presenceKnown: boolean;
  meId: BeingId;
}

/** One being in the list; spaces are links to go into them. */
function Row(props: { being: Being; status: "online" | "away" | "unknown"; meId: BeingId }) {
  return (
    <li class="person" data-type={props.being.type} title={props.being.id}>
      <Show
        when={props.being.type === "space"}
        fallback={
          <>
            <Show when={props.status !== "unknown"} fallback={<span class="presence unknown" aria-hidden="true" />}>
              <span class="presence" classList={{ online: props.status === "online" }} role="img" aria-label={props.status} />
            </Show>
            <BeingLink id={props.being.id} class="person-name">
              {props.being.name}
            </BeingLink>
            <Show when={props.being.id === props.meId}>
              <span class="tag">you</span>
            </Show>
            <Show when={props.being.type !== "guest"}>
              <span class="tag">{props.being.type}</span>
            </Show>
          </>
        }
      >
        <span class="space-glyph" aria-hidden="true">
          #
        </span>
        <SpaceLink class="person-name" id={props.being.id}>
          {props.being.name}
        </SpaceLink>
        <Show when={props.being.properties.private === true}>
          <span class="tag">private</span>
        </Show>
      </Show>
    </li>
  );
}

/** The "Here" list, and the away group folded under it. */
export function People(props: PeopleProps) {
  const status = (being: Being) => (!props.presenceKnown || being.type === "bot" ? "unknown" : "online");
  return (
    <>
      <ul class="people-list" aria-label="Here now">
        <For each={props.groups.here}>{(being) => <Row being={being} status={status(being)} meId={props.meId} />}</For>
      </ul>
      <Show when={props.groups.away.length > 0}>
        <details class="away">
          <summary>Away · {props.groups.away.length}</summary>
          <ul class="people-list" aria-label="Away">
            <For each={props.groups.away}>{(being) => <Row being={being} status="away" meId={props.meId} />}</For>
          </ul>
        </details>
      </Show>
    </>
  );
}
