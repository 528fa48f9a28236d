// CONTRACT — implemented by the shared-keys/catalogue helper.
import type { Catalogue, EditionId, GroupId, Edition, ProductKeyGroup } from './types';
export declare function parseCatalogue(json: unknown): Catalogue; // throws VactError('INVALID_CATALOGUE') naming the field
export declare function referenceCatalogue(): Catalogue;
export declare function findEdition(c: Catalogue, id: EditionId): Edition; // throws VactError('UNKNOWN_EDITION')
export declare function findGroup(c: Catalogue, id: GroupId): ProductKeyGroup;
export declare function hostKeyActivates(c: Catalogue, hostGroup: GroupId, edition: EditionId): boolean;
export declare function hostKeyInstallableOn(c: Catalogue, hostGroup: GroupId, hostEdition: EditionId): boolean;
export declare function leastHostKeyFor(c: Catalogue, editions: EditionId[]): GroupId | undefined;
