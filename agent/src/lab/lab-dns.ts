// The lab's DNS, when dnsmasq is installed: a throwaway server on a free loopback port with the
// host's _vlmcs._tcp SRV record, so lab clients find their KMS host the way real ones do.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LabDaemon } from './lab-processes';

export const LAB_DOMAIN = 'lab.vact.test';
const DNSMASQ = ['/usr/sbin/dnsmasq', '/usr/bin/dnsmasq'];

/** The dnsmasq binary, or undefined when it is not installed. */
export function findDnsmasq(): string | undefined {
  return DNSMASQ.find((p) => fs.existsSync(p));
}

/** Starts dnsmasq answering `_vlmcs._tcp.lab.vact.test` with the host at 127.0.0.1:kmsPort. */
export function startLabDns(bin: string, port: number, kmsPort: number, logDir: string): LabDaemon {
  const target = `kms-host.${LAB_DOMAIN}`;
  const args = ['-k', '-C', '/dev/null', '--pid-file=', '--no-resolv', '--no-hosts', `--port=${port}`, '--listen-address=127.0.0.1',
    '--bind-interfaces', `--local=/${LAB_DOMAIN}/`, '--log-facility=-', `--user=${os.userInfo().username}`,
    `--srv-host=_vlmcs._tcp.${LAB_DOMAIN},${target},${kmsPort},0,100`, `--host-record=${target},127.0.0.1`];
  return LabDaemon.exec('dns', bin, args, path.join(logDir, 'dns.log'));
}
