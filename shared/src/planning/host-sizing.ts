// Table 1 of the planning guide: how many KMS hosts a network needs, by the machines they serve.
import type { ZoneSize } from './plan-types';

/** Below this many machines a network is small (Table 1). */
export const SMALL_NETWORK_BELOW = 100;
/** From this many machines a network is an enterprise network (Table 1: more than one host). */
export const ENTERPRISE_FROM = 1000;

/** The Table 1 size of a network whose KMS hosts serve `machines`. */
export function zoneSize(machines: number): ZoneSize {
  if (machines < SMALL_NETWORK_BELOW) return 'small';
  return machines < ENTERPRISE_FROM ? 'medium' : 'enterprise';
}

/** KMS hosts for `machines` (Table 1): small 1, medium 1 (one or more), enterprise 2 (more than one, for failover). */
export function kmsHostsFor(machines: number): number {
  if (machines <= 0) return 0;
  return zoneSize(machines) === 'enterprise' ? 2 : 1;
}
