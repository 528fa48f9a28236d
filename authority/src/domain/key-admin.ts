// Key management (admin): issue, inspect, list and revoke keys; read the audit trail.
import { randomBytes } from 'node:crypto';
import {
  VactError, encodeProductKey, MAX_KEY_SERIAL, decodeProductKey, findGroup, partialKey,
  type IssueKeyRequest, type KeyInfo, type AuditEntry,
} from '@vact/shared';
import { DEFAULT_MAK_LIMIT, type AuthorityContext } from './authority-context';
import type { KeyRecord } from '../storage/store';

/** Random serial for a new key; the key format decides how many bits it can carry. */
function randomSerial(bits: number): bigint {
  const bytes = randomBytes(Math.ceil(bits / 8));
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n & ((1n << BigInt(bits)) - 1n);
}

export class KeyAdministration {
  constructor(private readonly ctx: AuthorityContext) {}

  private groupIds(): string[] {
    return this.ctx.catalogue.groups.map((g) => g.id);
  }

  /** Issues a new MAK or KMS host key and stores it; only stored keys are genuine. */
  async issue(req: IssueKeyRequest, who: string): Promise<KeyInfo> {
    findGroup(this.ctx.catalogue, req.group);
    if (req.type === 'kms-host' && req.limit !== undefined) {
      throw new VactError('INVALID_REQUEST', `--limit does not apply to KMS host keys: they are limited to ${this.ctx.catalogue.rules.kmsHostKeyMaxHosts} hosts and ${this.ctx.catalogue.rules.kmsHostKeyMaxActivationsPerHost} activations per host by the catalogue`);
    }
    const limit = req.type === 'mak' ? (req.limit ?? DEFAULT_MAK_LIMIT) : this.ctx.catalogue.rules.kmsHostKeyMaxHosts;
    for (let attempt = 0; attempt < 8; attempt++) {
      const key = this.encode(req.type, req.group);
      const now = this.ctx.clock.now();
      const rec: KeyRecord = {
        key, partialKey: partialKey(key), type: req.type, group: req.group, limit, used: 0,
        note: req.note ?? null, issuedAt: now, revokedAt: null,
      };
      const stored = await this.ctx.store.insertKey(rec, {
        at: now, action: 'issue-key', partialKey: rec.partialKey, who, cmid: null, result: 'issued',
        detail: `type=${req.type} group=${req.group} limit=${limit}`,
      });
      if (stored) return this.toInfo(rec);
    }
    throw new VactError('INTERNAL', 'could not find an unused key serial after 8 attempts');
  }

  private encode(type: IssueKeyRequest['type'], group: string): string {
    const serial = randomSerial(53) % (BigInt(MAX_KEY_SERIAL) + 1n);
    return encodeProductKey({ type, group, serial }, this.groupIds());
  }

  /** The stored state of one key; NOT_FOUND for a key this authority never issued. */
  async info(input: string): Promise<KeyInfo> {
    const key = decodeProductKey(input, this.groupIds()).key;
    const rec = await this.ctx.store.getKey(key);
    if (!rec) throw new VactError('NOT_FOUND', `no key ${partialKey(key)} was issued by this authority`);
    return this.toInfo(rec);
  }

  /** Every issued key, oldest first. */
  async list(): Promise<KeyInfo[]> {
    const recs = await this.ctx.store.listKeys();
    return Promise.all(recs.map((r) => this.toInfo(r)));
  }

  /** Revokes a key: later activations with it are refused; earlier ones stay valid. */
  async revoke(input: string, who: string): Promise<KeyInfo> {
    const key = decodeProductKey(input, this.groupIds()).key;
    const now = this.ctx.clock.now();
    const rec = await this.ctx.store.revokeKey(key, now, {
      at: now, action: 'revoke-key', partialKey: partialKey(key), who, cmid: null, result: 'revoked', detail: null,
    });
    if (!rec) throw new VactError('NOT_FOUND', `no key ${partialKey(key)} was issued by this authority`);
    return this.toInfo(rec);
  }

  /** The newest audit entries first. */
  async auditTrail(limit: number): Promise<AuditEntry[]> {
    return this.ctx.store.auditTrail(limit);
  }

  private async toInfo(rec: KeyRecord): Promise<KeyInfo> {
    const info: KeyInfo = {
      key: rec.key, partialKey: rec.partialKey, type: rec.type, group: rec.group, limit: rec.limit, used: rec.used,
      remaining: Math.max(0, rec.limit - rec.used), revoked: rec.revokedAt !== null, revokedAt: rec.revokedAt,
      issuedAt: rec.issuedAt, note: rec.note,
    };
    if (rec.type === 'kms-host') {
      const perHost = this.ctx.catalogue.rules.kmsHostKeyMaxActivationsPerHost;
      info.hosts = (await this.ctx.store.hostUsage(rec.key)).map((h) => ({
        hardwareHash: h.hardwareHash, edition: h.edition, activations: h.activations,
        activationsRemaining: Math.max(0, perHost - h.activations), firstActivatedAt: h.firstAt, lastActivatedAt: h.lastAt,
      }));
    }
    return info;
  }
}
