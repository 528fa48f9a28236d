// What every machine of a running lab says about itself, as rows of one table: the lab prints
// it when it comes up, `vact lab status` from another terminal, and the live lines compare it.
import { ControlClient, readControlToken } from '@vact/shared/node';
import { referenceCatalogue, thresholdFor, type ControlResult } from '@vact/shared';
import type { LabRole, RunFile } from './lab-file';

export interface LabRow {
  name: string;
  role: LabRole;
  edition: string;
  /** License status name (Licensed, InitialGrace, …), or "offline" when the agent does not answer. */
  status: string;
  channel: string | null;
  /** The KMS count: what the host holds, or what a client last heard. */
  count: number | null;
  /** Why a machine is where it is, in a few words ("count 5 of 25", "MAK", "listening on …"). */
  why: string;
  control: string;
  stateDir: string;
  /** The whole `vact status --json` of the agent (null when offline). */
  detail: ControlResult<'status'> | null;
  /** `vact host status --json` of the KMS host. */
  host: ControlResult<'host.status'> | null;
}

/** Connects to one lab agent with its admin token (the lab owns every state dir). */
export function connectLabAgent(agent: { control: string; stateDir: string }, clientName = 'vact lab'): Promise<ControlClient> {
  const { token } = readControlToken({ stateDir: agent.stateDir });
  return ControlClient.connect({ url: agent.control, token, clientName, connectTimeoutMs: 5_000, callTimeoutMs: 30_000 });
}

function days(ms: number): string {
  const d = ms / 86_400_000;
  return d >= 1 ? `${Math.round(d)} d` : `${Math.max(0, Math.round(ms / 3_600_000))} h`;
}

/** One row from what the agent answered. */
export function labRow(agent: RunFile['agents'][number], status: ControlResult<'status'> | null, host: ControlResult<'host.status'> | null): LabRow {
  const base = { name: agent.name, role: agent.role, edition: agent.edition, control: agent.control, stateDir: agent.stateDir, detail: status, host };
  if (!status) return { ...base, status: 'offline', channel: null, count: null, why: 'not answering' };
  const count = host ? host.count : status.kms?.count ?? null;
  let why: string;
  if (host) {
    why = host.activated ? `serving on ${host.listening ?? '?'}, ${host.count} machine${host.count === 1 ? '' : 's'} counted` : `host not activated (${host.hostStatus})`;
  } else if (status.channel === 'MAK') {
    why = `MAK ${status.partialKey ?? ''}`.trim();
  } else if (status.status === 'Licensed') {
    why = status.kms?.validUntil ? `KMS, valid for ${days(Date.parse(status.kms.validUntil) - Date.parse(status.now))}` : 'KMS';
  } else {
    const threshold = thresholdFor(referenceCatalogue(), agent.edition);
    const left = status.graceEndsAt && status.remainingMs !== null ? `, ${days(status.remainingMs)} of grace left` : '';
    why = count !== null ? `count ${count} of ${threshold}${left}` : `${status.lastError?.code ?? 'no KMS answer yet'}${left}`;
  }
  return { ...base, status: status.status, channel: status.channel, count, why };
}

/** Asks every machine of the lab at once; an agent that does not answer is "offline". */
export async function queryLab(run: RunFile): Promise<LabRow[]> {
  return Promise.all(run.agents.map(async (a) => {
    let client: ControlClient | undefined;
    try {
      client = await connectLabAgent(a);
      const status = await client.call('status', {});
      const host = a.role === 'kms-host' ? await client.call('host.status', {}) : null;
      return labRow(a, status, host);
    } catch {
      return labRow(a, null, null);
    } finally {
      await client?.close().catch(() => undefined);
    }
  }));
}

/** The table (agent, role, edition, state, count, control URL, why). */
export function renderLabTable(rows: readonly LabRow[]): string {
  const header = ['agent', 'role', 'edition', 'state', 'count', 'control API', 'why'];
  const cells = rows.map((r) => [r.name, r.role, r.edition, r.status, r.count === null ? '-' : String(r.count), r.control, r.why]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]): string => c.map((x, i) => (i === c.length - 1 ? x : x.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(header), ...cells.map(line)].join('\n');
}

/** The JSON of `vact lab status --json` and `vact lab --json`'s agents[]. */
export function rowJson(r: LabRow): Record<string, unknown> {
  return { name: r.name, role: r.role, edition: r.edition, status: r.status, channel: r.channel, count: r.count, why: r.why, control: r.control, stateDir: r.stateDir, detail: r.detail, host: r.host };
}
