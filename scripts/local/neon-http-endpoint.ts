// Neon's SQL-over-HTTP endpoint (what `neon()` POSTs to), answered over node-postgres,
// so code using @neondatabase/serverless in HTTP mode runs against any local PostgreSQL.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import pg from "pg";

const maxBodyBytes = 8 * 1024 * 1024;

// The driver parses every value itself by dataTypeID, so values must leave here as Postgres wrote them.
const rawText = { getTypeParser: () => (value: string) => value };

// The fields the driver copies from a 400 answer onto its NeonDbError.
const errorFields = [
  "severity", "code", "detail", "hint", "position", "internalPosition", "internalQuery", "where",
  "schema", "table", "column", "dataType", "constraint", "file", "line", "routine",
] as const;

const isolationLevels: Record<string, string> = {
  ReadUncommitted: "read uncommitted",
  ReadCommitted: "read committed",
  RepeatableRead: "repeatable read",
  Serializable: "serializable",
};

type Statement = { query: string; params?: unknown[] };

export type NeonHttpEndpoint = {
  url: string;
  stats(): { requests: number; statements: number };
  resetStats(): void;
  close(): Promise<void>;
};

/** Serves Neon's HTTP SQL protocol on 127.0.0.1, running every statement on `connectionString`. */
export async function startNeonHttpEndpoint(options: {
  connectionString: string;
  port?: number;
  maxConnections?: number;
}): Promise<NeonHttpEndpoint> {
  const pool = new pg.Pool({ connectionString: options.connectionString, max: options.maxConnections ?? 10 });
  // An idle client dies when its server stops first; without a listener that crashes the process.
  pool.on("error", () => undefined);
  let counts = { requests: 0, statements: 0 };

  function execute(client: pg.Pool | pg.PoolClient, statement: Statement) {
    const config = {
      text: statement.query,
      values: statement.params ?? [],
      rowMode: "array" as const,
      types: rawText,
      // Extended protocol even without params, so a multi-statement string fails here as it does on Neon.
      // (@types/pg lacks queryMode: a named object rather than a literal keeps the compiler quiet.)
      queryMode: "extended",
    };
    return client.query(config).then(toNeonResult);
  }

  async function runBatch(statements: Statement[], request: IncomingMessage) {
    const client = await pool.connect();
    try {
      await client.query(`begin ${transactionModes(request)}`);
      const results = [];
      for (const statement of statements) results.push(await execute(client, statement));
      await client.query("commit");
      client.release();
      return { results };
    } catch (error) {
      // A client whose rollback fails is broken: destroy it rather than hand it to the next request.
      await client.query("rollback").then(() => client.release(), (rollbackError) => client.release(rollbackError));
      throw error;
    }
  }

  async function answer(request: IncomingMessage, response: ServerResponse) {
    if (request.method === "GET" && request.url === "/health") return send(response, 200, "ok");
    if (request.method !== "POST" || request.url !== "/sql") return send(response, 404, "not found");
    const body = await readBody(request);
    if (body === undefined) return send(response, 413, `request body over ${maxBodyBytes} bytes`);
    const payload = JSON.parse(body) as Statement | { queries: Statement[] };
    const statements = "queries" in payload ? payload.queries : [payload];
    counts.requests += 1;
    counts.statements += statements.length;
    try {
      const result = "queries" in payload ? await runBatch(statements, request) : await execute(pool, payload);
      send(response, 200, result);
    } catch (error) {
      if (!(error instanceof pg.DatabaseError)) throw error;
      send(response, 400, { message: error.message, ...Object.fromEntries(errorFields.map((f) => [f, error[f]])) });
    }
  }

  const server = createServer((request, response) => {
    answer(request, response).catch((error: unknown) => {
      send(response, 500, error instanceof Error ? error.message : String(error));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/sql`,
    stats: () => ({ ...counts }),
    resetStats: () => {
      counts = { requests: 0, statements: 0 };
    },
    async close() {
      const closed = new Promise((resolve) => server.close(resolve));
      // Keep-alive sockets from workerd or undici would otherwise hold close() open.
      server.closeAllConnections();
      await closed;
      await pool.end();
    },
  };
}

function toNeonResult(result: pg.QueryResult<unknown[]>) {
  const fields = result.fields.map(({ name, dataTypeID, tableID, columnID, dataTypeSize, dataTypeModifier, format }) =>
    ({ name, dataTypeID, tableID, columnID, dataTypeSize, dataTypeModifier, format }));
  return { fields, command: result.command, rowCount: result.rowCount, rows: result.rows, rowAsArray: true };
}

function transactionModes(request: IncomingMessage): string {
  const modes: string[] = [];
  const isolation = request.headers["neon-batch-isolation-level"];
  const readOnly = request.headers["neon-batch-read-only"];
  const deferrable = request.headers["neon-batch-deferrable"];
  if (typeof isolation === "string") {
    const level = isolationLevels[isolation];
    if (!level) throw new Error(`unknown Neon-Batch-Isolation-Level: ${isolation}`);
    modes.push(`isolation level ${level}`);
  }
  if (readOnly !== undefined) modes.push(readOnly === "true" ? "read only" : "read write");
  if (deferrable !== undefined) modes.push(deferrable === "true" ? "deferrable" : "not deferrable");
  return modes.join(", ");
}

async function readBody(request: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  // Drain an oversized body instead of abandoning it, so the 413 still reaches the client.
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= maxBodyBytes) chunks.push(chunk);
  }
  return size > maxBodyBytes ? undefined : Buffer.concat(chunks).toString("utf8");
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  const type = typeof body === "string" ? "text/plain; charset=utf-8" : "application/json";
  response.writeHead(status, { "content-type": type }).end(text);
}
