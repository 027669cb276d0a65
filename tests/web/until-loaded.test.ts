// What a page fetched while the network was down is fetched again once it is back (issue 22).
import { expect, it, vi } from "vitest";
import { ApiError } from "../../src/shared/errors.ts";
import { backoff } from "../../src/web/sync/backoff.ts";
import { OfflineError, untilLoaded } from "../../src/web/api.ts";

it("tries a load that failed offline again as soon as the browser is back online, not a backoff later", async () => {
  let online = false;
  const load = vi.fn(async () => {
    if (!online) throw new OfflineError(new TypeError("Failed to fetch"));
    return ["the spaces"];
  });
  const loaded = untilLoaded(load, backoff(60_000, 60_000));
  await vi.waitFor(() => expect(load).toHaveBeenCalledOnce());

  online = true;
  dispatchEvent(new Event("online"));
  await expect(loaded).resolves.toEqual(["the spaces"]);
  expect(load).toHaveBeenCalledTimes(2);
});

it("tries again after a delay where the browser never says it is back", async () => {
  const load = vi.fn().mockRejectedValueOnce(new ApiError("UNAVAILABLE", "down")).mockResolvedValue("answer");
  await expect(untilLoaded(load, backoff(5, 5))).resolves.toBe("answer");
  expect(load).toHaveBeenCalledTimes(2);
});

it("gives up at once on a failure that will not pass", async () => {
  const load = vi.fn().mockRejectedValue(new ApiError("FORBIDDEN", "not yours"));
  await expect(untilLoaded(load, backoff(5, 5))).rejects.toMatchObject({ code: "FORBIDDEN" });
  expect(load).toHaveBeenCalledOnce();
});
