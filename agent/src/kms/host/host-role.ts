// The KMS host role as the composition root registers it (DESIGN §2): while a KMS host key is
// installed the listener runs (answering "KMS host not activated" until the authority has certified
// this host), the count persists beside the state, and DNS publishing follows. Key uninstall stops
// the listener and withdraws the SRV record. It reads the license state, never changes it, and takes
// no lock of the engine: requests never wait for the state lock, nor it for them.
import * as path from 'node:path';
import {
  EventIds, hostCertificateFromText, hostKeyActivates, toWireTime, type Catalogue, type Clock, type HostCertificate, type HostClientsResult, type HostStatusResult,
} from '@vact/shared/licensing';
import type { KmsTicketSigner } from '@vact/shared/kms';
import type { KmsSettings } from '../../config/agent-config';
import type { Announcer } from '../../license/announcer';
import type { KeyedScheduler } from '../../scheduler/keyed-scheduler';
import type { AgentState } from '../../store/state-file';
import { Mutex } from '../../license/mutex';
import type { DnsPublisher } from '../dns/publisher';
import { hostEd25519 } from './host-ed25519';
import { readHostKeyPair } from './host-identity';
import type { KmsHostService, HostSelf } from './host-service';
import { sharedKms } from '../../shared-on-use';

export const HOST_COUNT_FILE = 'kms-host.json';
/** The scheduler job that renews the host certificate with the authority. */
export const HOST_RENEWAL_JOB = 'kms-host-renewal';

/** One renewal contact's outcome, as the activation runner reports it. */
export type RenewalOutcome = { ok: true } | { ok: false; error: { code: string; message: string } } | null;

export interface KmsHostRoleDeps {
  stateDir: string;
  flags: KmsSettings;
  catalogue: Catalogue;
  clock: Clock;
  realClock: Clock;
  scheduler: KeyedScheduler;
  announcer: Announcer;
  state: () => AgentState;
  /** Re-activates the host with the authority (the runner's contact: outside the state lock, aborted by its stop). */
  reactivate: () => Promise<RenewalOutcome>;
  /** The `/metrics` counters, when --metrics-listen is on. */
  metrics?: () => { request(result: string, latencyMs: number): void; refused(reason: string): void } | null;
}

export class KmsHostRole {
  private service: KmsHostService | null = null;
  private listenPort = 0;
  private publisher: DnsPublisher | null = null;
  private readonly lock = new Mutex();
  private certCache: { text: string; cert: HostCertificate | undefined; signer: KmsTicketSigner | undefined } | null = null;
  private stopped = false;
  /** After a failed renewal: not before this time (in memory: a restart tries again at once). */
  private retryAfter: number | null = null;
  private renewal: { lastAttemptAt: number | null; lastError: { code: string; message: string } | null } = { lastAttemptAt: null, lastError: null };

  constructor(private readonly d: KmsHostRoleDeps) {}

  /** Is a KMS host key installed? */
  isHost(): boolean {
    return this.d.state().lifecycle.key?.type === 'kms-host';
  }

  /** Brings the listener in line with the state (called after every change; serialised). */
  sync(): Promise<void> {
    return this.lock.run(async () => {
      if (this.stopped) return;
      const want = this.isHost();
      const port = this.d.state().kms?.port ?? this.d.flags.listen.port;
      if (this.service && (!want || port !== this.listenPort)) {
        await this.service.stop();
        this.service = null;
        this.d.announcer.logger.info('KMS host listener stopped', { reason: want ? 'port changed' : 'host key removed' });
        if (!want) await this.publisher?.withdraw();
      }
      if (want && !this.service) await this.startService(port);
      this.armRenewal();
    });
  }

  /** Arms the renewal job at the certificate's renewal time (or the retry after a failure); disarms it without a certificate. */
  private armRenewal(): void {
    const cert = this.isHost() && !this.stopped ? this.self().certificate : undefined;
    if (!cert) {
      this.d.scheduler.schedule(HOST_RENEWAL_JOB, null, () => undefined);
      return;
    }
    const at = Math.max(sharedKms().hostCertificateRenewalAt(cert.body), this.retryAfter ?? -Infinity);
    this.d.scheduler.schedule(HOST_RENEWAL_JOB, at, () => this.renew(cert.body.serial));
  }

  /** Asks the authority for a fresh certificate; a failure is retried one activation interval later. */
  private async renew(serial: string): Promise<void> {
    if (this.stopped || this.self().certificate?.body.serial !== serial) return;
    const { logger } = this.d.announcer;
    const now = this.d.clock.now();
    logger.info('renewing the KMS host certificate with the authority', { serial });
    this.renewal.lastAttemptAt = now;
    let outcome: RenewalOutcome;
    try {
      outcome = await this.d.reactivate();
    } catch (err) {
      outcome = { ok: false, error: { code: 'INTERNAL', message: (err as Error)?.message ?? String(err) } };
    }
    if (this.stopped) return;
    const renewed = this.self().certificate;
    if (outcome?.ok && renewed && renewed.body.serial !== serial) {
      this.retryAfter = null;
      this.renewal.lastError = null;
      logger.info('KMS host certificate renewed', { previous: serial, serial: renewed.body.serial, validUntil: new Date(renewed.body.validUntil).toISOString() });
    } else {
      const error = outcome && !outcome.ok ? { code: outcome.error.code, message: outcome.error.message } : { code: 'ACTIVATION_SUPERSEDED', message: 'the renewal did not produce a new certificate' };
      this.retryAfter = sharedKms().hostCertificateRetryAt(this.d.clock.now(), this.d.state().lifecycle.intervals.activationMinutes);
      this.renewal.lastError = error;
      logger.warn('KMS host certificate renewal failed; the current certificate stays in use', { serial, code: error.code, message: error.message, retryAt: new Date(this.retryAfter).toISOString() });
    }
    this.armRenewal();
  }

  private async startService(port: number): Promise<void> {
    const { announcer, flags } = this.d;
    // The listener, the count store and DNS publishing are loaded with the first host key (only a KMS host runs them).
    const { KmsHostService } = await import('./host-service.js');
    const service = new KmsHostService({
      clock: this.d.clock, timerClock: this.d.realClock, catalogue: this.d.catalogue,
      stateFile: path.join(this.d.stateDir, HOST_COUNT_FILE), self: () => this.self(), listen: { host: flags.listen.host, port },
      onRequest: (e, remote, latencyMs) => {
        this.d.metrics?.()?.request(e.result, latencyMs);
        announcer.log(EventIds.hostLoggedRequest, `KMS request from ${remote}: ${e.result} (count ${e.count})`, { ...e, source: remote });
        if (e.result === 'duplicate-cmid') announcer.logger.warn('KMS request with a duplicate CMID (a cloned image?): counted once, client told to regenerate', { cmid: e.cmid, source: remote });
      },
      onRefused: (reason, remote, detail) => {
        this.d.metrics?.()?.refused(reason);
        announcer.logger.info('KMS connection refused', { reason, source: remote, detail });
      },
      onStoreError: (err) => announcer.logger.error('cannot write the KMS host count', { error: err.message }),
    });
    try {
      const bound = await service.start();
      this.service = service;
      this.listenPort = port;
      const signer = hostEd25519();
      announcer.logger.info(`KMS host listening on ${bound.host}:${bound.port}`, { activated: this.self().licensed, signer: signer.implementation, ...(signer.reason ? { signerReason: signer.reason } : {}) });
      if (flags.publish && flags.dnsServer) {
        const { DnsPublisher, publishedAddress } = await import('../dns/publisher.js');
        this.publisher ??= new DnsPublisher({
          ...flags.publish, server: flags.dnsServer, clock: this.d.clock, realClock: this.d.realClock, scheduler: this.d.scheduler,
          log: (level, message, data) => announcer.logger[level](message, data),
        });
        void this.publisher.start(publishedAddress(bound.host), bound.port);
      }
    } catch (err) {
      // The agent keeps running as a client-less host; status shows the listener is down.
      announcer.logger.error('the KMS host listener cannot start', { error: (err as Error).message });
    }
  }

  /** What the handler needs about this host, at each request. */
  self(): HostSelf {
    const s = this.d.state();
    const lc = s.lifecycle;
    const text = lc.channel === 'KMS-host' ? s.ticket : null;
    if (!text) return { licensed: false, certificate: undefined, signer: undefined, activationIntervalMinutes: lc.intervals.activationMinutes, renewalIntervalMinutes: lc.intervals.renewalMinutes };
    if (this.certCache?.text !== text) {
      let cert: HostCertificate | undefined;
      let signer: KmsTicketSigner | undefined;
      try {
        cert = hostCertificateFromText(text);
        const pair = readHostKeyPair(this.d.stateDir);
        if (pair && pair.publicKey === cert.body.hostPublicKey) {
          const h = hostEd25519();
          signer = sharedKms().hostTicketSigner(h.crypto, pair.privateKey, cert, h.sha256);
        }
      } catch (err) {
        this.d.announcer.logger.error('the host certificate or key cannot be read', { error: (err as Error).message });
      }
      this.certCache = { text, cert, signer };
    }
    const { cert, signer } = this.certCache;
    return {
      licensed: lc.status === 'Licensed' && signer !== undefined, certificate: signer ? cert : undefined, signer,
      activationIntervalMinutes: lc.intervals.activationMinutes, renewalIntervalMinutes: lc.intervals.renewalMinutes,
    };
  }

  status(): HostStatusResult {
    const self = this.self();
    const st = this.service?.status();
    const now = this.d.clock.now();
    const group = this.d.state().lifecycle.key?.group ?? '';
    const byResult = st?.requests.byResult ?? {};
    const failed = Object.entries(byResult).filter(([k]) => k !== 'activated' && k !== 'below-threshold').reduce((n, [, v]) => n + (v ?? 0), 0);
    const refused: Record<string, number> = st?.requests.refused ?? {};
    const refusedTotal = Object.values(refused).reduce((a, b) => a + b, 0);
    const cert = this.self().certificate ?? (this.certCache?.cert);
    return {
      activated: sharedKms().hostActive({ hostLicensed: self.licensed, certificate: self.certificate, now }),
      hostStatus: this.d.state().lifecycle.status,
      listening: st?.listening ? `${st.listening.host}:${st.listening.port}` : null,
      count: st?.count ?? 0,
      cacheSize: st?.cacheSize ?? 0,
      highestThreshold: st?.highestThreshold ?? 0,
      thresholds: this.d.catalogue.editions.filter((e) => covers(this.d.catalogue, group, e.id)).map((e) => ({ edition: e.id, kind: e.kind, threshold: e.threshold })),
      requests: {
        total: (st?.requests.total ?? 0) + refusedTotal,
        failed: failed + refusedTotal,
        byResult: byResult, refused,
      },
      intervals: { activationMinutes: self.activationIntervalMinutes, renewalMinutes: self.renewalIntervalMinutes },
      dns: this.publisher?.status() ?? null,
      renewal: { nextAt: toWireTimeOrNull(this.d.scheduler.next(HOST_RENEWAL_JOB)), lastAttemptAt: toWireTimeOrNull(this.renewal.lastAttemptAt), lastError: this.renewal.lastError },
      signer: self.signer ? hostEd25519().implementation : undefined,
      ...(st ? { signing: st.signing } : {}),
      certificate: cert ? { serial: cert.body.serial, keyGroup: cert.body.hostKeyGroup, issuedAt: toWireTime(cert.body.issuedAt), validUntil: toWireTime(cert.body.validUntil), valid: now <= cert.body.validUntil } : null,
    };
  }

  clients(): HostClientsResult {
    return {
      clients: (this.service?.clients() ?? []).map((c) => ({
        cmid: c.cmid, machineName: c.machineName, edition: c.edition, licenseStatus: c.licenseStatus, sourceAddress: c.sourceAddress,
        firstSeen: toWireTime(c.firstSeen), lastSeen: toWireTime(c.lastSeen), requests: c.requests, vm: c.vm,
        duplicate: c.duplicates.length > 0, duplicates: c.duplicates.map((x) => ({ machineName: x.machineName, hardwareHash: x.hardwareHash, at: toWireTime(x.at) })),
      })),
    };
  }

  /** Stops the listener (the count is written) and the DNS refresh; the record stays (a restart is not an uninstall). */
  stop(): Promise<void> {
    return this.lock.run(async () => {
      this.stopped = true;
      this.d.scheduler.schedule(HOST_RENEWAL_JOB, null, () => undefined);
      await this.service?.stop();
      this.service = null;
      await this.publisher?.dispose();
    });
  }
}

function toWireTimeOrNull(t: number | null): string | null {
  return t === null ? null : toWireTime(t);
}

function covers(catalogue: Catalogue, group: string, edition: string): boolean {
  try {
    return hostKeyActivates(catalogue, group, edition);
  } catch {
    return false;
  }
}
