// Activation and renewal intervals (DESIGN §3): 2 hours and 7 days by default, each bounded to
// 15 minutes … 30 days. An administrator's value out of range is refused; a host's is clamped.
import type { CatalogueRules } from '../catalogue/types';
import { VactError } from '../errors/error-codes';
import type { HostIntervals, Intervals } from './types';

/** The catalogue's default intervals (source 'default'). */
export function defaultIntervals(rules: CatalogueRules): Intervals {
  return { activationMinutes: rules.activationIntervalMinutes, renewalMinutes: rules.renewalIntervalMinutes, source: 'default' };
}

/** Clamps one interval to the catalogue's bounds (for values a KMS host sends; garbage becomes the bound). */
export function clampIntervalMinutes(minutes: number, rules: CatalogueRules): number {
  if (!Number.isFinite(minutes)) return Number.isNaN(minutes) || minutes < 0 ? rules.minIntervalMinutes : rules.maxIntervalMinutes;
  return Math.min(rules.maxIntervalMinutes, Math.max(rules.minIntervalMinutes, Math.round(minutes)));
}

/** Host-pushed intervals, clamped to the bounds (source 'host'). */
export function hostPushedIntervals(pushed: HostIntervals, rules: CatalogueRules): Intervals {
  return {
    activationMinutes: clampIntervalMinutes(pushed.activationMinutes, rules),
    renewalMinutes: clampIntervalMinutes(pushed.renewalMinutes, rules),
    source: 'host',
  };
}

/** Checks an administrator's interval: a whole number of minutes within the bounds, else INVALID_CONFIG naming the setting. */
export function validateIntervalMinutes(name: 'activationMinutes' | 'renewalMinutes', minutes: unknown, rules: CatalogueRules): number {
  if (typeof minutes !== 'number' || !Number.isInteger(minutes) || minutes < rules.minIntervalMinutes || minutes > rules.maxIntervalMinutes) {
    throw new VactError('INVALID_CONFIG', `${name} must be a whole number of minutes from ${rules.minIntervalMinutes} to ${rules.maxIntervalMinutes} (got ${String(minutes)})`, {
      setting: name, min: rules.minIntervalMinutes, max: rules.maxIntervalMinutes, value: typeof minutes === 'number' ? minutes : String(minutes),
    });
  }
  return minutes;
}
