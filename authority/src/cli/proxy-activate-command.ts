// `vact authority proxy-activate`: the MAK proxy / isolated-lab path. Installation IDs
// gathered from many machines go to the authority in batches; confirmation IDs come back in
// the same order, each with its own result.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';
import { VactError, ExitCode, AUTHORITY_MAX_BATCH_ITEMS, CatalogueDigestSchema, type ApiError } from '@vact/shared';
import { action, printResult } from './cli-output';
import { clientFor, withConnection, type ConnectionOptions } from './key-commands';

/** Largest --in file read. */
const MAX_INPUT_BYTES = 16 * 1024 * 1024;

/** One machine's installation ID; `catalogueDigest` is its catalogue's (as `vact offline iid --json` prints it). */
export interface ProxyInputItem { installationId: string; name?: string; catalogueDigest?: string }
export interface ProxyResult {
  index: number;
  name?: string;
  installationId: string;
  ok: boolean;
  confirmationId?: string;
  repeat?: boolean;
  error?: ApiError;
}

/** A catalogue digest from `source`, checked (64 lower-case hex characters). */
function digestOf(value: unknown, source: string): string {
  const r = CatalogueDigestSchema.safeParse(value);
  if (!r.success) throw new VactError('INVALID_REQUEST', `${source}: a catalogue digest is 64 lower-case hex characters (vact offline iid --json, vact status -v), not ${JSON.stringify(value)}`);
  return r.data;
}

/**
 * Reads installation IDs from JSON (an array of strings, an array of {installationId, name?,
 * catalogueDigest?} — what `vact offline iid --json` prints — or {installationIds: [...]}) or from
 * text (one per line; blank lines and # comments skipped).
 */
export function parseProxyInput(text: string, source: string): ProxyInputItem[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch (err) {
      throw new VactError('INVALID_REQUEST', `${source} looks like JSON but does not parse: ${(err as Error).message}`);
    }
    const list = Array.isArray(json) ? json : (json as { installationIds?: unknown }).installationIds;
    if (!Array.isArray(list)) throw new VactError('INVALID_REQUEST', `${source}: expected an array of installation IDs or {"installationIds": [...]}`);
    return list.map((v, i) => {
      if (typeof v === 'string') return { installationId: v };
      if (v && typeof v === 'object' && typeof (v as ProxyInputItem).installationId === 'string') {
        const o = v as ProxyInputItem;
        return {
          installationId: o.installationId, ...(typeof o.name === 'string' ? { name: o.name } : {}),
          ...(o.catalogueDigest !== undefined ? { catalogueDigest: digestOf(o.catalogueDigest, `${source}: item ${i}`) } : {}),
        };
      }
      throw new VactError('INVALID_REQUEST', `${source}: item ${i} is neither a string nor {"installationId": "..."}`);
    });
  }
  return text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#')).map((installationId) => ({ installationId }));
}

/** Writes a file atomically (temp file, rename) so a reader never sees half of it. */
function writeAtomic(file: string, text: string): void {
  const tmp = path.join(path.dirname(path.resolve(file)), `.${path.basename(file)}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

/** Adds `proxy-activate` under `vact authority`. */
export function registerProxyActivateCommand(authority: Command): void {
  withConnection(authority.command('proxy-activate')
    .description('exchange a batch of installation IDs for confirmation IDs (MAK proxy / isolated lab)')
    .requiredOption('--in <FILE>', 'installation IDs: JSON array, {"installationIds": [...]}, or text with one per line')
    .requiredOption('--out <FILE>', 'confirmation IDs: *.json gets per-item results, any other name one CID per line in input order (empty line where an item failed)')
    .option('--catalogue-digest <HEX>', "the machines' catalogue digest (vact offline iid), for items that do not give their own: another catalogue than the authority's is refused"), false)
    .action(action(async (opts: ConnectionOptions & { in: string; out: string; catalogueDigest?: string }) => {
      const defaultDigest = opts.catalogueDigest === undefined ? undefined : digestOf(opts.catalogueDigest, '--catalogue-digest');
      let text: string;
      try {
        if (fs.statSync(opts.in).size > MAX_INPUT_BYTES) throw new VactError('PAYLOAD_TOO_LARGE', `${opts.in} is larger than ${MAX_INPUT_BYTES} bytes`);
        text = fs.readFileSync(opts.in, 'utf8');
      } catch (err) {
        if (err instanceof VactError) throw err;
        throw new VactError('INVALID_CONFIG', `cannot read --in ${opts.in}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
      const items = parseProxyInput(text, opts.in);
      if (items.length === 0) throw new VactError('INVALID_REQUEST', `${opts.in} holds no installation IDs`);
      const client = clientFor(opts, false);
      const results: ProxyResult[] = [];
      for (let start = 0; start < items.length; start += AUTHORITY_MAX_BATCH_ITEMS) {
        const chunk = items.slice(start, start + AUTHORITY_MAX_BATCH_ITEMS);
        const r = await client.confirmOfflineBatch(chunk.map((i) => i.installationId), chunk.map((i) => i.catalogueDigest ?? defaultDigest ?? null));
        for (const item of r.results) {
          const src = chunk[item.index];
          const base = { index: start + item.index, ...(src.name !== undefined ? { name: src.name } : {}), installationId: src.installationId };
          results.push(item.ok
            ? { ...base, ok: true, confirmationId: item.confirmationId, repeat: item.repeat }
            : { ...base, ok: false, error: item.error });
        }
      }
      results.sort((a, b) => a.index - b.index);
      const failed = results.filter((r) => !r.ok);
      const summary = { total: results.length, confirmed: results.length - failed.length, failed: failed.length };
      if (opts.out.toLowerCase().endsWith('.json')) writeAtomic(opts.out, JSON.stringify({ ...summary, results }, null, 2) + '\n');
      else writeAtomic(opts.out, results.map((r) => (r.confirmationId ?? '').replace(/\s*\n\s*/g, ' ')).join('\n') + '\n');
      printResult(opts, { ...summary, out: path.resolve(opts.out), results }, () => [
        `${summary.confirmed} of ${summary.total} installation IDs confirmed; confirmation IDs written to ${opts.out}`,
        ...failed.map((r) => `  item ${r.index + 1}${r.name ? ` (${r.name})` : ''}: ${r.error?.code}: ${r.error?.message}`),
      ].join('\n'));
      if (failed.length) process.exitCode = ExitCode.failed;
    }));
}
