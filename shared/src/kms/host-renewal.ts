// When a KMS host asks the authority for a fresh certificate (docs/kms.md, "Certificate renewal"):
// 30 days before the certificate ends — or halfway through a certificate shorter than 60 days, so a
// short certificate is not renewed the moment it arrives (every renewal spends one of the
// authority's activations per host).
const DAY_MS = 86_400_000;

/** A host certificate is renewed this long before it ends. */
export const HOST_CERTIFICATE_RENEW_BEFORE_DAYS = 30;

/** When the host should renew a certificate valid from `issuedAt` to `validUntil` (ms since epoch). */
export function hostCertificateRenewalAt(cert: { issuedAt: number; validUntil: number }): number {
  const before = cert.validUntil - HOST_CERTIFICATE_RENEW_BEFORE_DAYS * DAY_MS;
  const halfway = cert.issuedAt + Math.floor((cert.validUntil - cert.issuedAt) / 2);
  return Math.max(before, halfway);
}

/** After a failed renewal the host asks again one activation interval later (2 hours by default). */
export function hostCertificateRetryAt(now: number, activationIntervalMinutes: number): number {
  return now + activationIntervalMinutes * 60_000;
}
