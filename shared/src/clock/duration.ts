// CONTRACT — implemented by the shared-lifecycle helper. '90s', '15m', '2h', '7d', '1d12h' <-> ms.
export declare function parseDuration(text: string): number; // VactError('INVALID_DURATION')
export declare function formatDuration(ms: number): string;
