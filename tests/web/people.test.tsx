import "@testing-library/jest-dom/vitest";
import { render, screen } from "@solidjs/testing-library";
import { describe, expect, it } from "vitest";
import type { Being, BeingId } from "../../src/shared/entities.ts";
import { parseMembers } from "../../src/web/components/new-space-form.tsx";
import { groupHere, hereCount, People } from "../../src/web/components/people.tsx";
import { typingLine } from "../../src/web/components/typing.tsx";
import { guest, space } from "./support/fixtures.ts";

const byId = (...beings: Being[]) => Object.fromEntries(beings.map((b) => [b.id, b])) as Record<BeingId, Being>;

const NOW = Date.parse("2026-11-30T12:00:00Z");
const minutesAgo = (minutes: number) => new Date(NOW - minutes * 60_000);

describe("who is here", () => {
  const beings = byId(
    guest("@amy", { name: "Amy", modifiedAt: minutesAgo(600) }),
    guest("@zed", { name: "Zed" }),
    guest("@me", { name: "Me" }),
    guest("@old", { name: "Old", modifiedAt: minutesAgo(600) }),
    guest("@new", { name: "Newcomer", modifiedAt: minutesAgo(2) }),
    guest("@helper", { name: "Helper", type: "bot" }),
    space("@garden", { name: "Garden", locationId: "@s" }),
    space("@secret", { name: "Secret", locationId: "@s", properties: { private: true, members: ["@amy"] } }),
    space("@ours", { name: "Ours", locationId: "@s", properties: { private: true, members: ["@me"] } }),
  );
  const lastSeen = { "@amy": minutesAgo(5), "@old": minutesAgo(120) } as Record<BeingId, Date>;
  const input = { beings, lastSeen, awayListedSeconds: 3600, meId: "@me" as BeingId, now: NOW };

  it("puts people online now first (me first), then bots and spaces; the recently gone are away; the long gone are not listed", () => {
    const groups = groupHere({ ...input, online: new Set<BeingId>(["@zed"]) });
    expect(groups.here.map((b) => b.name)).toEqual(["Me", "Zed", "Helper", "Garden", "Ours"]);
    // Amy left 5 minutes ago; the newcomer was placed here 2 minutes ago and never connected; Old left 2 hours ago.
    expect(groups.away.map((b) => b.name)).toEqual(["Newcomer", "Amy"]);
    expect(hereCount(groups)).toBe(3);
  });

  it("shows nobody as away while presence is unknown (live sync off)", () => {
    const groups = groupHere({ ...input, online: null });
    expect(groups.away).toEqual([]);
    expect(groups.here.map((b) => b.name)).toContain("Old");
  });

  it("renders the here list with online dots, and the away group folded with its count", () => {
    const groups = groupHere({ ...input, online: new Set<BeingId>(["@zed", "@me"]) });
    render(() => <People groups={groups} presenceKnown={true} meId="@me" />);
    const here = screen.getByRole("list", { name: "Here now" });
    expect(here.querySelector("li[title='@zed'] .presence")).toHaveClass("online");
    expect(screen.getByRole("link", { name: "Garden" })).toHaveAttribute("href", "/@garden");
    expect(screen.queryByText("Secret")).toBeNull();
    const away = screen.getByText("Away · 2").closest("details")!;
    expect(away).not.toHaveAttribute("open");
    expect(screen.getByText("Amy").closest("li")!.querySelector(".presence")).toHaveAccessibleName("away");
  });
});

describe("members of a private space", () => {
  it("reads ids separated by commas or spaces, adding a missing @, and reports what is not an id", () => {
    expect(parseMembers("@ada-3f9k2q, grace  @ada-3f9k2q\nbad/id")).toEqual({ members: ["@ada-3f9k2q", "@grace"], invalid: ["bad/id"] });
  });
});

describe("who is typing", () => {
  it("names one, two or three people, and folds the rest into a count", () => {
    expect(typingLine([])).toBe("");
    expect(typingLine(["Ada"])).toBe("Ada is typing…");
    expect(typingLine(["Ada", "Bob"])).toBe("Ada and Bob are typing…");
    expect(typingLine(["Ada", "Bob", "Cy"])).toBe("Ada, Bob and Cy are typing…");
    expect(typingLine(["Ada", "Bob", "Cy", "Di", "Ed"])).toBe("Ada, Bob and 3 others are typing…");
  });
});
