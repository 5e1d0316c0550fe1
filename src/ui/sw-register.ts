/**
 * Registers the offline service worker (dist/sw.js, written by tools/vite-sw-plugin.ts) in
 * production builds only; the dev server has no sw.js and keeps its hot reload. Resolves to the
 * registration, or null where there is no worker (dev, unsupported browser, or a failure, which
 * is logged and never breaks the page). `navigator.serviceWorker.ready` resolves once every file
 * is precached and the worker is active.
 */
export async function registerServiceWorker(): Promise<ServiceWorkerRegistration | null> {
  if (!import.meta.env.PROD || typeof navigator === 'undefined' || !('serviceWorker' in navigator)) return null;
  try {
    return await navigator.serviceWorker.register(`${import.meta.env.BASE_URL}sw.js`, { scope: import.meta.env.BASE_URL });
  } catch (e) {
    console.warn(`offline mode unavailable: ${(e as Error).message}`);
    return null;
  }
}
