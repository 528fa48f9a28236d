// Real agents for the KMS end-to-end tests: `vact agent run` processes (hosts and clients) driven
// by the `vact` CLI, each on its own state dir and hardware file, next to a real authority.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { HostStatusResult, KmsRequest, StatusResult } from '@vact/shared';
import { SystemClock } from '@vact/shared/node';
import { kmsExchange, type KmsReply } from '@vact/agent/kms';
import { parseJsonOutput, type ManagedProcess, type ProcessGroup, type RunResult } from '../fixtures/processes';

export function hardware(name: string): Record<string, unknown> {
  return { board: `board-${name}`, system: `system-${name}`, cpu: 'Lab CPU', mem: 8 * 2 ** 30, disks: [`disk-${name}`], macs: ['02:00:00:00:00:01'], machineId: `machine-id-${name}` };
}

/** One `vact agent run` process. */
export class LabAgent {
  proc: ManagedProcess | null = null;
  url = '';
  readonly dir: string;
  private readonly hw: string;

  constructor(readonly group: ProcessGroup, readonly name: string, readonly edition: string, private readonly authority: { url: string; keyFile: string }, readonly extra: string[] = []) {
    const root = group.tempDir(`vact-kms-${name}-`);
    this.dir = path.join(root, 'state');
    this.hw = path.join(root, 'hardware.json');
    fs.writeFileSync(this.hw, JSON.stringify(hardware(name)));
  }

  async start(more: string[] = []): Promise<void> {
    this.proc = this.group.vact([
      'agent', 'run', '--state-dir', this.dir, '--edition', this.edition, '--authority', this.authority.url, '--authority-key', this.authority.keyFile,
      '--control', '127.0.0.1:0', '--hardware', `file:${this.hw}`, ...this.extra, ...more,
    ], { name: `agent ${this.name}` });
    this.url = (await this.proc.waitForOutput(/vact agent listening on (ws:\/\/\S+)/, 30_000))[1]!;
  }

  async stop(): Promise<void> {
    const r = await this.proc?.stop();
    assert.equal(r?.code, 0, `agent ${this.name} stopped with ${JSON.stringify(r)}`);
    this.proc = null;
  }

  run(args: string[]): Promise<RunResult> {
    return this.group.runVact([...args, '--agent', this.url, '--state-dir', this.dir]);
  }

  async json<T = Record<string, unknown>>(args: string[]): Promise<T> {
    const r = await this.run([...args, '--json']);
    assert.equal(r.code, 0, `${this.name}: vact ${args.join(' ')} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
    return parseJsonOutput<T>(r);
  }

  /** `vact ARGS --json` expected to fail; returns the error code. */
  async fails(args: string[]): Promise<string> {
    const r = await this.run([...args, '--json']);
    assert.notEqual(r.code, 0, `${this.name}: vact ${args.join(' ')} should fail\n${r.stdout}`);
    return parseJsonOutput<{ error: { code: string } }>(r).error.code;
  }

  status(): Promise<StatusResult> {
    return this.json<StatusResult>(['status']);
  }

  hostStatus(): Promise<HostStatusResult> {
    return this.json<HostStatusResult>(['host', 'status']);
  }

  async events(ids: number[], limit = 1000): Promise<{ eventId: number; time: string; message: string; data?: Record<string, unknown> }[]> {
    const r = await this.json<{ events: { eventId: number; time: string; message: string; data?: Record<string, unknown> }[] }>(['events', '--limit', String(limit)]);
    return r.events.filter((e) => ids.includes(e.eventId));
  }

  /** The KMS host's listening port (after `key install` of a host key). */
  async kmsPort(): Promise<number> {
    const s = await this.hostStatus();
    assert.ok(s.listening, `${this.name} is not listening`);
    return Number(s.listening.split(':').pop());
  }
}

/** Sends one KMS request from a machine that is not an agent (to fill a host's count); `now` is the client time. */
export function rawRequest(host: string, port: number, edition: string, now: number, over: Partial<KmsRequest> = {}): Promise<KmsReply> {
  const q: KmsRequest = {
    cmid: randomBytes(16).toString('hex'), nonce: randomBytes(16).toString('hex'), clientTime: now, edition, vm: false,
    licenseStatus: 'InitialGrace', remainingGraceMinutes: 40_000, machineName: `raw-${randomBytes(3).toString('hex')}`, hardwareHash: randomBytes(16).toString('hex'), ...over,
  };
  return kmsExchange({ host, port }, q, { clock: new SystemClock() });
}
