import assert from 'node:assert/strict';
import { fanOut, type FanOutTarget } from './fan-out';

class FakeSocket implements FanOutTarget {
  bufferedAmount = 0;
  sent: string[] = [];
  terminated = false;
  /** A slow consumer reads nothing: everything sent stays queued. */
  constructor(private readonly reads: boolean) {}
  send(data: string, cb: (err?: Error) => void): void {
    this.sent.push(data);
    if (!this.reads) this.bufferedAmount += data.length;
    cb();
  }
  terminate(): void {
    this.terminated = true;
  }
}

describe('notification fan-out', () => {
  it('drops a consumer that stops reading once its queue passes the limit, and keeps serving the others', () => {
    const fast = new FakeSocket(true);
    const slow = new FakeSocket(false);
    const peers = new Set([fast, slow]);
    const text = 'x'.repeat(100);
    for (let i = 0; i < 50; i++) for (const d of fanOut(peers, text, 1000, () => undefined)) peers.delete(d);
    assert.equal(fast.sent.length, 50);
    assert.equal(fast.terminated, false);
    assert.equal(slow.terminated, true);
    // Bounded: never more than the limit queued for the slow peer.
    assert.ok(slow.bufferedAmount <= 1000);
    assert.equal(slow.sent.length, 10);
  });
});
