// Inventories and scenarios the planning tests share, and a runner for the real CLI.
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';

const VACT = resolve(__dirname, '../../../bin/vact.js');

/** The planning guide's branch office example with a roaming fleet and a test lab. */
export const BRANCH_INVENTORY = `name,count,edition,vm,zone,reaches_core_kms,connects_every_days,internet,needs_activation
hq-desktops,400,client-enterprise,no,core,yes,1,yes,yes
hq-servers,20,server-standard,no,core,yes,1,yes,yes
site-a,40,client-professional,no,site-a,no,1,yes,yes
site-b,12,client-professional,no,site-b,no,1,yes,yes
site-c,18,client-professional,no,site-c,yes,1,yes,yes
laptops-30,30,client-professional,no,core,yes,30,yes,yes
laptops-never,8,client-professional,no,core,yes,never,yes,yes
test-lab,25,client-enterprise,yes,lab,no,1,no,no
`;

/** A scenario with joins, clones without a new CMID, an offline group and a host outage with DNS failover. */
export const FAILOVER_SCENARIO_YAML = `name: failover rehearsal
days: 120
hosts:
  - { name: kms1, priority: 0, outages: [{ day: 30, days: 20 }] }
  - { name: kms2, priority: 10 }
groups:
  - { name: lab, count: 40, edition: client-enterprise, joinOverDays: 20 }
  - { name: vdi, count: 10, edition: client-enterprise, clones: [{ day: 40, count: 20, regenerateCmid: false }] }
  - { name: laptops, count: 6, edition: client-professional, offline: [{ day: 10, days: 100 }] }
`;

export interface Run { code: number; stdout: string; stderr: string }

/** Runs the real CLI in a child process. */
export function vact(...args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, [VACT, ...args], { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      done({ code, stdout, stderr });
    });
  });
}
