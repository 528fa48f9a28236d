import assert from 'node:assert/strict';
import { FailedAuthLimiter, bearerToken, roleForToken } from './auth';
import { originAllowed, DEFAULT_ALLOWED_ORIGINS } from './origin';

describe('control auth, origin and listen address', () => {
  const tokens = { user: 'u'.repeat(43), admin: 'a'.repeat(43) };

  it('maps tokens to roles and refuses anything else', () => {
    assert.equal(roleForToken(tokens, tokens.admin), 'admin');
    assert.equal(roleForToken(tokens, tokens.user), 'user');
    assert.equal(roleForToken(tokens, ''), null);
    assert.equal(roleForToken(tokens, tokens.user + 'x'), null);
  });

  it('reads Bearer tokens only', () => {
    assert.equal(bearerToken('Bearer abc'), 'abc');
    assert.equal(bearerToken('bearer abc '), 'abc');
    assert.equal(bearerToken('Basic abc'), undefined);
    assert.equal(bearerToken('Bearer a b'), undefined);
    assert.equal(bearerToken(undefined), undefined);
    assert.equal(bearerToken(`Bearer ${'x'.repeat(300)}`), undefined);
  });

  it('locks an address out after maxFailures within the window, and lets it back after', () => {
    let now = 0;
    const l = new FailedAuthLimiter({ maxFailures: 3, windowMs: 1000, now: () => now });
    for (let i = 0; i < 2; i++) l.record('1.2.3.4');
    assert.equal(l.isLimited('1.2.3.4'), false);
    l.record('1.2.3.4');
    assert.equal(l.isLimited('1.2.3.4'), true);
    assert.equal(l.isLimited('5.6.7.8'), false);
    now = 1000;
    assert.equal(l.isLimited('1.2.3.4'), false);
  });

  it('forgets the oldest address beyond maxTracked', () => {
    const l = new FailedAuthLimiter({ maxFailures: 1, windowMs: 1000, now: () => 0, maxTracked: 2 });
    l.record('a');
    l.record('b');
    l.record('c');
    assert.equal(l.isLimited('a'), false);
    assert.equal(l.isLimited('c'), true);
  });

  it('allows no Origin and VS Code webviews, refuses web pages', () => {
    assert.equal(originAllowed(undefined, DEFAULT_ALLOWED_ORIGINS), true);
    assert.equal(originAllowed('vscode-webview://1abc', DEFAULT_ALLOWED_ORIGINS), true);
    assert.equal(originAllowed('https://evil.example', DEFAULT_ALLOWED_ORIGINS), false);
    assert.equal(originAllowed('vscode-webview://', DEFAULT_ALLOWED_ORIGINS), false);
    assert.equal(originAllowed('null', DEFAULT_ALLOWED_ORIGINS), false);
    assert.equal(originAllowed('http://localhost:3000', ['http://localhost:3000']), true);
  });
});
