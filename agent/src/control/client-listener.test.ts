import assert from 'node:assert/strict';
import type { ControlNotification } from '@vact/shared';
import { ControlClient } from '@vact/shared/node';
import { startControlServer, type ControlServer } from './server';
import { FakeAgentService } from './testing/fake-agent-service';

const TOKENS = { user: 'user-token-0123456789abcdef', admin: 'admin-token-0123456789abcdef' };

describe('control client against the control server', () => {
  let server: ControlServer;
  let service: FakeAgentService;
  beforeEach(async () => {
    service = new FakeAgentService();
    server = await startControlServer({ service, tokens: TOKENS, port: 0 });
  });
  afterEach(() => server.close());

  it('a throwing notification listener neither escapes into ws nor stops the other listeners', async () => {
    const errors: unknown[] = [];
    const c = await ControlClient.connect({ url: server.url, token: TOKENS.user, onListenerError: (e) => errors.push(e) });
    try {
      await c.subscribe(['event']);
      c.onNotification(() => {
        throw new Error('listener bug');
      });
      const seen = new Promise<ControlNotification>((resolve) => c.onNotification(resolve));
      service.emit({ method: 'event.logged', params: { event: { seq: 1, eventId: 12288, time: '2026-11-27T00:00:00.000Z', level: 'info', message: 'x' } } });
      assert.equal((await seen).method, 'event.logged');
      assert.equal((errors[0] as Error).message, 'listener bug');
      // The connection survived.
      assert.equal((await c.call('clock.now', {})).clock, 'sim');
    } finally {
      await c.close();
    }
  });
});
