import type { Me, Session } from "./generated/openapi.js";

/** What the SDK keeps of a signed-in session. */
export interface StoredSession {
  access_token: string;
  refresh_token: string;
  /** When the access token expires, in milliseconds since the epoch (as the client saw it). */
  expires_at: number;
  user: Me;
}

/**
 * Where the session lives between calls (and page loads). The SDK writes it
 * after sign-in and every refresh, and clears it on sign-out or when the
 * refresh token is refused.
 */
export interface SessionStore {
  load(): StoredSession | null;
  save(session: StoredSession | null): void;
}

/** Keeps the session in memory only (servers, tests, scripts). */
export function memoryStore(initial: StoredSession | null = null): SessionStore {
  let current = initial;
  return {
    load: () => current,
    save: (session) => {
      current = session;
    },
  };
}

/**
 * Keeps the session in `localStorage` under `key`, so a reader stays signed
 * in across page loads. Falls back to memory where there is no storage.
 */
export function localStorageStore(key = "kiosque.session"): SessionStore {
  const storage = typeof globalThis.localStorage === "undefined" ? null : globalThis.localStorage;
  if (storage === null) {
    return memoryStore();
  }
  return {
    load: () => {
      const raw = storage.getItem(key);
      if (raw === null) {
        return null;
      }
      try {
        return JSON.parse(raw) as StoredSession;
      } catch {
        // a value written by something else: treat as signed out
        return null;
      }
    },
    save: (session) => {
      if (session === null) {
        storage.removeItem(key);
      } else {
        storage.setItem(key, JSON.stringify(session));
      }
    },
  };
}

export function fromSession(session: Session, now = Date.now()): StoredSession {
  return {
    access_token: session.access_token,
    refresh_token: session.refresh_token,
    expires_at: now + session.expires_in * 1000,
    user: session.user,
  };
}
