// CONTRACT — implemented by the shared-crypto helper. An IID carries everything the authority needs.
export interface InstallationIdFields { key: string; hardwareHash: string; edition: string; cmid: string }
/** Digit groups, each with a check digit, for reading out or pasting. */
export declare function encodeInstallationId(f: InstallationIdFields, catalogueGroups: readonly string[], editionIds: readonly string[]): string;
export declare function decodeInstallationId(text: string, catalogueGroups: readonly string[], editionIds: readonly string[]): InstallationIdFields; // VactError('INVALID_INSTALLATION_ID') naming the group
/** The nonce an offline ticket is bound to, derived from the IID fields. */
export declare function installationIdNonce(f: InstallationIdFields): string;
