// The KMS host role as the composition root registers it (DESIGN §2): while a KMS host key is
// installed the listener runs (answering "KMS host not activated" until the authority has certified
// this host), the count persists beside the state, and DNS publishing follows. Key uninstall stops
// the listener and withdraws the SRV record. It reads the license state, never changes it, and takes
// no lock of the engine: requests never wait for the state lock, nor it for them.
import * as path from 'node:path';
import {
  EventIds, hostActive, hostCertificateFromText, hostKeyActivates, hostTicketSigner, toWireTime,
  type Catalogue, type Clock, type HostCertificate, type HostClientsResult, type HostStatusResult, type KmsTicketSigner,
} from '@vact/shared';
import { nodeEd25519 } from '@vact/shared/node';
import type { KmsSettings } from '../../config/agent-config';
import type { Announcer } from '../../license/announcer';
import type { KeyedScheduler } from '../../scheduler/keyed-scheduler';
import type { AgentState } from '../../store/state-file';
import { Mutex } from '../../license/mutex';
import { DnsPublisher, publishedAddress } from '../dns/publisher';
import { readHostKeyPair } from './host-identity';
import { KmsHostService, type HostSelf } from './host-service';

export const HOST_COUNT_FILE = 'kms-host.json';

export interface KmsHostRoleDeps {
  stateDir: string;
  flags: KmsSettings;
  catalogue: Catalogue;
  clock: Clock;
  realClock: Clock;
  scheduler: KeyedScheduler;
  announcer: Announcer;
  state: () => AgentState;
}

export class KmsHostRole {
  private service: KmsHostService | null = null;
  private listenPort = 0;
  private publisher: DnsPublisher | null = null;
  private readonly lock = new Mutex();
  private certCache: { text: string; cert: HostCertificate | undefined; signer: KmsTicketSigner | undefined } | null = null;
  private stopped = false;

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
    });
  }

  private async startService(port: number): Promise<void> {
    const { announcer, flags } = this.d;
    const service = new KmsHostService({
      clock: this.d.clock, timerClock: this.d.realClock, catalogue: this.d.catalogue,
      stateFile: path.join(this.d.stateDir, HOST_COUNT_FILE), self: () => this.self(), listen: { host: flags.listen.host, port },
      onRequest: (e, remote) => {
        announcer.log(EventIds.hostLoggedRequest, `KMS request from ${remote}: ${e.result} (count ${e.count})`, { ...e, source: remote });
        if (e.result === 'duplicate-cmid') announcer.logger.warn('KMS request with a duplicate CMID (a cloned image?): counted once, client told to regenerate', { cmid: e.cmid, source: remote });
      },
      onRefused: (reason, remote, detail) => {
        announcer.logger.info('KMS connection refused', { reason, source: remote, detail });
      },
      onStoreError: (err) => announcer.logger.error('cannot write the KMS host count', { error: err.message }),
    });
    try {
      const bound = await service.start();
      this.service = service;
      this.listenPort = port;
      announcer.logger.info(`KMS host listening on ${bound.host}:${bound.port}`, { activated: this.self().licensed });
      if (flags.publish && flags.dnsServer) {
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
        if (pair && pair.publicKey === cert.body.hostPublicKey) signer = hostTicketSigner(nodeEd25519, pair.privateKey, cert);
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
      activated: hostActive({ hostLicensed: self.licensed, certificate: self.certificate, now }),
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
      await this.service?.stop();
      this.service = null;
      await this.publisher?.dispose();
    });
  }
}

function covers(catalogue: Catalogue, group: string, edition: string): boolean {
  try {
    return hostKeyActivates(catalogue, group, edition);
  } catch {
    return false;
  }
}
