// A response body sent gzip-compressed to a client that accepts it (Prometheus does, and
// browsers do), plain to one that does not; the same for /metrics and the status page.

import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);

/** A body, as text, as bytes and gzip-compressed; each form made when first asked for, then kept with the body. */
export interface CompressibleBody {
  text: string;
  bytes(): Buffer;
  gzip(): Promise<Buffer>;
}

export function compressibleBody(text: string): CompressibleBody {
  let bytes: Buffer | undefined;
  let compressed: Promise<Buffer> | undefined;
  return {
    text,
    // A scrape of /metrics at 500 DCs is 800 KB: encoded once, not once per scrape.
    bytes: () => (bytes ??= Buffer.from(text)),
    gzip: () => (compressed ??= gzipAsync(text)),
  };
}

/** Accept-Encoding names gzip with a q-value above 0 (RFC 9110 12.5.3); `*` counts too. */
export function acceptsGzip(request: IncomingMessage): boolean {
  const header = request.headers['accept-encoding'];
  if (header === undefined) return false;
  for (const part of header.split(',')) {
    const [coding = '', ...params] = part.trim().toLowerCase().split(';');
    if (coding.trim() !== 'gzip' && coding.trim() !== 'x-gzip' && coding.trim() !== '*') continue;
    const q = params.map((param) => /^\s*q\s*=\s*([0-9.]+)\s*$/.exec(param)?.[1]).find((value) => value !== undefined);
    return q === undefined || Number(q) > 0;
  }
  return false;
}

/** A 200 with the body in the form the request accepts, Vary: Accept-Encoding either way (HEAD: Node sends the headers alone). */
export async function sendCompressible(
  request: IncomingMessage,
  response: ServerResponse,
  headers: OutgoingHttpHeaders,
  body: CompressibleBody,
): Promise<void> {
  const common = { ...headers, vary: 'Accept-Encoding' };
  if (acceptsGzip(request)) {
    const compressed = await body.gzip();
    response.writeHead(200, { ...common, 'content-encoding': 'gzip', 'content-length': compressed.length });
    response.end(compressed);
  } else {
    const bytes = body.bytes();
    response.writeHead(200, { ...common, 'content-length': bytes.length });
    response.end(bytes);
  }
}
