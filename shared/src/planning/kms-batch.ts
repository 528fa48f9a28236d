// Many identical machines asking one KMS host at the same instant, counted with the shared
// KMS count (recordRequest), without recording every one of a large batch: once the batch has
// filled the cache, every further request sees count = capacity, and the cache ends holding
// the batch's last `capacity` CMIDs, so at most 2 x capacity requests are recorded.
import type { EditionKind } from '../catalogue/types';
import { recordRequest, type HostCountCache, type HostCountOptions } from '../kms/host-count';

export interface BatchRequest {
  /** CMID of the i-th machine of the batch (0-based). */
  cmid: (i: number) => string;
  /** Machines in the batch; with `sharedCmid` they all carry one CMID. */
  size: number;
  sharedCmid: boolean;
  threshold: number;
  kind: EditionKind;
  edition: string;
  now: number;
}

export interface BatchResult {
  cache: HostCountCache;
  /** Machines [0, firstActivated) were below the threshold; [firstActivated, size) activated. */
  firstActivated: number;
  /** The count seen by the last machine that failed, and by the last that activated. */
  failedCount: number;
  activatedCount: number;
}

/** Records a batch of requests on a host's count; the activated machines are a suffix (counts only grow within a batch). */
export function recordBatch(cache: HostCountCache, req: BatchRequest, opts?: HostCountOptions): BatchResult {
  const one = (c: HostCountCache, i: number): { cache: HostCountCache; count: number } =>
    recordRequest(c, { cmid: req.cmid(i), threshold: req.threshold, kind: req.kind, edition: req.edition, now: req.now }, opts);
  if (req.sharedCmid || req.size === 1) {
    const r = one(cache, 0);
    const ok = r.count >= req.threshold;
    return { cache: r.cache, firstActivated: ok ? 0 : req.size, failedCount: ok ? 0 : r.count, activatedCount: ok ? r.count : 0 };
  }
  let c = cache;
  let firstActivated = req.size;
  let failedCount = 0;
  let activatedCount = 0;
  let capacity = Infinity;
  let i = 0;
  for (; i < req.size && i < capacity; i++) {
    const r = one(c, i);
    c = r.cache;
    capacity = c.capacity;
    if (r.count >= req.threshold) {
      if (firstActivated === req.size) firstActivated = i;
      activatedCount = r.count;
    } else failedCount = r.count;
  }
  if (i < req.size) {
    // The cache is now full of this batch: the rest all see count = capacity.
    if (capacity >= req.threshold) {
      if (firstActivated === req.size) firstActivated = i;
      activatedCount = capacity;
    } else failedCount = capacity;
    for (let j = Math.max(i, req.size - capacity); j < req.size; j++) c = one(c, j).cache;
  }
  return { cache: c, firstActivated, failedCount, activatedCount };
}
