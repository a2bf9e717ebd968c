import type { Problem } from "./generated/openapi.js";

/**
 * Every error Kiosque answers is an RFC 9457 problem document. A proxy in
 * front of it (a 502 page, a CDN's 504) may answer something else: such an
 * answer is turned into a problem document too, with the code `http_<status>`,
 * so callers handle one shape only.
 */
export function toProblem(error: unknown, response: Response): Problem {
  if (isProblem(error)) {
    return error;
  }
  const text = typeof error === "string" ? error.slice(0, 500) : "";
  return {
    type: "about:blank",
    title: response.statusText || `HTTP ${response.status}`,
    status: response.status,
    detail: text,
    code: `http_${response.status}`,
  };
}

export function isProblem(value: unknown): value is Problem {
  if (typeof value !== "object" || value === null) {
    return false;
  }
  const v = value as Record<string, unknown>;
  return typeof v.code === "string" && typeof v.status === "number" && typeof v.title === "string";
}

/** A failed call: the problem document, its status and the raw answer. */
export class KiosqueError extends Error {
  readonly problem: Problem;
  readonly status: number;
  readonly response: Response;

  constructor(problem: Problem, response: Response) {
    super(`${problem.status} ${problem.code}: ${problem.detail || problem.title}`);
    this.name = "KiosqueError";
    this.problem = problem;
    this.status = problem.status;
    this.response = response;
  }

  /** The stable machine-readable code (`validation_failed`, `email_unverified`…). */
  get code(): string {
    return this.problem.code;
  }
}

/** What an openapi-fetch call resolves to, reduced to what these helpers read. */
export interface CallResult<D> {
  data?: D;
  error?: unknown;
  response: Response;
}

/**
 * The data of a successful call, or a thrown {@link KiosqueError} carrying the
 * problem document. A 304 is not a success here: use {@link outcome} (or the
 * ETag cache, which turns 304s into the cached answer) for conditional reads.
 */
export function unwrap<D>(result: CallResult<D>): D {
  const { response } = result;
  if (!response.ok || result.error !== undefined) {
    throw new KiosqueError(toProblem(result.error, response), response);
  }
  return result.data as D;
}

/** A call's result with the three cases a front end tells apart. */
export type Outcome<D> =
  | { kind: "ok"; status: number; data: D; etag: string | null; response: Response }
  | { kind: "not_modified"; status: 304; etag: string | null; response: Response }
  | { kind: "problem"; status: number; problem: Problem; response: Response };

/**
 * Sorts a call's result into success, 304 Not Modified and problem. Use it
 * for conditional requests you make yourself (`If-None-Match`): openapi-fetch
 * alone reports a 304 as an error with an empty body.
 */
export function outcome<D>(result: CallResult<D>): Outcome<D> {
  const { response } = result;
  const etag = response.headers.get("ETag");
  if (response.status === 304) {
    return { kind: "not_modified", status: 304, etag, response };
  }
  if (!response.ok || result.error !== undefined) {
    return {
      kind: "problem",
      status: response.status,
      problem: toProblem(result.error, response),
      response,
    };
  }
  return { kind: "ok", status: response.status, data: result.data as D, etag, response };
}
