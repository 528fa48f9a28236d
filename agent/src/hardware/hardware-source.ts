// Where hardware components come from: systeminformation on real machines, a JSON file for tests.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFile } from 'node:child_process';
import { VactError, type HardwareComponents, HARDWARE_COMPONENTS } from '@vact/shared/licensing';
import type { HardwareSetting } from '../config/agent-config';
import { AGENT_PACKAGE_DIR } from '../package-dir';

/** Reads the raw components of this machine. */
export interface HardwareSource {
  readonly description: string;
  read(): Promise<HardwareComponents>;
}

const MAX_FILE_BYTES = 64 * 1024;

/** Reads components from a JSON file with optional keys board, system, cpu, mem, disks, macs, machineId. */
export class FileHardwareSource implements HardwareSource {
  readonly description: string;
  constructor(readonly file: string) {
    this.description = `file:${file}`;
  }

  async read(): Promise<HardwareComponents> {
    let text: string;
    try {
      const st = await fs.promises.stat(this.file);
      if (st.size > MAX_FILE_BYTES) throw new Error(`larger than ${MAX_FILE_BYTES} bytes`);
      text = await fs.promises.readFile(this.file, 'utf8');
    } catch (err) {
      throw new VactError('INVALID_CONFIG', `--hardware file ${this.file}: cannot read (${(err as Error).message})`, { setting: 'hardware' });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new VactError('INVALID_CONFIG', `--hardware file ${this.file} is not valid JSON (${(err as Error).message})`, { setting: 'hardware' });
    }
    return parseHardwareJson(json, this.file);
  }
}

/** Validates hardware JSON: only the known keys, each of the right type. */
export function parseHardwareJson(json: unknown, file: string): HardwareComponents {
  const fail = (detail: string): never => { throw new VactError('INVALID_CONFIG', `--hardware file ${file}: ${detail}`, { setting: 'hardware' }); };
  if (typeof json !== 'object' || json === null || Array.isArray(json)) fail('must hold a JSON object');
  const out: HardwareComponents = {};
  for (const [k, v] of Object.entries(json as Record<string, unknown>)) {
    if (!(HARDWARE_COMPONENTS as readonly string[]).includes(k)) fail(`unknown key "${k}" (known: ${HARDWARE_COMPONENTS.join(', ')})`);
    if (k === 'mem') {
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) fail('"mem" must be a number of bytes');
      out.mem = v as number;
    } else if (k === 'disks' || k === 'macs') {
      if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) fail(`"${k}" must be an array of strings`);
      out[k] = v as string[];
    } else {
      if (typeof v !== 'string') fail(`"${k}" must be a string`);
      (out as Record<string, unknown>)[k] = v;
    }
  }
  return out;
}

// A file of its own (not in the CLI bundle): it runs as its own process.
const PROBE = path.join(AGENT_PACKAGE_DIR, 'dist', 'hardware', 'systeminformation-probe.js');
const PROBE_TIMEOUT_MS = 60_000;

/** Reads components with systeminformation in a child process (see systeminformation-probe.ts). */
export class SystemInformationSource implements HardwareSource {
  readonly description = 'systeminformation';

  read(): Promise<HardwareComponents> {
    return new Promise((resolve, reject) => {
      execFile(process.execPath, [PROBE], { timeout: PROBE_TIMEOUT_MS, maxBuffer: MAX_FILE_BYTES, windowsHide: true }, (err, stdout, stderr) => {
        if (err) {
          reject(new VactError('INTERNAL', `hardware probe failed: ${stderr.trim() || err.message}`));
          return;
        }
        try {
          resolve(parseHardwareJson(JSON.parse(stdout), 'systeminformation'));
        } catch (e) {
          reject(e instanceof VactError ? e : new VactError('INTERNAL', `hardware probe printed no JSON: ${(e as Error).message}`));
        }
      });
    });
  }
}

/** The source selected by --hardware. */
export function hardwareSourceFor(setting: HardwareSetting): HardwareSource {
  return setting.kind === 'file' ? new FileHardwareSource(setting.path) : new SystemInformationSource();
}
