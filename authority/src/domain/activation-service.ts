// The authority's activation rules (DESIGN §3, §5): MAK, KMS host and offline activations.
// Checks run in the order the user reads them — well-formed, right type, genuine, not
// revoked, covers the edition, under the limit — and a refusal counts nothing.
import { randomBytes } from 'node:crypto';
import {
  VactError, catalogueIdentity, type CatalogueIdentity, decodeProductKey, findEdition, keyRefusal, signTicketByAuthority, ticketToText,
  signHostCertificate, decodeInstallationId, installationIdNonce, openInstallationId, encodeConfirmationId,
  openSealedKey, makProof, tagsEqual, fromBase64,
  type Catalogue, type DecodedKey, type SealedKeyRequest, type Edition, type ErrorCodeName, type Ticket,
  type MakActivationRequest, type MakActivationResponse, type KmsHostActivationRequest,
  type KmsHostActivationResponse, type OfflineConfirmResponse, type OfflineBatchResponse, type OfflineBatchItem,
} from '@vact/shared';
import type { AuthorityContext } from './authority-context';
import type { KeyRecord } from '../storage/store';

/** Turns a store refusal into the error the client sees. */
function refusal(code: ErrorCodeName, key: DecodedKey): VactError {
  return new VactError(code, `key ${key.partial}`);
}

export class ActivationService {
  /** The catalogue's identity, hashed once: every activation compares the requester's digest with it. */
  private readonly catalogue: CatalogueIdentity;

  constructor(private readonly ctx: AuthorityContext) {
    this.catalogue = catalogueIdentity(ctx.catalogue);
  }

  private groupIds(): string[] {
    return this.ctx.catalogue.groups.map((g) => g.id);
  }

  /** Decodes the key and checks its self-described type; audits a refusal. */
  private async decode(input: string, want: DecodedKey['type'], action: string, who: string, cmid: string | null): Promise<DecodedKey> {
    let key: DecodedKey;
    try {
      key = decodeProductKey(input, this.groupIds());
    } catch (err) {
      await this.auditRefusal(action, null, who, cmid, err);
      throw err;
    }
    if (key.type !== want) {
      const err = new VactError('KEY_WRONG_TYPE', `key ${key.partial} is a ${key.type} key; this operation needs a ${want} key`);
      await this.auditRefusal(action, key.partial, who, cmid, err);
      throw err;
    }
    return key;
  }

  private async edition(id: string, action: string, partial: string | null, who: string, cmid: string | null): Promise<Edition> {
    try {
      return findEdition(this.ctx.catalogue, id);
    } catch (err) {
      await this.auditRefusal(action, partial, who, cmid, err);
      throw err;
    }
  }

  /** Refuses a request made with another catalogue than this authority's (keys and editions would read differently). */
  private async sameCatalogue(digest: string | undefined, action: string, who: string, cmid: string | null): Promise<void> {
    if (digest === undefined) return;
    const mine = this.catalogue;
    if (digest === mine.digest) return;
    const err = new VactError('CATALOGUE_MISMATCH', `the requester's catalogue has digest ${digest}; this authority's catalogue "${mine.name}" (version ${mine.version}) has digest ${mine.digest}`, { catalogueDigest: digest, authorityCatalogue: mine });
    await this.auditRefusal(action, null, who, cmid, err);
    throw err;
  }

  private async auditRefusal(action: string, partialKey: string | null, who: string, cmid: string | null, err: unknown): Promise<void> {
    const code = err instanceof VactError ? err.code : 'INTERNAL';
    await this.ctx.store.audit({ at: this.ctx.clock.now(), action, partialKey, who, cmid, result: code, detail: null });
  }

  /** MAK activation: a ticket signed by the root, counted once per (key, hardware). */
  async activateMak(req: MakActivationRequest, who: string): Promise<MakActivationResponse> {
    const cmid = req.cmid.toLowerCase();
    const hardwareHash = req.hardwareHash.toLowerCase();
    const nonce = req.nonce.toLowerCase();
    await this.sameCatalogue(req.catalogueDigest, 'activate-mak', who, cmid);
    const keyText = req.sealedKey ? await this.openSealed(req.sealedKey, { cmid, hardwareHash, edition: req.edition, nonce }, who) : req.key ?? '';
    const key = await this.decode(keyText, 'mak', 'activate-mak', who, cmid);
    const edition = await this.edition(req.edition, 'activate-mak', key.partial, who, cmid);
    const claimed = await this.claimMak(key, edition, hardwareHash, cmid, 'MAK', who);
    const ticket = this.ticket(key, edition.id, hardwareHash, cmid, nonce, 'MAK');
    return { ticket: ticketToText(ticket), repeat: claimed.repeat, remaining: claimed.remaining };
  }

  /** The root key's seed, which also opens sealed keys (its X25519 form). */
  private rootSeed(): Uint8Array {
    const seed = fromBase64(this.ctx.rootPrivateKey);
    if (!seed || seed.length !== 32) throw new VactError('INTERNAL', 'the root private key is not a 32-byte Ed25519 seed');
    return seed;
  }

  /** Opens a sealed MAK and checks its proof for this very request; audits a refusal. */
  private async openSealed(sealed: SealedKeyRequest, f: { cmid: string; hardwareHash: string; edition: string; nonce: string }, who: string): Promise<string> {
    const parts = { ephemeralPublicKey: Buffer.from(sealed.ephemeralPublicKey, 'hex'), ciphertext: Buffer.from(sealed.ciphertext, 'hex') };
    let opened: { key: string; bindKey: Uint8Array } | null;
    try {
      opened = openSealedKey(parts, this.rootSeed());
    } catch {
      opened = null;
    }
    if (!opened || !tagsEqual(Buffer.from(makProof(opened.bindKey, parts, f), 'hex'), Buffer.from(sealed.proof, 'hex'))) {
      const err = new VactError('INVALID_KEY', 'the sealed key was not made for this authority, or its proof does not match this request');
      await this.auditRefusal('activate-mak', null, who, f.cmid, err);
      throw err;
    }
    return opened.key;
  }

  private async claimMak(key: DecodedKey, edition: Edition, hardwareHash: string, cmid: string, channel: 'MAK' | 'offline', who: string):
    Promise<{ repeat: boolean; remaining: number }> {
    const out = await this.ctx.store.claimMak({
      key: key.key, partialKey: key.partial, hardwareHash, cmid, edition: edition.id, channel,
      at: this.ctx.clock.now(), who, check: (rec) => makCheck(this.ctx.catalogue, rec, edition),
    });
    if (!out.ok) throw refusal(out.code, key);
    return { repeat: out.repeat, remaining: Math.max(0, out.limit - out.used) };
  }

  private ticket(key: DecodedKey, edition: string, hardwareHash: string, cmid: string, nonce: string, channel: 'MAK' | 'offline'): Ticket {
    return signTicketByAuthority(this.ctx.crypto, this.ctx.rootPrivateKey, {
      version: 1, cmid, hardwareHash, edition, channel, partialKey: key.partial,
      issuedAt: this.ctx.clock.now(), validUntil: null, nonce, issuer: 'authority',
    });
  }

  /** KMS host activation: a host certificate; at most N hosts per key and M activations per host. */
  async activateKmsHost(req: KmsHostActivationRequest, who: string): Promise<KmsHostActivationResponse> {
    const hardwareHash = req.hardwareHash.toLowerCase();
    await this.sameCatalogue(req.catalogueDigest, 'activate-kms-host', who, null);
    const key = await this.decode(req.key, 'kms-host', 'activate-kms-host', who, null);
    const edition = await this.edition(req.edition, 'activate-kms-host', key.partial, who, null);
    const rules = this.ctx.catalogue.rules;
    const now = this.ctx.clock.now();
    const out = await this.ctx.store.claimHost({
      key: key.key, partialKey: key.partial, hardwareHash, hostPublicKey: req.hostPublicKey, edition: edition.id,
      at: now, who, maxActivationsPerHost: rules.kmsHostKeyMaxActivationsPerHost,
      check: (rec) => {
        if (rec.revokedAt !== null) return 'KEY_REVOKED';
        return keyRefusal(this.ctx.catalogue, { type: 'kms-host', group: rec.group }, edition.id)?.code;
      },
    });
    if (!out.ok) {
      if (out.code === 'HOST_KEY_NOT_ALLOWED_ON_EDITION') {
        throw new VactError(out.code, `a ${key.group} host key may not be installed on ${edition.id}`);
      }
      throw refusal(out.code, key);
    }
    const certificate = signHostCertificate(this.ctx.crypto, this.ctx.rootPrivateKey, {
      version: 1, serial: randomBytes(16).toString('hex'), hostPublicKey: req.hostPublicKey, hostKeyGroup: key.group,
      hostHardwareHash: hardwareHash, hostEdition: edition.id, issuedAt: now, validUntil: now + this.ctx.hostCertificateValidityMs,
    });
    return {
      certificate, activations: out.activations, hosts: out.hosts,
      activationsRemaining: Math.max(0, rules.kmsHostKeyMaxActivationsPerHost - out.activations),
    };
  }

  /**
   * Offline confirmation: installation ID in, confirmation ID out, counted like a MAK activation.
   * The catalogue is checked first: the IID names its edition by position in the catalogue.
   */
  async confirmOffline(installationId: string, who: string, catalogueDigest?: string): Promise<OfflineConfirmResponse> {
    await this.sameCatalogue(catalogueDigest, 'confirm-offline', who, null);
    const editionIds = this.ctx.catalogue.editions.map((e) => e.id);
    let fields;
    try {
      fields = decodeInstallationId(installationId, editionIds);
    } catch (err) {
      await this.auditRefusal('confirm-offline', null, who, null, err);
      throw err;
    }
    const { cmid, hardwareHash } = fields;
    // The IID carries the key sealed to this authority: open it, and only then is there a key to check.
    let keyText: string;
    try {
      keyText = openInstallationId(fields, editionIds, this.rootSeed());
    } catch (err) {
      await this.auditRefusal('confirm-offline', null, who, cmid, err);
      throw err;
    }
    const key = await this.decode(keyText, 'mak', 'confirm-offline', who, cmid);
    const edition = await this.edition(fields.edition, 'confirm-offline', key.partial, who, cmid);
    const claimed = await this.claimMak(key, edition, hardwareHash, cmid, 'offline', who);
    const ticket = this.ticket(key, edition.id, hardwareHash, cmid, installationIdNonce(fields, editionIds), 'offline');
    return { confirmationId: encodeConfirmationId(ticket, { groupsPerLine: 0 }), repeat: claimed.repeat, remaining: claimed.remaining };
  }

  /** A batch of installation IDs (the MAK proxy path), each confirmed on its own; one failure does not stop the rest. */
  async confirmOfflineBatch(installationIds: readonly string[], who: string, catalogueDigests?: readonly (string | null)[]): Promise<OfflineBatchResponse> {
    const results: OfflineBatchItem[] = [];
    for (const [index, iid] of installationIds.entries()) {
      try {
        results.push({ index, ok: true, ...(await this.confirmOffline(iid, who, catalogueDigests?.[index] ?? undefined)) });
      } catch (err) {
        if (!(err instanceof VactError)) throw err;
        results.push({ index, ok: false, error: err.toJSON() });
      }
    }
    return { results };
  }
}

/** The in-transaction checks of a MAK: not revoked, and of the edition's group. */
function makCheck(c: Catalogue, rec: KeyRecord, edition: Edition): ErrorCodeName | undefined {
  if (rec.revokedAt !== null) return 'KEY_REVOKED';
  return keyRefusal(c, { type: 'mak', group: rec.group }, edition.id)?.code;
}
