/**
 * The service worker: the app shell (the page and its hashed assets) offline. It never answers for
 * /api: the data belongs to the sync rules and the spaces cache in IndexedDB (src/web/sync/cache.ts).
 * A classic script, not a module (every browser with service workers runs those): the build
 * prepends `BUILD`, the deploy's version and the files to keep (scripts/service-worker-plugin.ts).
 */
declare const BUILD: { version: string; files: string[] };

const sw = self as unknown as ServiceWorkerGlobalScope;
/** One cache per build: a deploy installs the next one beside it and activating drops the old. */
const SHELL_CACHE = `spaces-shell-${BUILD.version}`;
/** What any app address (/, /@space, /admin) is offline: the app document. */
const SHELL = "/";
const precached = new Set(BUILD.files);

/** The Static Routing API (Chromium 123+), not yet in TypeScript's lib. */
type RouterInstallEvent = ExtendableEvent & { addRoutes?(rules: { condition: { urlPattern: { pathname: string } }; source: "network" }): Promise<void> };

sw.addEventListener("install", (event) => {
  // The API goes straight to the network without waking this worker (where the browser can say so):
  // the fetch handler below would let it through anyway, but only after starting up.
  (event as RouterInstallEvent).addRoutes?.({ condition: { urlPattern: { pathname: "/api/*" } }, source: "network" }).catch(() => undefined);
  // A hashed file (/assets/…) never changes content, so the HTTP cache's copy is the build's own: what
  // the page has loaded already costs a revalidation (304), not the file again. The rest ("/", icons,
  // the manifest) keep their names across deploys: from the server ("reload"), so the set is this build's.
  const requests = BUILD.files.map((file) => new Request(file, file.startsWith("/assets/") ? {} : { cache: "reload" }));
  event.waitUntil(
    caches
      .open(SHELL_CACHE)
      .then((cache) => cache.addAll(requests))
      .then(() => sw.skipWaiting()),
  );
});

sw.addEventListener("activate", (event) => {
  // Each on its own: taking the open pages must not wait for, or fail with, the housekeeping.
  event.waitUntil(
    Promise.allSettled([
      sw.clients.claim(),
      // The page's request starts while this worker wakes, instead of after.
      sw.registration.navigationPreload?.enable(),
      caches.keys().then((names) => Promise.all(names.filter((name) => name.startsWith("spaces-shell-") && name !== SHELL_CACHE).map((name) => caches.delete(name)))),
    ]),
  );
});

sw.addEventListener("fetch", (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== sw.location.origin || /^\/api(\/|$)/.test(url.pathname)) return;
  if (request.mode === "navigate") event.respondWith(page(event));
  else if (precached.has(url.pathname)) event.respondWith(asset(request));
});

/**
 * A page: from the server while it answers (so a deploy shows at once and the document always
 * matches the assets the server has), else the kept app document, which routes by its address.
 */
async function page(event: FetchEvent): Promise<Response> {
  try {
    return ((await event.preloadResponse) as Response | undefined) ?? (await fetch(event.request));
  } catch {
    return (await caches.match(SHELL, { cacheName: SHELL_CACHE })) ?? Response.error();
  }
}

/** A file of this build: hashed names never change content, so the kept copy is always right. */
async function asset(request: Request): Promise<Response> {
  return (await caches.match(request, { cacheName: SHELL_CACHE })) ?? fetch(request);
}

/** A push's payload (src/worker/push/send.ts PushPayload): the notification and the app path it opens. */
interface PushPayload {
  title: string;
  body: string;
  url: string;
  tag: string;
}

/** The payload of a push, or null for one that is not ours (unreadable, or a path outside the app). */
function payloadOf(event: PushEvent): PushPayload | null {
  try {
    const payload = event.data?.json() as Partial<PushPayload> | undefined;
    if (typeof payload?.title !== "string" || typeof payload.url !== "string" || !appUrl(payload.url)) return null;
    return { title: payload.title, body: String(payload.body ?? ""), url: payload.url, tag: String(payload.tag ?? payload.url) };
  } catch {
    return null;
  }
}

sw.addEventListener("push", (event) => {
  const payload = payloadOf(event);
  // A push must show something (browsers take a silent one as abuse): a bare one says where to look.
  const shown = payload ?? { title: "Spaces", body: "Something new for you", url: "/", tag: "spaces" };
  event.waitUntil(
    sw.registration.showNotification(shown.title, { body: shown.body, tag: shown.tag, icon: "/icons/icon-192.png", data: { url: shown.url } }),
  );
});

sw.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const path = (event.notification.data as { url?: unknown } | null)?.url;
  event.waitUntil(openAt((typeof path === "string" && appUrl(path)) || new URL("/", sw.location.origin).href));
});

/**
 * `path` resolved against the app, when it stays on the app's origin; null otherwise. Resolved, not matched as text:
 * "/\\evil.example" and "/\t/evil.example" start with one slash, yet a URL parser takes both to another site.
 */
function appUrl(path: string): string | null {
  try {
    const url = new URL(path, sw.location.origin);
    return url.origin === sw.location.origin ? url.href : null;
  } catch {
    return null;
  }
}

/** Takes an open window of the app to `url` (a page of the app) and brings it forward, or opens one there. */
async function openAt(url: string): Promise<void> {
  const windows = await sw.clients.matchAll({ type: "window", includeUncontrolled: true });
  const open = windows.find((client) => new URL(client.url).origin === sw.location.origin);
  // Taken there first, then focused: a window the browser declines to focus still shows the message. A window this
  // worker does not control cannot be navigated by it: then a new one opens.
  const there = (await open?.navigate(url).catch(() => null)) ?? (await sw.clients.openWindow(url));
  await there?.focus();
}
