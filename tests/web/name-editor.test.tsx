// Renaming myself in place: a rename another device made meanwhile is said, and my draft stays to save again.
import "@testing-library/jest-dom/vitest";
import { cleanup, fireEvent, render, screen } from "@solidjs/testing-library";
import { createSignal } from "solid-js";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../../src/shared/errors.ts";
import { NameEditor } from "../../src/web/components/name-editor.tsx";

afterEach(cleanup);

describe("the name editor", () => {
  it("says when another device renamed me meanwhile, keeps my draft, and saving again sends it", async () => {
    const [name, setName] = createSignal("Ada");
    // As session.rename does on a conflict: the name as it is now is taken in, then the refusal is thrown.
    const onRename = vi.fn(async (_next: string) => {
      if (onRename.mock.calls.length > 1) return;
      setName("Countess");
      throw new ApiError("CONFLICT", "the being changed meanwhile");
    });
    render(() => <NameEditor name={name()} onRename={onRename} />);
    fireEvent.click(screen.getByRole("button", { name: /Ada/ }));
    const input = screen.getByLabelText("Your name");
    fireEvent.input(input, { target: { value: "Ada L." } });
    fireEvent.click(screen.getByRole("button", { name: "Save" }));

    expect(await screen.findByRole("alert")).toHaveTextContent("Renamed elsewhere to “Countess” meanwhile. Save again to use yours.");
    expect(screen.getByLabelText("Your name")).toHaveValue("Ada L.");
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    await vi.waitFor(() => expect(screen.queryByLabelText("Your name")).toBeNull());
    expect(onRename.mock.calls).toEqual([["Ada L."], ["Ada L."]]);
  });
});
