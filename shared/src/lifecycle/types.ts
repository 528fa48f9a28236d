// The client lifecycle's data: states, events, effects (DESIGN §3, §4). Times are ms since epoch.
// The rules that move between them are in machine.ts and docs/lifecycle.md.
import type { KeyType } from '../keys/product-key';
import type { ActivationChannel } from '../tickets/ticket';

import type { Intervals, LicenseStatus } from './license-schemas';
export type { Intervals, LicenseStatus };
/** DESIGN §3 license status codes. */
export const LicenseStatusCode: Record<LicenseStatus, number> = {
  Unlicensed: 0, Licensed: 1, InitialGrace: 2, OutOfToleranceGrace: 3, Notification: 5,
};


/**
 * An installed product key. `key` is null once a MAK has activated the machine: the agent then
 * keeps it only sealed to the authority (like slmgr /cpky). A key-installed event always carries it.
 */
export interface InstalledKey { key: string | null; type: KeyType; group: string; partialKey: string }

/** A grace clock put aside while no key is installed, so removing and reinstalling a key never restarts grace. */
export interface SuspendedGrace {
  status: 'InitialGrace' | 'OutOfToleranceGrace' | 'Notification';
  startedAt: number | null;
  endsAt: number | null;
}

export interface LifecycleState {
  edition: string;
  key: InstalledKey | null;
  status: LicenseStatus;
  /** End of the current grace period (InitialGrace / OutOfToleranceGrace); null otherwise. */
  graceEndsAt: number | null;
  channel: ActivationChannel | null;
  /** KMS validity end; null when permanent (MAK/offline) or not activated. */
  validUntil: number | null;
  lastActivatedAt: number | null;
  remainingRearms: number;
  intervals: Intervals;
  nextAttemptAt: number | null;
  /** Failed attempts in a row since the last success. */
  failures: number;
  lastError: { code: string; message: string; at: number } | null;
  /** The last reminder slot emitted, so a restart never repeats or skips one. */
  lastReminderAt: number | null;
  /** Highest trusted time ever seen: a clock set backwards never extends grace or validity. */
  trustedNow: number;
  // Optional fields below were added after the first contract; a missing one reads as null.
  /** Start of the current grace period (the daily reminders are anchored here). */
  graceStartedAt?: number | null;
  /** When the machine entered Notification (its daily reminders are anchored here). */
  notificationSince?: number | null;
  /** Grace put aside by `key-removed`, restored by the next `key-installed`. */
  suspendedGrace?: SuspendedGrace | null;
  /** The count from the last KMS host reply (for status). */
  kmsCount?: number | null;
  /** When the lifecycle last asked for a contact or got an outcome (retries are counted from here). */
  lastAttemptAt?: number | null;
  /** Intervals last set by the administrator; a host reply overrides them, a rearm restores them. */
  adminIntervals?: { activationMinutes: number; renewalMinutes: number } | null;
  /** True while a clock rollback has been logged and the clock has not caught up with trustedNow. */
  rollbackLogged?: boolean;
  /**
   * A different key was installed on a Licensed machine: it stays Licensed by `from` (channel,
   * validUntil and lastActivatedAt are still the old activation's) until the new key's channel answers.
   */
  switching?: { from: ActivationChannel; since: number } | null;
}

/** Activation and renewal intervals in minutes, as a KMS host sends them. */
export interface HostIntervals { activationMinutes: number; renewalMinutes: number }

export type LifecycleEvent =
  | { type: 'start' }
  | { type: 'tick' }
  | { type: 'key-installed'; key: InstalledKey }
  | { type: 'key-removed' }
  | { type: 'activation-succeeded'; channel: ActivationChannel; validUntil: number | null; hostIntervals?: HostIntervals; count?: number }
  /** `jitter` in [0, 1): the edge's random number for the retry delay (retry.ts); 0.5 when absent. */
  | { type: 'activation-failed'; code: string; message: string; count?: number; hostIntervals?: HostIntervals; jitter?: number }
  | { type: 'hardware-rescanned'; withinTolerance: boolean }
  | { type: 'rearm' }
  | { type: 'intervals-changed'; activationMinutes?: number; renewalMinutes?: number };

export type LifecycleEffect =
  | { type: 'contact-kms' }
  | { type: 'contact-authority' }
  | { type: 'reminder'; remainingMs: number; status: LicenseStatus }
  | { type: 'log'; eventId: number; message: string; data?: Record<string, unknown> }
  | { type: 'regenerate-cmid'; reason: 'rearm' | 'clone' }
  | { type: 'persist' };

export interface StepResult { state: LifecycleState; effects: LifecycleEffect[]; nextWake: number | null }
