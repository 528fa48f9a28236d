// The composition root of the agent daemon: builds every part, wires them, starts the lifecycle,
// and owns their disposal (scheduler, runner's contacts, background scan, engine) in one place.
import * as fs from 'node:fs';
import {
  VactError, SimClock, EventIds, catalogueClaim, referenceCatalogue, findEdition, decodeProductKey, initialState,
  type Catalogue, type Clock, type Edition, type InstalledKey,
} from '@vact/shared/licensing';
import { SystemClock, readCatalogueFile } from '@vact/shared/node';
import { KmsClientRole } from '../kms/client/client-role';
import { KmsHostActivationChannel } from '../kms/host/host-activation-channel';
import { KmsHostRole } from '../kms/host/host-role';
import { KmsService } from './kms-service';
import type { AgentConfig } from '../config/agent-config';
import { StateFile, STATE_VERSION, type AgentState } from '../store/state-file';
import { EventLog } from '../events/event-log';
import { createAgentLogger, type Logger } from '../logging/logger';
import { ensureTokens } from '../tokens/control-tokens';
import { cleanStaleTempFiles } from '../store/stale-temp-files';
import { hardwareSourceFor } from '../hardware/hardware-source';
import { HardwareScanner, type HardwareScan } from '../hardware/hardware-scanner';
import { SimScheduler, SystemScheduler, type KeyedScheduler } from '../scheduler/keyed-scheduler';
import { keepKey } from '../license/key-custody';
import { readAuthorityCa, readAuthorityKey } from '../activation/authority-key';
import { MakActivationClient } from '../activation/mak-client';
import { MakChannel } from '../activation/mak-channel';
import { ActivationRunner } from '../activation/runner';
import { Announcer } from '../license/announcer';
import { LicenseEngine, newCmid } from '../license/engine';
import { applyHardwareScan } from '../license/identity';
import { auditLoadedState } from '../license/state-audit';
import { AgentServiceImpl } from './agent-service';
import { AGENT_VERSION } from '../version';
import { loadTlsFiles } from '../control';
import type { MetricsServer } from '../metrics/metrics-server';

export interface AgentStartOptions {
  logger?: Logger;
  /** Hook for tests: called after every persisted state change. */
  onPersist?: (state: AgentState) => void;
}

/** The scheduler job that wakes the lifecycle. */
const LIFECYCLE_JOB = 'lifecycle';

/** A running agent daemon: the control API's service plus what `vact agent run` needs to stop it. */
export interface RunningAgent {
  readonly config: AgentConfig;
  readonly logger: Logger;
  readonly service: AgentServiceImpl;
  /** Wakes fired so far (benchmark: no polling while idle). */
  readonly wakeups: number;
  /** Starts the background hardware scan; call once the control API listens. */
  scanHardwareInBackground(): void;
  /** Aborts contacts in flight, stops every timer, waits for the running change; the state on disk is complete. */
  stop(): Promise<void>;
}

function firstState(catalogue: Catalogue, edition: Edition, now: number, clock: Clock, scan: HardwareScan): AgentState {
  return {
    version: STATE_VERSION,
    createdAt: now,
    revision: 0,
    cmid: newCmid(),
    edition: edition.id,
    hardware: { hardwareHash: scan.hardwareHash, components: scan.components, recordedAt: now },
    lifecycle: initialState(edition.id, catalogue.rules, now),
    ticket: null,
    keySeal: null,
    clock: { simNow: clock.kind === 'sim' ? now : null },
  };
}

/**
 * Loads (or creates on first start) the state in config.stateDir and starts the lifecycle.
 * Throws VactError before anything acts: INVALID_CONFIG / UNKNOWN_EDITION for bad settings,
 * STATE_CORRUPT / STATE_VERSION_UNSUPPORTED for a state file it will not touch.
 */
export async function startAgent(config: AgentConfig, opts: AgentStartOptions = {}): Promise<RunningAgent> {
  fs.mkdirSync(config.stateDir, { recursive: true, mode: 0o700 });
  // Tokens first: a broken token file is refused before the lifecycle acts on anything.
  ensureTokens(config.stateDir);
  const removedTemp = cleanStaleTempFiles(config.stateDir);
  const stateFile = new StateFile(config.stateDir);
  const stored = stateFile.load();
  const catalogue = config.catalogue === null ? referenceCatalogue() : readCatalogueFile(config.catalogue);
  const edition = findEdition(catalogue, config.edition);
  if (stored && stored.edition !== edition.id) {
    throw new VactError('INVALID_CONFIG', `--edition ${edition.id}: the state in ${config.stateDir} belongs to edition ${stored.edition}; use that edition or another --state-dir`, { setting: 'edition' });
  }
  const authorityKey = readAuthorityKey(config.authorityKeyFile);
  if (stored) auditLoadedState(stored, stateFile.file, catalogue, edition, authorityKey);

  const clock: Clock = config.clock.kind === 'sim'
    ? new SimClock(Math.max(config.clock.start ?? Date.now(), stored?.clock.simNow ?? -Infinity))
    : new SystemClock();
  // Operational logs carry wall-clock time; events carry the agent clock (sim or system).
  const logger = opts.logger ?? createAgentLogger({ dir: config.stateDir, level: config.logLevel });
  const events = new EventLog(config.stateDir);
  const source = hardwareSourceFor(config.hardware);
  const scanner = new HardwareScanner(source, () => clock.now());
  const announcer = new Announcer(clock, events, logger, edition);
  const scheduler: KeyedScheduler = clock instanceof SimClock
    ? new SimScheduler(clock)
    : new SystemScheduler(clock, (name, err) => logger.error(`scheduled job ${name} failed`, { error: (err as Error).message }));

  // Network deadlines and TSIG times are real time, even when the license runs on a simulated clock.
  const realClock = clock instanceof SimClock ? new SystemClock() : clock;
  const firstStart = !stored;
  const initial = stored ?? firstState(catalogue, edition, clock.now(), clock, await scanner.scan());
  let runner: ActivationRunner | null = null;
  let engineRef: LicenseEngine | null = null;
  let hostRoleRef: KmsHostRole | null = null;
  let metrics: MetricsServer | null = null;
  // Before anything is armed, so a busy metrics port fails the start with nothing to undo.
  if (config.kms.metricsListen) {
    // prom-client is loaded only here: an agent without --metrics-listen never pays for it.
    const { startMetricsServer } = await import('../metrics/metrics-server.js');
    const started = await startMetricsServer({
      ...config.kms.metricsListen, version: AGENT_VERSION,
      tls: config.tlsCert && config.tlsKey ? loadTlsFiles(config.tlsCert, config.tlsKey) : undefined,
      sources: {
        kmsHost: () => (hostRoleRef?.isHost() ? (({ count, cacheSize, listening }) => ({ count, cacheSize, listening: listening !== null }))(hostRoleRef.status()) : null),
        licenseStatus: () => (engineRef?.state ?? initial).lifecycle.status,
      },
    });
    metrics = started;
    logger.info(`metrics listening on ${started.url}`);
  }
  const tick = async (reason: string): Promise<void> => {
    const contacts = await engine.run(() => engine.apply({ type: 'tick' }, reason));
    await runner?.runAll(contacts);
  };
  const engine: LicenseEngine = new LicenseEngine(initial, {
    stateFile, clock, rules: catalogue.rules, announcer,
    onPersist: (s) => {
      opts.onPersist?.(s);
      // The KMS host listener follows the installed key and port (outside the lock: sync is queued).
      if (hostRoleRef) void hostRoleRef.sync();
    },
    keepKey: (before, next) => keepKey(before, next, authorityKey),
    statusOf: () => service.statusNow(),
    wakeAt: (at) => scheduler.schedule(LIFECYCLE_JOB, at, () => tick('tick')),
  });
  engineRef = engine;
  const kmsClient = new KmsClientRole({ flags: config.kms, catalogue, clock, realClock, authorityKey, state: () => engine.state });
  const kmsHost = new KmsHostRole({ stateDir: config.stateDir, flags: config.kms, catalogue, clock, realClock, scheduler, announcer, state: () => engine.state,
    // The host certificate's renewal is the host key's own activation contact, made by the runner.
    reactivate: async () => (runner ? runner.runAll(['contact-authority']) : null),
    metrics: () => metrics?.observer ?? null,
  });
  hostRoleRef = kmsHost;
  // Every authority contact names this catalogue; the authority refuses another (CATALOGUE_MISMATCH).
  const claim = catalogueClaim(catalogue);
  runner = new ActivationRunner(engine, {
    mak: new MakChannel(new MakActivationClient(config.authorityUrl, authorityKey, claim, readAuthorityCa(config.authorityCa)), config.authorityUrl, () => engine.trustedNow()),
    kms: kmsClient,
    kmsHost: new KmsHostActivationChannel(config.authorityUrl, authorityKey, claim, config.stateDir, () => engine.trustedNow(), readAuthorityCa(config.authorityCa)),
  }, announcer);
  const kms = new KmsService({ flags: config.kms, catalogue, edition, engine, runner, host: kmsHost, logger });
  const service = new AgentServiceImpl({
    config, catalogue, catalogueClaim: claim, edition, clock, engine, runner, announcer, events, scanner, scheduler, authorityKey, hardwareDescription: source.description, kms, kmsHost,
  });

  if (firstStart) {
    // Volume editions are KMS clients out of the box: the edition's public setup key starts the grace
    // period through the lifecycle, so its start is announced (12420 and the first reminder).
    const decoded = decodeProductKey(edition.kmsClientSetupKey, catalogue.groups.map((g) => g.id));
    const key: InstalledKey = { key: decoded.key, type: decoded.type, group: decoded.group, partialKey: decoded.partial };
    await engine.run(() => {
      engine.persistAsIs(initial);
      engine.apply({ type: 'key-installed', key }, 'first-start');
      announcer.log(EventIds.keyInstalled, `KMS client setup key installed for ${edition.name}`, { partialKey: key.partialKey, type: 'kms-client' });
    });
  }
  announcer.log(EventIds.agentStarted, `agent started (${firstStart ? 'first start' : 'restart'}), status ${engine.state.lifecycle.status}`, {
    cmid: engine.state.cmid, edition: edition.id, clock: clock.kind, hardware: source.description,
  });
  if (removedTemp.length > 0) logger.info('removed temporary files left by an interrupted write', { files: removedTemp });
  logger.info(`vact agent ${AGENT_VERSION} started`, { stateDir: config.stateDir, edition: edition.id, status: engine.state.lifecycle.status, clock: clock.kind });

  // A KMS host listens from the start (answering "not activated" until the authority certified it).
  await kmsHost.sync();
  // The restart recomputes everything from the persisted state and the clock; contacts run after start() returns.
  const contacts = await engine.run(() => engine.apply({ type: 'start' }, 'start'));
  const activeRunner = runner;
  if (contacts.length > 0) void activeRunner.runAll(contacts).catch((err: unknown) => logger.error('activation attempt failed', { error: (err as Error).message }));

  let backgroundScan: Promise<void> | null = null;
  let stopped = false;
  return {
    config, logger, service,
    get wakeups() {
      return scheduler.fired;
    },
    scanHardwareInBackground(): void {
      if (backgroundScan || firstStart || stopped) return;
      backgroundScan = (async () => {
        try {
          const scan = await scanner.scan();
          if (!stopped) await engine.run(() => applyHardwareScan(engine, announcer, scan));
        } catch (err) {
          const e = err instanceof VactError ? err : new VactError('INTERNAL', (err as Error)?.message ?? String(err));
          announcer.log(EventIds.hardwareScanFailed, `hardware scan failed: ${e.message}`, { code: e.code });
          logger.warn('background hardware scan failed; the recorded hardware hash stays in use', { error: e.message });
        }
      })();
    },
    async stop(): Promise<void> {
      if (stopped) return;
      stopped = true;
      scheduler.dispose();
      await activeRunner.stop();
      await kmsHost.stop();
      await metrics?.close();
      await backgroundScan;
      await engine.stop();
      scheduler.dispose();
      logger.info('vact agent stopped');
    },
  };
}
