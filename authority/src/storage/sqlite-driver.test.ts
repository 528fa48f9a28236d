import assert from 'node:assert/strict';
import { openSqliteDatabase } from './sqlite-driver';

const hasBuiltin = (() => {
  try {
    return typeof (process.getBuiltinModule?.('node:sqlite') as { DatabaseSync?: unknown } | undefined)?.DatabaseSync === 'function';
  } catch {
    return false;
  }
})();

describe('SQLite driver', () => {
  it(`uses ${hasBuiltin ? "Node's built-in node:sqlite and never loads the better-sqlite3 addon" : 'better-sqlite3 on a runtime without node:sqlite'}`, () => {
    const db = openSqliteDatabase(':memory:');
    try {
      assert.equal(db.driver, hasBuiltin ? 'node:sqlite' : 'better-sqlite3');
      if (hasBuiltin) {
        assert.ok(!Object.keys(require.cache).some((f) => /[\\/]better-sqlite3[\\/]/.test(f)), 'better-sqlite3 was loaded');
      }
    } finally {
      db.close();
    }
  });

  it('commits an immediate transaction, rolls one back when it throws, and returns plain rows', () => {
    const db = openSqliteDatabase(':memory:');
    try {
      db.exec('CREATE TABLE t (k TEXT PRIMARY KEY, n INTEGER)');
      const ins = db.prepare('INSERT INTO t (k, n) VALUES (@k, @n)');
      db.immediate(() => ins.run({ k: 'a', n: 1 }));
      assert.throws(() => db.immediate(() => {
        ins.run({ k: 'b', n: 2 });
        ins.run({ k: 'a', n: 3 }); // primary key clash
      }), /UNIQUE/);
      const rows = db.deferred(() => db.prepare('SELECT k, n FROM t ORDER BY k').all());
      assert.deepEqual(rows, [{ k: 'a', n: 1 }]);
      assert.equal(Object.getPrototypeOf(rows[0]), Object.prototype);
      assert.equal(db.prepare('UPDATE t SET n = n + 1').run().changes, 1);
      assert.deepEqual(db.prepare('SELECT n FROM t WHERE k = ?').get('a'), { n: 2 });
      assert.equal(db.prepare('SELECT n FROM t WHERE k = ?').get('zz'), undefined);
    } finally {
      db.close();
    }
    assert.equal(db.open, false);
  });
});
