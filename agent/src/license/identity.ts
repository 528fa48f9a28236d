// The machine's identity against its recorded one: a hardware scan is voted for tolerance and
// becomes exactly one lifecycle event and one commit (new hardware, no ticket, new CMID together).
import { EventIds, toleranceVote } from '@vact/shared/licensing';
import type { HardwareScan } from '../hardware/hardware-scanner';
import type { Announcer } from './announcer';
import type { LicenseEngine } from './engine';

/** What a scan changed. */
export interface ScanVerdict {
  previousHardwareHash: string;
  withinTolerance: boolean;
  changedComponents: string[];
}

/** Applies a scan under the engine's lock (the caller holds it). */
export function applyHardwareScan(engine: LicenseEngine, announcer: Announcer, scan: HardwareScan): ScanVerdict {
  const previous = engine.state.hardware.hardwareHash;
  const vote = toleranceVote(engine.state.hardware.components, scan.components);
  if (vote.withinTolerance) {
    engine.apply({ type: 'hardware-rescanned', withinTolerance: true }, 'hardware-rescan');
    announcer.log(EventIds.hardwareWithinTolerance, vote.changed.length ? `hardware changed within tolerance (${vote.changed.join(', ')})` : 'hardware unchanged', { changed: vote.changed });
  } else {
    // The lifecycle's regenerate-cmid ('clone') effect gives the machine its own CMID in this same commit.
    engine.apply({ type: 'hardware-rescanned', withinTolerance: false }, 'hardware-out-of-tolerance', (s) => {
      s.hardware = { hardwareHash: scan.hardwareHash, components: scan.components, recordedAt: scan.scannedAt };
      s.ticket = null;
    });
    announcer.log(EventIds.hardwareOutOfTolerance, `hardware changed beyond tolerance (${vote.changed.join(', ')}); reactivation needed`, { changed: vote.changed, previousHardwareHash: previous, hardwareHash: scan.hardwareHash });
    announcer.logger.warn('hardware changed beyond tolerance', { changed: vote.changed });
  }
  return { previousHardwareHash: previous, withinTolerance: vote.withinTolerance, changedComponents: vote.changed };
}
