/**
 * One POST whose 2xx answer is read as a byte stream (audio) rather than events: a non-2xx
 * answer becomes an adapter error exactly as for `postForEvents` (status, `Retry-After`,
 * an optional refinement from the documented error body), a 2xx of another content type a
 * `malformed_output` one.
 */
import { AdapterError } from '../../../contracts/index.ts';
import { retryAfterMs } from '../../../contracts/internal.ts';
import { readLimited, safeJson } from './http.ts';

/** One POST of a body that answers with bytes. */
export interface BodyPost {
  /** `provider_id` for errors. */
  readonly provider: string;
  /** Full URL. */
  readonly url: URL;
  /** Every header to send (content type included). */
  readonly headers: Readonly<Record<string, string>>;
  /** The exact body sent (it may be signed). */
  readonly body: string;
  /** Aborting it closes the connection. */
  readonly signal: AbortSignal;
  /** Content types (lower case, without parameters) a 2xx may carry. */
  readonly accept: readonly string[];
  /** The fetch to use (default: the global one). */
  readonly fetch?: typeof fetch;
  /**
   * Refines a non-2xx answer from its headers and parsed JSON error body; null keeps the status
   * row. Only stable ids may be taken from the body, never its text.
   */
  readonly refine?: (status: number, headers: Headers, body: unknown) => AdapterError | null;
}

/** POSTs and returns the 2xx response body; throws the adapter error of anything else. */
export async function postForBody(post: BodyPost): Promise<ReadableStream<Uint8Array>> {
  const response = await (post.fetch ?? fetch)(post.url, {
    method: 'POST',
    headers: post.headers,
    body: post.body,
    signal: post.signal,
  });
  if (!response.ok) {
    // The body may echo the request: it is never kept, only looked at by `refine`.
    const text = await readLimited(response.body);
    const refined = post.refine?.(response.status, response.headers, safeJson(text)) ?? null;
    if (refined !== null) throw refined;
    const retryAfter = response.headers.get('retry-after');
    throw new AdapterError('http_status', {
      provider: post.provider,
      status: response.status,
      ...(retryAfter === null ? {} : { retry_after_ms: retryAfterMs(retryAfter) }),
    });
  }
  const type = (response.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
  if (response.body === null || !post.accept.includes(type ?? '')) {
    await response.body?.cancel().catch(() => undefined);
    throw new AdapterError('malformed_output', {
      provider: post.provider,
      detail: 'unexpected_content_type',
    });
  }
  return response.body;
}

/** Reads a whole body, at most `limit` bytes (more is `malformed_output` / `body_too_large`). */
export async function readBody(
  provider: string,
  body: ReadableStream<Uint8Array>,
  limit: number,
): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const part of body) {
    size += part.byteLength;
    if (size > limit) {
      throw new AdapterError('malformed_output', { provider, detail: 'body_too_large' });
    }
    parts.push(part);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}
