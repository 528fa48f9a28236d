// The KMS host's ticket signatures, batched: tickets answered close together are signed together,
// one Ed25519 signature over their Merkle root (docs/protocol.md, "Batch-signed tickets"). Like a
// group commit, a batch waits only for requests already on their way — connections accepted whose
// request has not been read yet — and never longer than `maxWaitMs`; with none on their way it is
// signed at the end of this turn of the event loop, so a lone client waits for nothing and gets a
// plain ticket. Only clients that say they verify batch tickets (request flag bit 1) are batched;
// the others are signed one at a time. This module owns its one immediate and one timer.
import { MAX_BATCH_TICKETS, VactError, type Ticket, type TicketBody } from '@vact/shared/licensing';
import type { KmsTicketSigner } from '@vact/shared/kms';

interface Pending {
  signer: KmsTicketSigner;
  body: TicketBody;
  resolve(ticket: Ticket): void;
  reject(err: unknown): void;
}

/** Tickets signed and signatures made, for `vact host status`. */
export interface TicketSigningStats {
  tickets: number;
  signatures: number;
  largestBatch: number;
}

export class TicketBatcher {
  private pending: Pending[] = [];
  private immediate: NodeJS.Immediate | undefined;
  private timer: NodeJS.Timeout | undefined;
  readonly stats: TicketSigningStats = { tickets: 0, signatures: 0, largestBatch: 0 };

  /**
   * @param onTheirWay how many requests are still being read (the listener's count)
   * @param maxWaitMs the longest a ticket waits for others; 0 signs every batch at the end of its turn
   */
  constructor(private readonly onTheirWay: () => number = () => 0, private readonly maxWaitMs = 1, private readonly maxBatch = MAX_BATCH_TICKETS) {}

  /** Signs one ticket now, alone (for a client that does not take batch tickets). */
  signNow(signer: KmsTicketSigner, body: TicketBody): Ticket {
    const ticket = signer.sign(body);
    this.count(1);
    return ticket;
  }

  /** Signs `body` with the others answered before the batch goes: at the end of this turn, or when the requests on their way are in (at most `maxWaitMs`). */
  sign(signer: KmsTicketSigner, body: TicketBody): Promise<Ticket> {
    return new Promise<Ticket>((resolve, reject) => {
      this.pending.push({ signer, body, resolve, reject });
      if (this.maxWaitMs > 0 && this.pending.length < this.maxBatch && this.onTheirWay() > 0) {
        this.timer ??= setTimeout(() => this.flush(), this.maxWaitMs);
      } else {
        this.immediate ??= setImmediate(() => this.flush());
      }
    });
  }

  /** Drops what is still unsigned (the listener has closed its connections). */
  dispose(): void {
    this.cancel();
    const dropped = this.pending;
    this.pending = [];
    for (const p of dropped) p.reject(new VactError('KMS_HOST_NOT_ACTIVATED', 'the KMS host is stopping'));
  }

  private cancel(): void {
    if (this.immediate) clearImmediate(this.immediate);
    if (this.timer) clearTimeout(this.timer);
    this.immediate = undefined;
    this.timer = undefined;
  }

  private flush(): void {
    this.cancel();
    const all = this.pending;
    this.pending = [];
    // A certificate renewal between two requests changes the signer: each signer signs its own batch.
    let from = 0;
    while (from < all.length) {
      const signer = all[from].signer;
      let to = from + 1;
      while (to < all.length && to - from < this.maxBatch && all[to].signer === signer) to++;
      this.signBatch(signer, all.slice(from, to));
      from = to;
    }
  }

  private signBatch(signer: KmsTicketSigner, batch: Pending[]): void {
    let tickets: Ticket[];
    try {
      tickets = signer.signBatch(batch.map((p) => p.body));
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    this.count(batch.length, 1);
    for (let i = 0; i < batch.length; i++) batch[i].resolve(tickets[i]);
  }

  private count(tickets: number, signatures = tickets): void {
    this.stats.tickets += tickets;
    this.stats.signatures += signatures;
    if (tickets > this.stats.largestBatch && signatures === 1) this.stats.largestBatch = tickets;
  }
}
