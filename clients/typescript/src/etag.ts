/**
 * A small in-memory cache of GET answers that carried an `ETag`. The next GET
 * of the same URL (by the same caller) is sent with `If-None-Match`; a 304 is
 * answered from the cache as the 200 it stands for, so callers always get
 * data, and the network carries no body.
 */
export interface EtagCacheOptions {
  /** Most answers kept; the least recently used go first. Default 200. */
  maxEntries?: number;
}

interface Entry {
  etag: string;
  body: ArrayBuffer;
  headers: [string, string][];
}

/** Header set on an answer served from the cache after a 304. */
export const REVALIDATED_HEADER = "x-kiosque-cache";

/** Headers worth keeping with a cached body (the rest describe the 304 itself). */
const KEPT = ["content-type", "etag", "last-modified", "link", "cache-control"];

export class EtagCache {
  readonly #entries = new Map<string, Entry>();
  readonly #max: number;
  /** Answers served from the cache after a 304 (a measure for tests and dashboards). */
  revalidated = 0;

  constructor(options: EtagCacheOptions = {}) {
    this.#max = Math.max(1, options.maxEntries ?? 200);
  }

  /** The cache key: the URL and who asks (a member may see more than the public). */
  static key(request: Request): string {
    return `${request.url}\n${request.headers.get("Authorization") ?? ""}`;
  }

  etagFor(key: string): string | null {
    return this.#entries.get(key)?.etag ?? null;
  }

  async store(key: string, response: Response): Promise<void> {
    const etag = response.headers.get("ETag");
    if (response.status !== 200 || etag === null || /no-store/i.test(response.headers.get("Cache-Control") ?? "")) {
      this.#entries.delete(key);
      return;
    }
    const body = await response.clone().arrayBuffer();
    const headers: [string, string][] = [];
    for (const name of KEPT) {
      const value = response.headers.get(name);
      if (value !== null) {
        headers.push([name, value]);
      }
    }
    this.#entries.delete(key);
    this.#entries.set(key, { etag, body, headers });
    while (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) {
        break;
      }
      this.#entries.delete(oldest.value);
    }
  }

  /** The cached answer a 304 confirmed, as a fresh 200 (null when it was evicted meanwhile). */
  revive(key: string, notModified: Response): Response | null {
    const entry = this.#entries.get(key);
    if (entry === undefined) {
      return null;
    }
    // most recently used goes last
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    this.revalidated += 1;
    const headers = new Headers(entry.headers);
    // the 304 may carry newer validators and caching instructions
    for (const name of ["etag", "cache-control", "last-modified"]) {
      const value = notModified.headers.get(name);
      if (value !== null) {
        headers.set(name, value);
      }
    }
    headers.set(REVALIDATED_HEADER, "revalidated");
    return new Response(entry.body.slice(0), { status: 200, statusText: "OK", headers });
  }

  clear(): void {
    this.#entries.clear();
  }

  get size(): number {
    return this.#entries.size;
  }
}
