// Human output of the agent commands, worded like slmgr /dli, /dlv, /xpr, /ato, /ipk, /rearm, /dti, /atp.
import type {
  ClockResult,
  ExpiryResult,
  HardwareRescanResult,
  KeyInstallResult,
  OfflineIidResult,
  StatusResult,
} from '@vact/shared';
import { formatIn, formatRemaining, formatTime } from './text-format';

const STATUS_TEXT: Record<StatusResult['status'], string> = {
  Unlicensed: 'Unlicensed',
  Licensed: 'Licensed',
  InitialGrace: 'Initial grace period',
  OutOfToleranceGrace: 'Additional grace period (OutOfToleranceGrace)',
  Notification: 'Notification',
};

const KEY_TYPE_TEXT: Record<string, string> = { 'kms-client': 'KMS client setup key', 'kms-host': 'KMS host key', mak: 'MAK' };

/** The /dli block (verbose: the /dlv block). */
export function statusText(s: StatusResult, verbose: boolean): string {
  const lines: string[] = [];
  if (verbose && s.details?.agentVersion) lines.push(`vact agent version: ${s.details.agentVersion}`, '');
  lines.push(`Name: ${s.editionName} (${s.edition})`);
  if (verbose) lines.push(`Product: ${s.product}`);
  const cat = s.details?.catalogue;
  if (verbose && cat) lines.push(`Catalogue: ${cat.name} (version ${cat.version}, digest ${cat.digest})`);
  lines.push(`Description: ${s.description}`);
  if (verbose) {
    lines.push(`Product key type: ${s.keyType ? `${KEY_TYPE_TEXT[s.keyType] ?? s.keyType}${s.keyGroup ? `, group ${s.keyGroup}` : ''}` : '(no key installed)'}`);
    lines.push(`Activation channel: ${s.channel ?? '(not activated)'}`);
  }
  lines.push(`Partial Product Key: ${s.partialKey ?? '(no key installed)'}`);
  lines.push(`License Status: ${STATUS_TEXT[s.status]}`);
  switch (s.status) {
    case 'InitialGrace':
    case 'OutOfToleranceGrace':
      if (s.remainingMs !== null) lines.push(`Time remaining: ${formatRemaining(s.remainingMs)}`);
      lines.push(`Grace period ends: ${formatTime(s.graceEndsAt)}`);
      break;
    case 'Licensed':
      if (s.validUntil !== null && s.remainingMs !== null) lines.push(`Volume activation expiration: ${formatRemaining(s.remainingMs)}`);
      else lines.push('Activation: permanent');
      if (s.switching) lines.push(`Switching channel: still Licensed by ${s.switching.from} until the ${s.keyType ?? ''} key's activation answers (installed ${formatTime(s.switching.since)})`);
      break;
    case 'Notification':
      lines.push(`Notification Reason: the grace period has expired${s.lastError ? ` (last error: ${s.lastError.code})` : ''}`);
      break;
    case 'Unlicensed':
      lines.push('Notification Reason: no product key is installed (`vact key install KEY`)');
      break;
  }
  if (s.lastError && s.status !== 'Licensed') lines.push(`Last activation error: ${s.lastError.message} [${s.lastError.code}] at ${formatTime(s.lastError.at)}`);
  if (s.lastError?.permanent && s.status !== 'Licensed') lines.push('Not retried: this refusal lasts until an administrator acts (install another key, or fix it and run `vact activate`).');
  if (s.nextAttemptAt) lines.push(`Next activation attempt: ${formatTime(s.nextAttemptAt)}`);
  if (verbose) {
    lines.push(`Remaining rearm count: ${s.remainingRearms}`);
    lines.push(`Trusted time: ${formatTime(s.trustedTime)}`);
    lines.push(`Agent time: ${formatTime(s.now)}${s.clock === 'sim' ? ' (simulated clock)' : ''}`);
    if (s.validUntil) lines.push(`Activation valid until: ${formatTime(s.validUntil)}`);
    if (s.lastActivatedAt) lines.push(`Last activated: ${formatTime(s.lastActivatedAt)}`);
    lines.push('');
    lines.push('Client information:');
    lines.push(`    Client Machine ID (CMID): ${s.cmid}`);
    lines.push(`    Hardware hash: ${s.hardwareHash}`);
    if (s.details?.hardwareSource) lines.push(`    Hardware source: ${s.details.hardwareSource}`);
    if (s.kms) {
      // slmgr /dlv's KMS lines.
      lines.push(`    KMS machine name: ${s.kms.host ?? '(from DNS; no host has answered yet)'}${s.kms.foundBy ? ` (found ${s.kms.foundBy === 'static' ? 'by `vact kms set`' : s.kms.foundBy === 'dns' ? 'by DNS SRV lookup' : 'in the host cache'})` : ''}`);
      lines.push(`    KMS current count: ${s.kms.count ?? '(none yet)'}`);
      lines.push(`    KMS activation interval: ${s.kms.activationIntervalMinutes} minutes`);
      lines.push(`    KMS renewal interval: ${s.kms.renewalIntervalMinutes} minutes`);
      if (s.kms.validUntil) lines.push(`    KMS activation valid until: ${formatTime(s.kms.validUntil)}`);
    } else {
      lines.push(`    KMS host: ${s.details?.kmsHost ?? '(from DNS)'}`);
    }
    if (s.details?.authorityUrl) lines.push(`    Activation authority: ${s.details.authorityUrl}`);
    lines.push(`    Activation interval: ${s.intervals.activationMinutes} minutes`);
    lines.push(`    Renewal interval: ${s.intervals.renewalMinutes} minutes (${s.intervals.source})`);
    if (s.details?.failures !== undefined) lines.push(`    Failed attempts in a row: ${s.details.failures}`);
    if (s.details?.lastReminderAt) lines.push(`    Last reminder: ${formatTime(s.details.lastReminderAt)}`);
  }
  return lines.join('\n');
}

/** The /xpr line. */
export function expiryText(e: ExpiryResult, edition: string): string {
  const when = e.expiresAt ? `${formatTime(e.expiresAt)}${e.remainingMs !== null ? ` (${formatIn(e.remainingMs)})` : ''}` : '';
  switch (e.kind) {
    case 'permanent':
      return `${edition}: The machine is permanently activated.`;
    case 'validity':
      return `${edition}: Volume activation will expire ${when}`;
    case 'grace':
      return `${edition}: ${e.status === 'OutOfToleranceGrace' ? 'Additional grace period' : 'Initial grace period'} ends ${when}`;
    case 'none':
      return e.status === 'Unlicensed' ? `${edition}: No product key is installed.` : `${edition}: The grace period has ended; the machine is in Notification state. Activate it (\`vact activate\`) or rearm (\`vact rearm\`).`;
  }
}

/** /ato */
export function activateText(s: StatusResult): string {
  const outcome = s.status === 'Licensed' ? 'Product activated successfully.' : 'The activation request completed, but the machine is not licensed.';
  return [`Activating ${s.editionName} (${s.edition}) ...`, outcome, `License Status: ${STATUS_TEXT[s.status]}`].join('\n');
}

/** /ipk, with the immediate activation attempt of a MAK. */
export function keyInstallText(r: KeyInstallResult): string {
  const lines = [`Installed product key ${r.key.partialKey} (${KEY_TYPE_TEXT[r.key.type] ?? r.key.type}, group ${r.key.group}) successfully.`];
  if (r.activation.attempted) {
    if (r.activation.succeeded) lines.push('Product activated successfully.');
    else if (r.activation.error) lines.push(`Activation failed: ${r.activation.error.message}`, `  ${r.activation.error.hint}`, 'vact retries on the activation interval; run `vact activate` to retry now.');
  }
  lines.push(`License Status: ${STATUS_TEXT[r.status.status]}`);
  return lines.join('\n');
}

/** /upk */
export function keyUninstallText(s: StatusResult): string {
  return ['Uninstalled product key successfully.', `License Status: ${STATUS_TEXT[s.status]}`].join('\n');
}

/** /rearm */
export function rearmText(s: StatusResult): string {
  return [
    'Command completed successfully: the grace period was reset and a new CMID was made.',
    `Remaining rearm count: ${s.remainingRearms}`,
    `License Status: ${STATUS_TEXT[s.status]}`,
    ...(s.graceEndsAt ? [`Grace period ends: ${formatTime(s.graceEndsAt)}`] : []),
  ].join('\n');
}

/** /dti */
export function offlineIidText(r: OfflineIidResult): string {
  // The digest goes to the authority with the IID (proxy-activate --catalogue-digest): the IID has no room for it.
  return [`Installation ID: ${r.installationId}`, ...(r.catalogueDigest ? [`Catalogue digest: ${r.catalogueDigest}`] : [])].join('\n');
}

/** /atp */
export function offlineConfirmText(s: StatusResult): string {
  return [`Confirmation ID for product key ${s.partialKey ?? ''} deposited successfully.`, `License Status: ${STATUS_TEXT[s.status]}`].join('\n');
}

/** hardware rescan */
export function hardwareRescanText(r: HardwareRescanResult): string {
  const changed = r.changedComponents.length ? `changed: ${r.changedComponents.join(', ')}` : 'no component changed';
  return [
    `Hardware hash: ${r.hardwareHash}${r.hardwareHash === r.previousHardwareHash ? ' (unchanged)' : ` (was ${r.previousHardwareHash})`}`,
    `Hardware ${changed}; ${r.withinTolerance ? 'within tolerance' : 'beyond tolerance: reactivation needed (`vact activate`)'}.`,
    `License Status: ${STATUS_TEXT[r.status.status]}`,
  ].join('\n');
}

/** clock now / clock advance */
export function clockText(c: ClockResult): string {
  return [`Agent time: ${formatTime(c.now)}${c.clock === 'sim' ? ' (simulated clock)' : ''}`, `Trusted time: ${formatTime(c.trustedTime)}`].join('\n');
}
