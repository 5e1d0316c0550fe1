/**
 * Which web pages may call `lab serve`. The server has no authentication, so a browser page from
 * any site must not be able to drive the local model: by default only the lab's own origins —
 * pages served from this machine (http or https on 127.x.x.x, localhost or [::1], any port: the
 * dev server, the preview, a built copy) — get CORS headers. `--cors-origin` adds exact origins
 * (repeatable, or comma-separated); `--cors-origin '*'` allows every origin. A request that carries
 * a foreign `Origin` is refused with 403 before it reaches the model (so a "simple" cross-site POST
 * cannot run a generation either); requests without `Origin` (curl, the CLI, SDKs) are served.
 */

import { isLoopbackHost } from '../core/loopback.js';

/** Origins of the lab itself: served from this machine. */
export function isLoopbackOrigin(origin: string): boolean {
  let u: URL;
  try {
    u = new URL(origin);
  } catch {
    return false;
  }
  return (u.protocol === 'http:' || u.protocol === 'https:') && isLoopbackHost(u.hostname);
}

/** Normalise one `--cors-origin` value ("*" or scheme://host[:port]); throws naming the value. */
export function parseCorsOrigin(value: string): string {
  const v = value.trim();
  if (v === '*') return v;
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new Error(`--cors-origin "${value}" is not an origin: give scheme://host[:port], e.g. https://lab.example.org, or "*"`);
  }
  if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.pathname !== '/' || u.search || u.hash || u.username) throw new Error(`--cors-origin "${value}" is not an origin: give scheme://host[:port] with no path, e.g. https://lab.example.org`);
  return u.origin;
}

/** Decides per request; `extra` holds parsed `--cors-origin` values. */
export function corsPolicy(extra: readonly string[] = []): (origin: string | undefined) => boolean {
  const any = extra.includes('*');
  const allowed = new Set(extra);
  return (origin) => origin === undefined || any || isLoopbackOrigin(origin) || allowed.has(origin);
}
