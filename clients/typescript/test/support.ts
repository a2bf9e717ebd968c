import { readFile } from "node:fs/promises";

/** A setting the runner (clients/run-e2e.sh) must give. */
export function env(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === "") {
    throw new Error(`${name} is not set: run the flow through clients/run-e2e.sh`);
  }
  return value;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Asks `probe` until it returns a value, for at most `ms`. */
export async function eventually<T>(what: string, probe: () => Promise<T | null>, ms = 20_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== null) {
      return value;
    }
    if (Date.now() > until) {
      throw new Error(`gave up waiting for ${what} after ${ms} ms`);
    }
    await sleep(200);
  }
}

/**
 * The token of the link a message to `email` carries, read from the server's
 * log: with `KIOSQUE_MAIL_TRANSPORT=log` every message is written there, as a
 * developer would read it — the text first, then its fields (`to=…`). `page`
 * is the front end's page the link opens (`verifier-email`, `mot-de-passe`…).
 */
export async function linkTokenFromLog(logFile: string, email: string, page: string): Promise<string> {
  return eventually(`the ${page} message to ${email} in ${logFile}`, async () =>
    linkTokenIn(await readFile(logFile, "utf8"), email, page),
  );
}

/** The token of the last message to `email` in a server log, if any. */
export function linkTokenIn(log: string, email: string, page: string): string | null {
  const to = log.lastIndexOf(email);
  if (to < 0) {
    return null;
  }
  const start = log.lastIndexOf("mail (transport", to);
  const link = new RegExp(`/${page}\\?token=([A-Za-z0-9_-]+)`);
  return start < 0 ? null : (link.exec(log.slice(start, to))?.[1] ?? null);
}

/** A unique suffix, so a flow can run twice against one database. */
export const unique = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
