// Which machines a lab has, as a pure function of its options: one KMS host on a server
// edition, client- and server-edition KMS clients, one MAK machine. Names are stable, so a
// second run finds the same state dirs.
import type { LabRole } from './lab-file';

export interface LabMachine {
  name: string;
  role: LabRole;
  edition: string;
}

/** The host's edition (server group B) and the key group its host key belongs to. */
export const LAB_HOST_EDITION = 'server-standard';
export const LAB_HOST_KEY_GROUP = 'server-b';
export const LAB_MAK_GROUP = 'client-vl';
const CLIENT_EDITIONS = ['client-enterprise', 'client-professional'];
const SERVER_EDITIONS = ['server-standard', 'server-web'];

export const MAX_LAB_CLIENTS = 30;
export const MAX_LAB_SERVERS = 10;

/** The lab's machines: kms-host, client-1…N, server-1…M, mak-1 (in the order they start). */
export function labMachines(clients: number, servers: number): LabMachine[] {
  const out: LabMachine[] = [{ name: 'kms-host', role: 'kms-host', edition: LAB_HOST_EDITION }];
  for (let i = 1; i <= clients; i++) out.push({ name: `client-${i}`, role: 'kms-client', edition: CLIENT_EDITIONS[(i - 1) % CLIENT_EDITIONS.length] });
  for (let i = 1; i <= servers; i++) out.push({ name: `server-${i}`, role: 'kms-client', edition: SERVER_EDITIONS[(i - 1) % SERVER_EDITIONS.length] });
  out.push({ name: 'mak-1', role: 'mak', edition: 'client-enterprise' });
  return out;
}

/** The file hardware of lab machine number `n` (1-based): distinct boards, disks, MACs. */
export function labHardware(n: number): Record<string, unknown> {
  const id = String(n).padStart(2, '0');
  const mac = n.toString(16).padStart(2, '0');
  return {
    board: `lab-board-${id}`, system: `lab-system-${id}`, cpu: 'lab-cpu-x86_64-4c', mem: 8 * 2 ** 30,
    disks: [`lab-disk-${id}`], macs: [`02:00:00:00:00:${mac}`], machineId: `lab-machine-${id}`,
  };
}
