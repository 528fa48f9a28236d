// Reads and validates a JSON request body with a hard size cap.
import type { IncomingMessage } from 'node:http';
import { VactError } from '@vact/shared';
import type { z } from 'zod';

/** Past this, an oversized body is no longer drained so the 413 can be read; the connection is closed instead. */
const MAX_DRAIN_BYTES = 16 * 1024 * 1024;

export class BodyTooLarge extends VactError {
  constructor(readonly cap: number, readonly closeConnection: boolean) {
    super('PAYLOAD_TOO_LARGE', `the body exceeds ${cap} bytes`, { maxBytes: cap });
  }
}

/** Reads the whole body (at most `cap` bytes) and parses it as JSON. */
export async function readJsonBody(req: IncomingMessage, cap: number): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > MAX_DRAIN_BYTES) throw new BodyTooLarge(cap, true);
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_DRAIN_BYTES) throw new BodyTooLarge(cap, true);
    if (size > cap) tooLarge = true;
    // Keep draining an oversized body (without storing it) so the client can read the 413.
    if (!tooLarge) chunks.push(chunk);
  }
  if (tooLarge) throw new BodyTooLarge(cap, false);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') throw new VactError('INVALID_REQUEST', 'the body is empty; send a JSON object');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new VactError('INVALID_REQUEST', `the body is not valid JSON (${(err as Error).message})`);
  }
}

/** Validates `value` against `schema`; unknown fields and wrong types become INVALID_REQUEST naming the field. */
export function validate<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => {
    const where = i.path.length ? i.path.join('.') : 'body';
    const extra = i.code === 'unrecognized_keys' ? ` (${(i as { keys: string[] }).keys.join(', ')})` : '';
    return `${where}: ${i.message}${extra}`;
  });
  throw new VactError('INVALID_REQUEST', issues.join('; '), { issues });
}
