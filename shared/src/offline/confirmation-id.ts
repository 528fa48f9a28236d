// CONTRACT — implemented by the shared-crypto helper. Text form of a signed ticket that survives copy/paste, line breaks and spaces.
import type { Ticket } from '../tickets/ticket';
export declare function encodeConfirmationId(t: Ticket): string;
export declare function decodeConfirmationId(text: string): Ticket; // VactError('INVALID_CONFIRMATION_ID')
