// `vact lab advance`: one simulated clock for the whole lab. Every process keeps its own sim
// clock; the lab moves them together in steps short enough that no two differ by more than
// the KMS clock-skew allowance (4 h), so renewals, retries, validity and grace play out as
// they would on one clock.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatDuration, parseDuration, VactError } from '@vact/shared';
import { AuthorityClient, ControlClient, readControlToken } from '@vact/shared/node';
import { authorityConfig } from '../cli/authority-loader';
import type { RunFile } from './lab-file';

/** Longest step: half the 4-hour skew a KMS host allows, and the retry interval. */
export const LAB_STEP_MS = 2 * 3600_000;
/** At most this far in one command (ten years). */
const MAX_ADVANCE_MS = 3650 * 86_400_000;

export interface AdvanceReport {
  by: string;
  steps: number;
  /** The lab's time after the advance (ISO 8601). */
  now: string;
}

/** Moves the authority and every agent of the running lab forward by `duration`, together. */
export async function advanceLab(run: RunFile, duration: string, onProgress?: (doneMs: number, totalMs: number) => void): Promise<AdvanceReport> {
  if (run.clock !== 'sim') throw new VactError('SIM_CLOCK_ONLY', 'this lab runs on the system clock (start it with --clock sim)');
  const total = parseDuration(duration);
  if (total <= 0 || total > MAX_ADVANCE_MS) throw new VactError('INVALID_DURATION', `"${duration}": advance by more than 0 and at most 3650d`);
  const tokenFile = authorityConfig().authorityFiles(run.authority.dir).adminTokenPath;
  const adminToken = fs.readFileSync(tokenFile, 'utf8').trim();
  const authority = new AuthorityClient({ url: run.authority.url, adminToken });
  const agents: ControlClient[] = [];
  try {
    for (const a of run.agents) {
      const { token } = readControlToken({ stateDir: a.stateDir });
      agents.push(await ControlClient.connect({ url: a.control, token, clientName: 'vact lab advance', callTimeoutMs: 120_000 }));
    }
    let done = 0;
    let steps = 0;
    let now = 0;
    while (done < total) {
      const step = Math.min(LAB_STEP_MS, total - done);
      // The authority first: a host renewing its certificate in this step sees the new time.
      const clock = await authority.advanceClock(`${step}ms`);
      now = clock.now;
      const results = await Promise.all(agents.map((c) => c.call('clock.advance', { ms: step })));
      now = Math.max(now, ...results.map((r) => Date.parse(r.now)));
      done += step;
      steps++;
      onProgress?.(done, total);
    }
    return { by: formatDuration(total), steps, now: new Date(now).toISOString() };
  } finally {
    await Promise.all(agents.map((c) => c.close().catch(() => undefined)));
  }
}

/** The lab's authority dir inside a lab folder. */
export function labAuthorityDir(dir: string): string {
  return path.join(dir, 'authority');
}
