/**
 * How the worker reaches the database: every query is one HTTPS request to Neon, bounded in time,
 * and a database that cannot be reached becomes one error type instead of whatever the network,
 * Neon's proxy or the driver happened to say.
 */

/**
 * Longest one query may take, answer included. Neon wakes a suspended compute in a few hundred ms
 * and our statements take milliseconds, so 5 s is well past any healthy answer; without a bound, a
 * hung database would hold the request until the Worker's own limits end it, with no answer at all.
 */
export const QUERY_TIMEOUT_MS = 5_000;

/** The database could not be reached or did not answer in time; nothing the request did is at fault. */
export class DatabaseUnreachable extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "DatabaseUnreachable";
  }
}

/**
 * The `fetch` Neon's driver sends queries with. A refused or dropped connection, no answer within
 * QUERY_TIMEOUT_MS, or a 5xx from Neon's proxy throws DatabaseUnreachable (the driver keeps it as
 * `sourceError`). Neon answers a failed statement with 400 and its SQLSTATE, but a compute it could
 * not reach or wake with 500 (proxy/src/serverless/sql_over_http.rs), so every 5xx is the service's
 * fault, not the statement's; except 507, a result too large, which a retry would only repeat.
 */
export async function fetchWithinBounds(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  let response: Response;
  let body: ArrayBuffer;
  try {
    response = await fetch(input, { ...init, signal: AbortSignal.timeout(QUERY_TIMEOUT_MS) });
    // The body inside the bound too: a server can send its headers and then stall.
    body = await response.arrayBuffer();
  } catch (error) {
    const timedOut = error instanceof Error && error.name === "TimeoutError";
    throw new DatabaseUnreachable(timedOut ? `no answer within ${QUERY_TIMEOUT_MS} ms` : `the SQL endpoint could not be reached: ${error}`, { cause: error });
  }
  if (response.status >= 500 && response.status !== 507) {
    throw new DatabaseUnreachable(`the SQL endpoint answered ${response.status}: ${new TextDecoder().decode(body).slice(0, 500)}`);
  }
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}
