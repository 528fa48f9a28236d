// Pure hardware identity: per-component salted hashes, the hardware hash and the tolerance vote (DESIGN §5).
import { sha256HexOfText } from '../crypto/sha256';
import { VactError } from '../errors/error-codes';

/** The components a hardware hash is made of, in hashing order. */
export const HARDWARE_COMPONENTS = ['board', 'system', 'cpu', 'mem', 'disks', 'macs', 'machineId'] as const;
export type HardwareComponentName = (typeof HARDWARE_COMPONENTS)[number];

/** Raw component readings; an absent or empty value means "not available on this machine". */
export interface HardwareComponents {
  board?: string;
  system?: string;
  cpu?: string;
  /** Memory size in bytes. */
  mem?: number;
  disks?: string[];
  macs?: string[];
  machineId?: string;
}

/** Salted hash (16 hex chars) per available component; unavailable components are left out. */
export type ComponentHashes = Partial<Record<HardwareComponentName, string>>;

/**
 * Vote weights. Identifiers that single out one machine (board/system UUID and serial,
 * machine-id) weigh 2; parts that are commonly swapped or shared by identical machines weigh 1.
 */
export const HARDWARE_WEIGHTS: Readonly<Record<HardwareComponentName, number>> = {
  board: 2, system: 2, machineId: 2, disks: 1, macs: 1, cpu: 1, mem: 1,
};

/**
 * The machine is out of tolerance when the changed weight reaches this budget, or when the
 * changed weight is more than half of all weight present. With the weights above, any single
 * change among five or more components stays within tolerance and any three changes do not.
 */
export const TOLERANCE_CHANGED_WEIGHT_LIMIT = 3;

/** Version-tagged salt: hashes are not comparable across salt versions, and raw values are never stored. */
export const HARDWARE_SALT = 'vact.hardware.v1';

const MEM_ROUNDING = 256 * 1024 * 1024;

/** Canonical text of one component, or null when it carries no identifying information. */
export function normaliseComponent(name: HardwareComponentName, value: unknown): string | null {
  if (value === undefined || value === null) return null;
  switch (name) {
    case 'mem': {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        throw new VactError('INVALID_REQUEST', `hardware component mem must be a non-negative number of bytes`);
      }
      if (value === 0) return null;
      // Round to 256 MiB so that firmware-reserved memory jitter does not look like a change.
      return String(Math.max(1, Math.round(value / MEM_ROUNDING)));
    }
    case 'disks':
    case 'macs': {
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
        throw new VactError('INVALID_REQUEST', `hardware component ${name} must be an array of strings`);
      }
      const items = (value as string[])
        .map((v) => v.trim().toLowerCase())
        .filter((v) => v !== '' && !(name === 'macs' && /^(00[:-]?){5}00$/.test(v)));
      if (items.length === 0) return null;
      return [...new Set(items)].sort().join('\n');
    }
    default: {
      if (typeof value !== 'string') throw new VactError('INVALID_REQUEST', `hardware component ${name} must be a string`);
      const v = value.trim().toLowerCase();
      // Placeholders some firmware and containers report instead of a value.
      if (v === '' || v === '-' || v === 'default string' || v === 'to be filled by o.e.m.' || /^0+$/.test(v.replace(/-/g, ''))) return null;
      return v;
    }
  }
}

/** Hashes each available component separately with the salt, so no raw value can be read back. */
export function hashComponents(c: HardwareComponents): ComponentHashes {
  const out: ComponentHashes = {};
  for (const name of HARDWARE_COMPONENTS) {
    const text = normaliseComponent(name, c[name]);
    if (text === null) continue;
    out[name] = sha256HexOfText(`${HARDWARE_SALT}\0${name}\0${text}`).slice(0, 16);
  }
  return out;
}

/** The hardware hash: 32 hex chars over the component hashes (stable for equal component hashes). */
export function hardwareHashOf(hashes: ComponentHashes): string {
  let text = HARDWARE_SALT;
  for (const name of HARDWARE_COMPONENTS) text += `\0${name}=${hashes[name] ?? ''}`;
  return sha256HexOfText(text).slice(0, 32);
}

/** Outcome of comparing a rescan with the identity recorded earlier. */
export interface ToleranceVote {
  withinTolerance: boolean;
  /** Components whose hash differs, appeared or disappeared. */
  changed: HardwareComponentName[];
  changedWeight: number;
  /** Weight of every component present on either side. */
  totalWeight: number;
}

/** The weighted tolerance vote between the recorded identity and a new scan. */
export function toleranceVote(recorded: ComponentHashes, current: ComponentHashes): ToleranceVote {
  const changed: HardwareComponentName[] = [];
  let changedWeight = 0;
  let totalWeight = 0;
  for (const name of HARDWARE_COMPONENTS) {
    const a = recorded[name];
    const b = current[name];
    if (a === undefined && b === undefined) continue;
    totalWeight += HARDWARE_WEIGHTS[name];
    if (a !== b) {
      changed.push(name);
      changedWeight += HARDWARE_WEIGHTS[name];
    }
  }
  const withinTolerance = changedWeight < TOLERANCE_CHANGED_WEIGHT_LIMIT && changedWeight * 2 <= totalWeight;
  return { withinTolerance, changed, changedWeight, totalWeight };
}
