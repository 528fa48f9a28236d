// Computes component hashes in the background and serves the last value until a scan finishes.
import { hashComponents, hardwareHashOf, type ComponentHashes } from '@vact/shared/licensing';
import type { HardwareSource } from './hardware-source';

/** One completed scan. */
export interface HardwareScan {
  components: ComponentHashes;
  hardwareHash: string;
  scannedAt: number;
}

/** Single-flight scanner: concurrent callers share one running scan. */
export class HardwareScanner {
  private running: Promise<HardwareScan> | null = null;
  private last: HardwareScan | null = null;

  constructor(private readonly source: HardwareSource, private readonly now: () => number) {}

  /** The latest completed scan, or null while the first is still running. */
  cached(): HardwareScan | null {
    return this.last;
  }

  /** Runs a scan (or joins the running one). Rejects with the source's error; the cached value is kept. */
  scan(): Promise<HardwareScan> {
    if (!this.running) {
      this.running = (async () => {
        try {
          const components = hashComponents(await this.source.read());
          const scan = { components, hardwareHash: hardwareHashOf(components), scannedAt: this.now() };
          this.last = scan;
          return scan;
        } finally {
          this.running = null;
        }
      })();
    }
    return this.running;
  }

  /**
   * Runs a scan that starts after this call (never joins one already under way), so an
   * administrator's rescan always sees the hardware as it is now.
   */
  async rescan(): Promise<HardwareScan> {
    if (this.running) await this.running.catch(() => undefined);
    return this.scan();
  }
}
