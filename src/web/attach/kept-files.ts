/**
 * The files of messages waiting in the outbox, kept in IndexedDB (by upload key) so they survive a reload
 * or a closed tab while offline. Fails soft (no IndexedDB, private mode, quota): the files then live as
 * long as the page. Their bytes are stored, not the Blob: some browsers (older Safari) could not store Blobs.
 */
const DB_NAME = "spaces-outbox-files";
const FILES = "files";

let opening: Promise<IDBDatabase> | undefined;

const db = () => {
  opening ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(FILES);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  return opening;
};

/** Runs one request on the files store; undefined on any failure. */
async function run<T>(mode: IDBTransactionMode, work: (files: IDBObjectStore) => IDBRequest<T>): Promise<T | undefined> {
  try {
    const tx = (await db()).transaction(FILES, mode);
    const request = work(tx.objectStore(FILES));
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = tx.onabort = () => reject(tx.error);
    });
    return request.result;
  } catch {
    return undefined;
  }
}

interface KeptFile {
  bytes: ArrayBuffer;
  type: string;
}

/** Keeps a file until `dropKept`. */
export async function keep(key: string, file: Blob): Promise<void> {
  const stored: KeptFile = { bytes: await file.arrayBuffer(), type: file.type };
  await run("readwrite", (files) => files.put(stored, key));
}

/** A kept file, or undefined. */
export async function kept(key: string): Promise<Blob | undefined> {
  const stored = await run<KeptFile | undefined>("readonly", (files) => files.get(key));
  return stored && new Blob([stored.bytes], { type: stored.type });
}

/** Forgets a kept file. */
export async function dropKept(key: string): Promise<void> {
  await run("readwrite", (files) => files.delete(key));
}
