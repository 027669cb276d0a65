import "@testing-library/jest-dom/vitest";
import { render, screen } from "@solidjs/testing-library";
import { describe, expect, it } from "vitest";
import type { Being, BeingId } from "../../src/shared/entities.ts";
import { parseMembers } from "../../src/web/components/new-space-form.tsx";
import { People } from "../../src/web/components/people.tsx";
import { guest, space } from "./support/fixtures.ts";

const byId = (...beings: Being[]) => Object.fromEntries(beings.map((b) => [b.id, b])) as Record<BeingId, Being>;

describe("who is here", () => {
  it("lists spaces, then bots, then people (online first), with an online dot, and hides private spaces I may not open", () => {
    render(() => (
      <People
        meId="@me"
        online={new Set<BeingId>(["@me", "@zed"])}
        beings={byId(
          guest("@amy", { name: "Amy" }),
          guest("@zed", { name: "Zed" }),
          guest("@me", { name: "Me" }),
          guest("@helper", { name: "Helper", type: "bot" }),
          space("@garden", { name: "Garden", locationId: "@s" }),
          space("@secret", { name: "Secret", locationId: "@s", properties: { private: true, members: ["@amy"] } }),
          space("@ours", { name: "Ours", locationId: "@s", properties: { private: true, members: ["@me"] } }),
        )}
      />
    ));
    const names = screen.getAllByRole("listitem").map((li) => li.querySelector(".person-name")?.textContent);
    expect(names).toEqual(["Garden", "Ours", "Helper", "Me", "Zed", "Amy"]);
    expect(screen.getByRole("link", { name: "Garden" })).toHaveAttribute("href", "/@garden");
    expect(screen.queryByText("Secret")).toBeNull();
    const zed = screen.getByText("Zed").closest("li")!;
    expect(zed.querySelector(".presence")).toHaveClass("online");
    expect(screen.getByText("Amy").closest("li")!.querySelector(".presence")).toHaveAccessibleName("away");
  });
});

describe("members of a private space", () => {
  it("reads ids separated by commas or spaces, adding a missing @, and reports what is not an id", () => {
    expect(parseMembers("@ada-3f9k2q, grace  @ada-3f9k2q\nbad/id")).toEqual({ members: ["@ada-3f9k2q", "@grace"], invalid: ["bad/id"] });
  });
});
