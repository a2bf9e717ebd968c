import createClient, { type Client, type FetchOptions, type HeadersOptions } from "openapi-fetch";
import type { PathsWithMethod, SuccessResponseJSON } from "openapi-typescript-helpers";

import { EtagCache, type EtagCacheOptions } from "./etag.js";
import type { Login, Me, PageMeta, paths, Session } from "./generated/openapi.js";
import { isProblem, KiosqueError, toProblem, unwrap } from "./problem.js";
import { fromSession, memoryStore, type SessionStore, type StoredSession } from "./session.js";

export interface KiosqueOptions {
  /** Where Kiosque answers, without `/api/v1` (the paths carry it): `https://api.example-news.fr`. */
  baseUrl: string;
  /** Where the session is kept; memory by default ({@link localStorageStore} in browsers). */
  store?: SessionStore;
  /** An integrator's API key (`kq_…`), sent instead of a member's session. */
  apiKey?: string;
  /** The ETag cache (on by default); `false` turns it off. */
  etagCache?: boolean | EtagCacheOptions;
  /** Told whenever the session changes: signed in, refreshed, signed out or refused. */
  onSessionChange?: (session: StoredSession | null) => void;
  /** Headers sent with every call (`Accept-Language`…). */
  headers?: HeadersOptions;
  /** The fetch to use (default `globalThis.fetch`). */
  fetch?: (request: Request) => Promise<Response>;
}

/** GET paths whose answer is a page (`{ data: [...], meta }`). */
export type ListPath = {
  [P in PathsWithMethod<paths, "get">]: SuccessResponseJSON<paths[P]["get"]> extends {
    data: unknown[];
    meta: PageMeta;
  }
    ? P
    : never;
}[PathsWithMethod<paths, "get">];

/** One item of the page a list path answers. */
export type ItemOf<P extends ListPath> =
  SuccessResponseJSON<paths[P]["get"]> extends { data: (infer I)[] } ? I : never;
/** The page a list path answers: its items and `meta` (total, limit, next cursor). */
export interface PageOf<P extends ListPath> {
  data: ItemOf<P>[];
  meta: PageMeta;
}
/** What a list call takes (filters, path parameters), less the cursor the iterator manages. */
export type ListInit<P extends ListPath> = FetchOptions<paths[P]["get"]>;

/** Codes of a 401 after which a fresh access token may help. */
const REFRESHABLE = new Set(["token_expired", "invalid_token"]);

/**
 * The Kiosque client: `api` is the generated, fully typed client (every path,
 * parameter, body and answer of the OpenAPI document), and the methods here
 * are what a front end needs besides — a session that refreshes itself,
 * iteration over cursors, and an ETag cache.
 */
export class Kiosque {
  /** The typed client: `kiosque.api.GET("/api/v1/articles/{id}", { params: { path: { id } } })`. */
  readonly api: Client<paths>;
  /** The ETag cache, or null when turned off. */
  readonly cache: EtagCache | null;

  readonly #baseUrl: string;
  readonly #store: SessionStore;
  readonly #apiKey: string | null;
  readonly #fetch: (request: Request) => Promise<Response>;
  readonly #onSessionChange: ((session: StoredSession | null) => void) | undefined;
  /** The bare client for /auth/refresh: no session handling, so no recursion. */
  readonly #bare: Client<paths>;
  #refreshing: Promise<StoredSession | null> | null = null;

  constructor(options: KiosqueOptions) {
    const baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.#baseUrl = baseUrl;
    this.#store = options.store ?? memoryStore();
    this.#apiKey = options.apiKey ?? null;
    this.#onSessionChange = options.onSessionChange;
    const plainFetch = options.fetch ?? ((request: Request) => globalThis.fetch(request));
    this.#fetch = plainFetch;
    this.cache =
      options.etagCache === false
        ? null
        : new EtagCache(typeof options.etagCache === "object" ? options.etagCache : {});
    const common = { baseUrl, ...(options.headers === undefined ? {} : { headers: options.headers }) };
    this.#bare = createClient<paths>({ ...common, fetch: plainFetch });
    this.api = createClient<paths>({ ...common, fetch: (request) => this.#send(request) });
  }

  /**
   * An address the API gave, made absolute: media URLs (`cover_image.url`,
   * variants) are relative to the API's origin, and a front end served from
   * another origin must resolve them there.
   */
  resolve(url: string): string {
    return new URL(url, `${this.#baseUrl}/`).toString();
  }

  /** A `srcset` value (`/…/w320.jpg 320w, …`) with each address made absolute. */
  resolveSrcset(srcset: string): string {
    return srcset
      .split(",")
      .map((candidate) => candidate.trim())
      .filter((candidate) => candidate !== "")
      .map((candidate) => {
        const [url = "", ...descriptor] = candidate.split(/\s+/);
        return [this.resolve(url), ...descriptor].join(" ");
      })
      .join(", ");
  }

  /** The signed-in member, as of sign-in or the last refresh. */
  get user(): Me | null {
    return this.#store.load()?.user ?? null;
  }

  /** The stored session, if any (its tokens included). */
  get session(): StoredSession | null {
    return this.#store.load();
  }

  /** Signs in with e-mail and password; throws a {@link KiosqueError} (401 `invalid_credentials`…). */
  async signIn(credentials: Login): Promise<Session> {
    const session = unwrap(await this.#bare.POST("/api/v1/auth/login", { body: credentials }));
    this.#save(fromSession(session));
    return session;
  }

  /** Takes a session obtained elsewhere (a sign-in link, an e-mail change). */
  useSession(session: Session): void {
    this.#save(fromSession(session));
  }

  /**
   * Exchanges the refresh token for a new pair now. Calls made through `api`
   * do this by themselves when the server refuses an expired access token.
   */
  async refresh(): Promise<StoredSession> {
    const current = this.#store.load();
    if (current === null) {
      throw new Error("not signed in");
    }
    const next = await this.#refreshOnce(current.access_token);
    if (next === null) {
      throw new Error("the session could not be refreshed; sign in again");
    }
    return next;
  }

  /** Ends the session on the server (the refresh token) and forgets it here. */
  async signOut(): Promise<void> {
    const current = this.#store.load();
    this.#save(null);
    this.cache?.clear();
    if (current !== null) {
      unwrap(
        await this.#bare.POST("/api/v1/auth/logout", {
          body: { refresh_token: current.refresh_token },
        }),
      );
    }
  }

  /**
   * Every page of a list, following `meta.next_cursor` until the last one.
   * `init` takes the list's filters and path parameters, as `api.GET` does.
   */
  async *pages<P extends ListPath>(path: P, init?: ListInit<P>): AsyncGenerator<PageOf<P>, void, undefined> {
    // openapi-fetch's GET is generic over every path; a union of list paths
    // is too wide for its overloads, so the call goes through a loose view of it
    const get = this.api.GET as unknown as (
      path: string,
      init: Record<string, unknown>,
    ) => Promise<{ data?: PageOf<P>; error?: unknown; response: Response }>;
    const base = (init ?? {}) as Record<string, unknown> & { params?: Record<string, unknown> };
    const query = { ...((base.params?.query as Record<string, unknown> | undefined) ?? {}) };
    delete query.page;
    let cursor: string | null | undefined = undefined;
    for (;;) {
      const params: Record<string, unknown> = {
        ...(base.params ?? {}),
        query: cursor === undefined ? query : { ...query, cursor },
      };
      const page: PageOf<P> = unwrap(await get(path, { ...base, params }));
      yield page;
      cursor = page.meta.next_cursor;
      if (cursor === null || cursor === undefined || page.data.length === 0) {
        return;
      }
    }
  }

  /** Every item of a list, page after page (see {@link pages}). */
  async *iterate<P extends ListPath>(path: P, init?: ListInit<P>): AsyncGenerator<ItemOf<P>, void, undefined> {
    for await (const page of this.pages(path, init)) {
      yield* page.data;
    }
  }

  #save(session: StoredSession | null): void {
    this.#store.save(session);
    this.#onSessionChange?.(session);
  }

  /** Sends one call: credentials, the ETag cache, and one retry after a refresh. */
  async #send(request: Request): Promise<Response> {
    const session = this.#store.load();
    // a caller's own Authorization header wins, and is theirs to renew
    const own = request.headers.has("Authorization");
    const sentToken = own ? null : (this.#apiKey ?? session?.access_token ?? null);
    // a body can be read once: keep a copy for the retry
    const retry = sentToken !== null && this.#apiKey === null ? request.clone() : null;
    const response = await this.#sendWith(request, sentToken);
    if (response.status !== 401 || retry === null || sentToken === null) {
      return response;
    }
    const code = await problemCode(response);
    if (code === null || !REFRESHABLE.has(code)) {
      return response;
    }
    const renewed = await this.#refreshOnce(sentToken);
    if (renewed === null) {
      return response;
    }
    return this.#sendWith(retry, renewed.access_token);
  }

  async #sendWith(request: Request, token: string | null): Promise<Response> {
    if (token !== null && !request.headers.has("Authorization")) {
      request.headers.set("Authorization", `Bearer ${token}`);
    }
    const cache = this.cache;
    // a caller's own If-None-Match means they handle 304s themselves
    const cacheable = cache !== null && request.method === "GET" && !request.headers.has("If-None-Match");
    const key = cacheable ? EtagCache.key(request) : "";
    if (cacheable) {
      const etag = cache.etagFor(key);
      if (etag !== null) {
        request.headers.set("If-None-Match", etag);
      }
    }
    const response = await this.#fetch(request);
    if (!cacheable) {
      return response;
    }
    if (response.status === 304) {
      return cache.revive(key, response) ?? response;
    }
    await cache.store(key, response);
    return response;
  }

  /**
   * One refresh however many calls failed together: calls that sent the same
   * expired token wait for the same refresh; a call that sent an older token
   * than the stored one just retries with the stored one.
   */
  async #refreshOnce(sentToken: string): Promise<StoredSession | null> {
    const current = this.#store.load();
    if (current === null) {
      return null;
    }
    if (current.access_token !== sentToken) {
      return current;
    }
    if (this.#refreshing === null) {
      this.#refreshing = (async () => {
        try {
          const result = await this.#bare.POST("/api/v1/auth/refresh", {
            body: { refresh_token: current.refresh_token },
          });
          if (result.data !== undefined) {
            const next = fromSession(result.data);
            this.#save(next);
            return next;
          }
          // refused (reused, expired or revoked): the session is over; a
          // server or network failure leaves it for a later attempt
          if (result.response.status === 401 || result.response.status === 400) {
            this.#save(null);
          }
          return null;
        } finally {
          this.#refreshing = null;
        }
      })();
    }
    return this.#refreshing;
  }
}

/** The `code` of a problem document answer, without consuming it. */
async function problemCode(response: Response): Promise<string | null> {
  try {
    const body: unknown = await response.clone().json();
    return isProblem(body) ? body.code : null;
  } catch {
    return null;
  }
}

export { KiosqueError, toProblem };
