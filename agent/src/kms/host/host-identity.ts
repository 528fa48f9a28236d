// The KMS host's own Ed25519 key pair (STATE_DIR/kms-host-key.json, mode 0600): made once, when the
// host first asks the authority for a certificate, and kept so that reactivations certify the same key.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { VactError, firstIssueField } from '@vact/shared/licensing';
import { ed25519PublicKeyOf, nodeEd25519 } from '@vact/shared/node';
import { writeFileAtomic } from '../../store/atomic-file';

export const HOST_KEY_FILE = 'kms-host-key.json';

const HostKeyFileSchema = z.strictObject({ version: z.literal(1), publicKey: z.string().max(64), privateKey: z.string().max(256) });

export interface HostKeyPair { publicKey: string; privateKey: string }

/** Reads the host key pair, or null when there is none yet. Throws STATE_CORRUPT naming the field. */
export function readHostKeyPair(stateDir: string): HostKeyPair | null {
  const file = path.join(stateDir, HOST_KEY_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new VactError('STATE_CORRUPT', `${file}: ${(err as Error).message}`, { file });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new VactError('STATE_CORRUPT', `${file} is not JSON`, { file });
  }
  const r = HostKeyFileSchema.safeParse(json);
  if (!r.success) {
    const { field, message } = firstIssueField(r.error);
    throw new VactError('STATE_CORRUPT', `${file}: field "${field}" is missing or invalid (${message})`, { file, field });
  }
  let derived: string;
  try {
    derived = ed25519PublicKeyOf(r.data.privateKey);
  } catch {
    throw new VactError('STATE_CORRUPT', `${file}: field "privateKey" is not an Ed25519 private key`, { file, field: 'privateKey' });
  }
  if (derived !== r.data.publicKey) throw new VactError('STATE_CORRUPT', `${file}: field "publicKey" does not belong to the private key`, { file, field: 'publicKey' });
  return { publicKey: r.data.publicKey, privateKey: r.data.privateKey };
}

/** The host key pair, made and written (0600) on first use. */
export function ensureHostKeyPair(stateDir: string): HostKeyPair {
  const existing = readHostKeyPair(stateDir);
  if (existing) return existing;
  const kp = nodeEd25519.generateKeyPair();
  writeFileAtomic(path.join(stateDir, HOST_KEY_FILE), `${JSON.stringify({ version: 1, publicKey: kp.publicKey, privateKey: kp.privateKey })}\n`, 0o600);
  return { publicKey: kp.publicKey, privateKey: kp.privateKey };
}
