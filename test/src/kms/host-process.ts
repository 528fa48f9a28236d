// A KMS host in its own process (for kill -9 tests): `node host-process.js STATE_FILE ADDRESS`;
// prints {"port":N} once listening.
import { hostTicketSigner, referenceCatalogue } from '@vact/shared';
import { ed25519KeyPairFromSeed, nodeEd25519, SystemClock } from '@vact/shared/node';
import { KmsHostService } from '@vact/agent/kms';
import { hostCertificate } from './kms-host-fixture';

const [stateFile, address] = process.argv.slice(2);
const clock = new SystemClock();
const cert = hostCertificate(clock.now());
const key = ed25519KeyPairFromSeed(Uint8Array.from({ length: 32 }, (_, i) => 0x20 + i));
const self = { licensed: true, certificate: cert, signer: hostTicketSigner(nodeEd25519, key.privateKey, cert), activationIntervalMinutes: 120, renewalIntervalMinutes: 10_080 };
const service = new KmsHostService({ clock, catalogue: referenceCatalogue(), stateFile, self: () => self, listen: { host: address, port: 0 } });
service.start().then(({ port }) => process.stdout.write(`${JSON.stringify({ port })}\n`), (err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
