// The shape of a volume activation plan (the `vact plan --json` interface, docs/planning.md).
import type { EditionKind } from '../catalogue/types';

export type PlanMethod = 'KMS' | 'MAK' | 'none';
/** How a MAK machine reaches the authority: directly, or through a proxy / by phone (offline IDs). */
export type MakMode = 'independent' | 'proxy-or-phone';

export interface PlanRow {
  line: number;
  name: string;
  count: number;
  edition: string;
  kind: EditionKind;
  zone: string;
  method: PlanMethod;
  /** The zone whose KMS host the row uses (`core` or its own zone); null for MAK and none. */
  kmsHostZone: string | null;
  makMode: MakMode | null;
  reason: string;
}

/** Table 2, the activation method worksheet. `remaining` must be 0. */
export interface PlanTotals { KMS: number; MAK: number; none: number; total: number; remaining: number }

/** Table 1 network sizes by the number of machines a zone's KMS hosts serve. */
export type ZoneSize = 'small' | 'medium' | 'enterprise';

export interface PlanZone {
  zone: string;
  /** Machines whose row is in this zone. */
  machines: number;
  /** Machines activated by this zone's KMS hosts (its own, plus other zones' over the WAN for `core`). */
  kmsServed: number;
  /** KMS hosts to run in this zone (Table 1); 0 when nobody uses a host here. */
  localKmsHosts: number;
  size: ZoneSize | null;
  /** The KMS host key group for the hosts of this zone; null without hosts. */
  hostKeyGroup: string | null;
}

export interface PlanKey {
  type: 'kms-host' | 'mak';
  group: string;
  /** The zone whose hosts hold this KMS host key; null for a MAK (one MAK serves every zone). */
  zone: string | null;
  machines: number;
  /** kms-host: hosts that hold the key in this zone. */
  hosts?: number;
  /** kms-host: the groups the key activates (its own and every group below it, Table 4). */
  activates?: string[];
  /** kms-host: which editions may run the host (Table 5). */
  installableOn?: 'client or server editions' | 'server editions only';
  /** mak: the zones whose machines use the MAK, and how they reach the authority. */
  zones?: string[];
  modes?: MakMode[];
}

export type PlanWarningKind = 'below-threshold' | 'beyond-validity' | 'cmid-cache' | 'server-host' | 'host-key-limit';

export interface PlanWarning { kind: PlanWarningKind; zone: string | null; rows: string[]; message: string }

export interface Plan {
  rows: PlanRow[];
  totals: PlanTotals;
  zones: PlanZone[];
  keys: PlanKey[];
  warnings: PlanWarning[];
}
