import assert from 'node:assert/strict';
import { hostCertificateRenewalAt, hostCertificateRetryAt } from './host-renewal';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);

describe('host certificate renewal rule', () => {
  it('renews a 180-day certificate 30 days before it ends', () => {
    assert.equal(hostCertificateRenewalAt({ issuedAt: T0, validUntil: T0 + 180 * DAY }), T0 + 150 * DAY);
  });
  it('renews a certificate shorter than 60 days halfway, never at once', () => {
    assert.equal(hostCertificateRenewalAt({ issuedAt: T0, validUntil: T0 + 40 * DAY }), T0 + 20 * DAY);
    assert.equal(hostCertificateRenewalAt({ issuedAt: T0, validUntil: T0 + DAY }), T0 + DAY / 2);
  });
  it('retries one activation interval after a failure', () => {
    assert.equal(hostCertificateRetryAt(T0, 120), T0 + 2 * 3_600_000);
  });
});
