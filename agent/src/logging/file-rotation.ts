import * as fs from 'node:fs';

/**
 * Shifts `current` to generation 1, 1 to 2, … and drops what falls past `keep`; `generation(i)`
 * names the i-th rotated file. Shared by the agent log and the event log.
 */
export function rotateFiles(current: string, generation: (i: number) => string, keep: number): void {
  const oldest = generation(keep);
  if (fs.existsSync(oldest)) fs.unlinkSync(oldest);
  for (let i = keep - 1; i >= 1; i--) if (fs.existsSync(generation(i))) fs.renameSync(generation(i), generation(i + 1));
  if (fs.existsSync(current)) fs.renameSync(current, generation(1));
}
