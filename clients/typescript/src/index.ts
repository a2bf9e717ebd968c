/**
 * The official TypeScript client for Kiosque.
 *
 * The types come from the committed OpenAPI document (`npm run generate`);
 * `Kiosque` wraps the generated client with a self-refreshing session,
 * cursor iteration and an ETag cache.
 */
export { Kiosque } from "./client.js";
export type { ItemOf, KiosqueOptions, ListInit, ListPath, PageOf } from "./client.js";
export { EtagCache, REVALIDATED_HEADER } from "./etag.js";
export type { EtagCacheOptions } from "./etag.js";
export { multipart } from "./multipart.js";
export { isProblem, KiosqueError, outcome, toProblem, unwrap } from "./problem.js";
export type { CallResult, Outcome } from "./problem.js";
export { fromSession, localStorageStore, memoryStore } from "./session.js";
export type { SessionStore, StoredSession } from "./session.js";
// every schema of the document under its own name (ArticleDetail, Problem, …),
// and the raw `paths`, `components` and `operations` maps
export type * from "./generated/openapi.js";
