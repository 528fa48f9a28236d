// The KMS end-to-end tests' machines: real agents (hosts and clients, see fixtures/lab-agent.ts)
// and raw KMS requests from machines that are not agents.
import { randomBytes } from 'node:crypto';
import type { KmsRequest } from '@vact/shared';
import { SystemClock } from '@vact/shared/node';
import { kmsExchange, type KmsReply } from '@vact/agent/kms';
export { LabAgent, hardware } from '../fixtures/lab-agent';

/** Sends one KMS request from a machine that is not an agent (to fill a host's count); `now` is the client time. */
export function rawRequest(host: string, port: number, edition: string, now: number, over: Partial<KmsRequest> = {}): Promise<KmsReply> {
  const q: KmsRequest = {
    cmid: randomBytes(16).toString('hex'), nonce: randomBytes(16).toString('hex'), clientTime: now, edition, vm: false,
    licenseStatus: 'InitialGrace', remainingGraceMinutes: 40_000, machineName: `raw-${randomBytes(3).toString('hex')}`, hardwareHash: randomBytes(16).toString('hex'), ...over,
  };
  return kmsExchange({ host, port }, q, { clock: new SystemClock() });
}
