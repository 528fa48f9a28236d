import assert from 'node:assert/strict';
import { ControlMethods } from '@vact/shared';
import { createHandlerRegistry, dispatch, type HandlerContext, type HandlerRegistry, type ServiceNamesValid } from './registry';
import { FakeAgentService } from './testing/fake-agent-service';

function ctx(): HandlerContext {
  return { role: 'admin', remoteAddress: '127.0.0.1', topics: new Set() };
}

describe('typed handler registry', () => {
  it('has one handler for every method of the table but the handshake, and no other', () => {
    const reg = createHandlerRegistry(new FakeAgentService());
    const expected = Object.keys(ControlMethods).filter((m) => m !== 'handshake').sort();
    assert.deepEqual(Object.keys(reg).sort(), expected);
  });

  it('routes each method to the AgentService method the table names', async () => {
    const service = new FakeAgentService();
    const reg = createHandlerRegistry(service);
    for (const [method, entry] of Object.entries(ControlMethods)) {
      if (entry.service === null || method === 'handshake') continue;
      const params = method === 'key.install' ? { key: 'X' } : method === 'clock.advance' ? { ms: 1000 } : method === 'offline.confirm' ? { confirmationId: '1' } : {};
      await (reg as unknown as Record<string, (p: unknown, c: HandlerContext) => Promise<unknown>>)[method](params, ctx()).catch(() => undefined);
      assert.equal(service.state.calls.at(-1)?.method, entry.service, method);
    }
  });

  it('subscribe and unsubscribe change only the connection topics', async () => {
    const reg = createHandlerRegistry(new FakeAgentService());
    const c = ctx();
    assert.deepEqual((await dispatch(reg, 'subscribe', { topics: ['event'] }, c)).topics, ['event']);
    assert.deepEqual((await dispatch(reg, 'subscribe', {}, c)).topics.sort(), ['event', 'reminder', 'state']);
    assert.deepEqual((await dispatch(reg, 'unsubscribe', { topics: ['state'] }, c)).topics.sort(), ['event', 'reminder']);
  });

  it('a misspelt, missing or mistyped handler does not compile', () => {
    const reg = createHandlerRegistry(new FakeAgentService());
    // @ts-expect-error a handler for a method the table does not have
    const misspelt: HandlerRegistry = { ...reg, 'key.instal': reg['key.install'] };
    // @ts-expect-error a handler is missing
    const missing: HandlerRegistry = { status: reg.status };
    // @ts-expect-error status must return a StatusResult, not the expiry result
    const mistyped: HandlerRegistry = { ...reg, status: reg.expiry };
    assert.ok(misspelt && missing && mistyped);
    // A table entry naming no AgentService method (today `service: 'keyInstal'` compiled).
    const bad: ServiceNamesValid<{ 'key.install': { service: 'keyInstal' } }> = false;
    const good: ServiceNamesValid<{ 'key.install': { service: 'keyInstall' }; subscribe: { service: null } }> = true;
    assert.equal(bad, false);
    assert.equal(good, true);
  });
});
