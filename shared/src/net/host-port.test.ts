import assert from 'node:assert/strict';
import { isLoopbackHost, splitHostPort } from './host-port';

describe('listen addresses and the loopback rule', () => {
  it('treats 127.0.0.0/8, ::1, localhost and IPv4-mapped 127.x as loopback, and nothing else', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', '::1', '0:0:0:0:0:0:0:1', 'localhost', 'LOCALHOST', '::ffff:127.0.0.1']) assert.equal(isLoopbackHost(h), true, h);
    for (const h of ['0.0.0.0', '::', '192.168.1.2', '10.0.0.1', '::ffff:10.0.0.1', 'lab-host', '127.example.org', '']) assert.equal(isLoopbackHost(h), false, h);
  });

  it('splits HOST:PORT and [V6]:PORT, and refuses anything else', () => {
    assert.deepEqual(splitHostPort('127.0.0.1:1689'), { host: '127.0.0.1', port: 1689 });
    assert.deepEqual(splitHostPort('[::1]:0'), { host: '::1', port: 0 });
    assert.deepEqual(splitHostPort(':8470'), { host: '', port: 8470 });
    assert.deepEqual(splitHostPort('host:99999'), { error: 'port 99999 is out of range 0-65535' });
    for (const bad of ['localhost', 'host:', 'ho st:1', '::1:80', 'a:b:1']) assert.deepEqual(splitHostPort(bad), { error: 'not HOST:PORT' }, bad);
  });
});
