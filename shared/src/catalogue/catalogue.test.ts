import assert from 'node:assert/strict';
import { VactError } from '../errors/error-codes';
import { decodeProductKey, encodeProductKey } from '../keys/product-key';
import {
  catalogueGroupIds,
  editionsActivatedBy,
  findEdition,
  findEditionBySetupKey,
  findGroup,
  groupsActivatedBy,
  groupsByRank,
  hostKeyActivates,
  hostKeyInstallableOn,
  keyRefusal,
  leastHostKeyFor,
  parseCatalogue,
  referenceCatalogue,
  thresholdFor,
} from './catalogue';
import type { Catalogue } from './types';
import { RULES } from '../lifecycle/test-support/rules';
import referenceJson from './reference-catalogue.json';

const EDITIONS_BY_GROUP: Record<string, { current: string[]; previous: string[] }> = {
  'client-vl': { current: ['client-professional', 'client-enterprise'], previous: ['client-business-v1', 'client-enterprise-v1'] },
  'server-a': { current: ['server-web', 'server-hpc'], previous: ['server-web-v1', 'server-compute-cluster-v1'] },
  'server-b': { current: ['server-standard', 'server-enterprise'], previous: ['server-standard-v1', 'server-enterprise-v1'] },
  'server-c': { current: ['server-datacenter', 'server-itanium'], previous: ['server-datacenter-v1', 'server-itanium-v1'] },
};
const GROUP_ORDER = ['client-vl', 'server-a', 'server-b', 'server-c'];

/** The stable serial of each edition's public KMS client setup key: 100 x (group rank + 1) + position in its group. */
const SETUP_KEY_SERIALS: Record<string, number> = Object.fromEntries(
  GROUP_ORDER.flatMap((g, rank) => {
    const e = EDITIONS_BY_GROUP[g];
    return [...e.current, ...e.previous].map((id, i) => [id, 100 * (rank + 1) + i + 1]);
  }),
);

/** A deep copy of the reference catalogue file, to break in tests. */
function rawReference(): Catalogue {
  return structuredClone(referenceJson) as unknown as Catalogue;
}

/** A view of an object that lets a test remove, mistype or add any field. */
function loose(o: object): Record<string, unknown> {
  return o as Record<string, unknown>;
}

/** Asserts that parsing `json` fails with INVALID_CATALOGUE and exactly this detail. */
function assertRejected(json: unknown, detail: string): void {
  assert.throws(
    () => parseCatalogue(json),
    (err: unknown) => {
      assert.ok(err instanceof VactError, String(err));
      assert.equal(err.code, 'INVALID_CATALOGUE');
      assert.equal(err.message, `The catalogue is not valid: ${detail}`);
      return true;
    },
  );
}

describe('reference catalogue', () => {
  const c = referenceCatalogue();

  it('has the groups Client VL < Server A < Server B < Server C, in key order', () => {
    assert.deepEqual(catalogueGroupIds(c), GROUP_ORDER);
    assert.deepEqual(groupsByRank(c).map((g) => g.id), GROUP_ORDER);
    assert.deepEqual(c.groups.map((g) => g.name), ['Client VL', 'Server Group A', 'Server Group B', 'Server Group C']);
  });

  it('has the current- and previous-generation editions of each group (Table 3)', () => {
    for (const [group, { current, previous }] of Object.entries(EDITIONS_BY_GROUP)) {
      const inGroup = c.editions.filter((e) => e.group === group);
      assert.deepEqual(inGroup.filter((e) => e.generation === 'current').map((e) => e.id), current);
      assert.deepEqual(inGroup.filter((e) => e.generation === 'previous').map((e) => e.id), previous);
    }
    assert.equal(c.editions.length, 16);
  });

  it('uses thresholds 25 for client editions and 5 for server editions', () => {
    for (const e of c.editions) {
      assert.equal(e.kind, e.group === 'client-vl' ? 'client' : 'server', e.id);
      assert.equal(e.threshold, e.kind === 'client' ? 25 : 5, e.id);
      assert.equal(thresholdFor(c, e.id), e.threshold);
    }
  });

  it('carries the rules with the numbers of DESIGN §3', () => {
    assert.deepEqual(c.rules, RULES);
  });

  it('lists for each edition the KMS client setup key made by the encoder', () => {
    const keys = new Set<string>();
    for (const e of c.editions) {
      const expected = encodeProductKey({ type: 'kms-client', group: e.group, serial: SETUP_KEY_SERIALS[e.id] }, c);
      assert.equal(e.kmsClientSetupKey, expected, e.id);
      const d = decodeProductKey(e.kmsClientSetupKey, catalogueGroupIds(c));
      assert.equal(d.type, 'kms-client');
      assert.equal(d.group, e.group);
      keys.add(e.kmsClientSetupKey);
    }
    assert.equal(keys.size, c.editions.length);
  });

  it('uses vendor-neutral names', () => {
    assert.doesNotMatch(JSON.stringify(c), /windows|microsoft|vista/i);
  });

  it('answers "can host key group G activate edition E?" as in Table 4', () => {
    for (const [hostRank, hostGroup] of GROUP_ORDER.entries()) {
      for (const e of c.editions) {
        assert.equal(hostKeyActivates(c, hostGroup, e.id), GROUP_ORDER.indexOf(e.group) <= hostRank, `${hostGroup} -> ${e.id}`);
      }
      assert.deepEqual(groupsActivatedBy(c, hostGroup).map((g) => g.id), GROUP_ORDER.slice(0, hostRank + 1));
      assert.equal(editionsActivatedBy(c, hostGroup).length, 4 * (hostRank + 1));
    }
    // Spot checks in words: a Server Group B host key activates Client VL and Group A, not Group C.
    assert.equal(hostKeyActivates(c, 'server-b', 'client-business-v1'), true);
    assert.equal(hostKeyActivates(c, 'server-b', 'server-hpc'), true);
    assert.equal(hostKeyActivates(c, 'server-b', 'server-datacenter'), false);
    assert.equal(hostKeyActivates(c, 'client-vl', 'server-web'), false);
  });

  it('answers "may host key group G be installed on edition H?" (a client host holds only a Client VL key)', () => {
    for (const g of GROUP_ORDER) {
      for (const e of c.editions) {
        const expected = g === 'client-vl' || e.kind === 'server';
        assert.equal(hostKeyInstallableOn(c, g, e.id), expected, `${g} on ${e.id}`);
      }
    }
  });

  it('finds the least inclusive host key that covers a set of editions', () => {
    assert.equal(leastHostKeyFor(c, ['client-professional', 'client-business-v1']), 'client-vl');
    assert.equal(leastHostKeyFor(c, ['client-enterprise', 'server-web-v1']), 'server-a');
    assert.equal(leastHostKeyFor(c, ['server-hpc', 'server-enterprise', 'client-professional']), 'server-b');
    assert.equal(leastHostKeyFor(c, ['server-itanium-v1', 'client-professional']), 'server-c');
    assert.equal(leastHostKeyFor(c, []), undefined);
    // Installed on a client edition, only a Client VL key fits, so server editions cannot be covered.
    assert.equal(leastHostKeyFor(c, ['client-enterprise'], { hostEdition: 'client-enterprise' }), 'client-vl');
    assert.equal(leastHostKeyFor(c, ['server-web'], { hostEdition: 'client-enterprise' }), undefined);
    assert.equal(leastHostKeyFor(c, ['server-web'], { hostEdition: 'server-standard' }), 'server-a');
  });

  it('names unknown editions and groups', () => {
    assert.throws(() => findEdition(c, 'server-x'), (e: unknown) => e instanceof VactError && e.code === 'UNKNOWN_EDITION' && /"server-x"/.test(e.message));
    assert.throws(() => findGroup(c, 'server-d'), (e: unknown) => e instanceof VactError && e.code === 'UNKNOWN_GROUP' && /"server-d"/.test(e.message));
    assert.throws(() => hostKeyActivates(c, 'server-d', 'server-web'), /UNKNOWN|product key group/);
    assert.throws(() => hostKeyInstallableOn(c, 'server-a', 'nope'), /edition is not in the catalogue/);
    assert.throws(() => leastHostKeyFor(c, ['nope']), /edition is not in the catalogue/);
    assert.throws(() => leastHostKeyFor(c, ['server-web'], { hostEdition: 'nope' }), /edition is not in the catalogue/);
  });

  it('finds an edition by its setup key, however it is typed', () => {
    const e = findEdition(c, 'server-standard');
    assert.equal(findEditionBySetupKey(c, e.kmsClientSetupKey.toLowerCase().replace(/-/g, ''))?.id, 'server-standard');
    assert.equal(findEditionBySetupKey(c, 'not a key'), undefined);
    assert.equal(findEditionBySetupKey(c, encodeProductKey({ type: 'kms-client', group: 'server-b', serial: 999 }, c)), undefined);
  });

  it('returns a fresh copy each time', () => {
    const a = referenceCatalogue();
    a.editions[0].threshold = 1;
    a.groups.pop();
    assert.equal(referenceCatalogue().editions[0].threshold, 25);
    assert.equal(referenceCatalogue().groups.length, 4);
  });
});

describe('catalogue validation', () => {
  it('accepts the reference file and a setup key typed in lower case without dashes', () => {
    const raw = rawReference();
    const canonical = raw.editions[0].kmsClientSetupKey;
    raw.editions[0].kmsClientSetupKey = canonical.toLowerCase().replace(/-/g, '');
    assert.equal(parseCatalogue(raw).editions[0].kmsClientSetupKey, canonical);
  });

  const cases: [string, (c: Catalogue) => unknown, string][] = [
    ['an unknown group', (c) => (c.editions[3].group = 'server-x'), 'editions[3].group: unknown group "server-x"'],
    ['an unknown product', (c) => (c.editions[5].product = 'lab-os'), 'editions[5].product: unknown product "lab-os"'],
    ['a missing field', (c) => delete loose(c.editions[2]).name, 'editions[2].name: missing (expected string)'],
    ['an unknown field', (c) => (loose(c.groups[1]).colour = 'red'), 'groups[1].colour: unknown field'],
    ['a zero threshold', (c) => (c.editions[0].threshold = 0), 'editions[0].threshold: Too small: expected number to be >0'],
    ['a fractional threshold', (c) => (c.editions[0].threshold = 2.5), 'editions[0].threshold: Invalid input: expected int, received number'],
    ['a bad kind', (c) => (loose(c.editions[1]).kind = 'desktop'), 'editions[1].kind: Invalid option: expected one of "client"|"server"'],
    ['a bad id', (c) => (c.editions[1].id = 'Server Web'), 'editions[1].id: must be lower-case letters, digits and dashes (e.g. "server-a")'],
    ['a duplicate edition id', (c) => (c.editions[4].id = 'client-professional'), 'editions[4].id: duplicate edition id "client-professional" (also at index 0)'],
    ['a duplicate group id', (c) => (c.groups[2].id = 'server-a'), 'groups[2].id: duplicate group id "server-a" (also at index 1)'],
    ['a duplicate rank', (c) => (c.groups[3].rank = 0), 'groups[3].rank: duplicate rank "0" (also at index 0)'],
    ['a duplicate product', (c) => (c.products[1].id = c.products[0].id), 'products[1].id: duplicate product id "lab-desktop-2" (also at index 0)'],
    ['an unknown host edition', (c) => c.groups[2].hostEditions.push('server-x'), 'groups[2].hostEditions[12]: unknown edition "server-x"'],
    ['a repeated host edition', (c) => c.groups[1].hostEditions.push('server-web'), 'groups[1].hostEditions[12]: duplicate edition "server-web" (also at index 0)'],
    ['a wrong version', (c) => (loose(c).version = 2), 'version: Invalid input: expected 1'],
    ['no editions', (c) => (c.editions = []), 'editions: Too small: expected array to have >=1 items'],
    ['a missing rule', (c) => delete loose(c.rules).graceDays, 'rules.graceDays: missing (expected number)'],
    ['a negative rearm limit', (c) => (c.rules.rearmLimit = -1), 'rules.rearmLimit: Too small: expected number to be >=0'],
    [
      'a renewal interval outside the bounds',
      (c) => (c.rules.renewalIntervalMinutes = 10),
      'rules.renewalIntervalMinutes: 10 is outside minIntervalMinutes … maxIntervalMinutes (15 … 43200)',
    ],
    [
      'a mistyped setup key',
      (c) => (c.editions[0].kmsClientSetupKey = swapFirstTwo(c.editions[0].kmsClientSetupKey)),
      'editions[0].kmsClientSetupKey: The product key is not valid: checksum mismatch (a character is mistyped or two are swapped)',
    ],
    [
      'a setup key with a letter outside the alphabet',
      (c) => (c.editions[0].kmsClientSetupKey = 'O' + c.editions[0].kmsClientSetupKey.slice(1)),
      `editions[0].kmsClientSetupKey: The product key is not valid: character 1 'O' is not in the key alphabet (ACDEFGHJKMNPRTVWXY346789)`,
    ],
    [
      "a setup key of another edition's group",
      (c) => (c.editions[0].kmsClientSetupKey = c.editions[4].kmsClientSetupKey),
      `editions[0].kmsClientSetupKey: is a key of group "server-a", not of the edition's group "client-vl"`,
    ],
    [
      'a MAK in place of a setup key',
      (c) => (c.editions[0].kmsClientSetupKey = encodeProductKey({ type: 'mak', group: 'client-vl', serial: 1 }, catalogueGroupIds(c))),
      'editions[0].kmsClientSetupKey: is a mak key, not a KMS client setup key',
    ],
    [
      'two editions with one setup key',
      (c) => (c.editions[1].kmsClientSetupKey = c.editions[0].kmsClientSetupKey),
      `editions[1].kmsClientSetupKey: duplicate KMS client setup key "${referenceJson.editions[0].kmsClientSetupKey}" (also at index 0)`,
    ],
  ];
  for (const [what, breakIt, detail] of cases) {
    it(`rejects ${what}, naming the field`, () => {
      const raw = rawReference();
      breakIt(raw);
      assertRejected(raw, detail);
    });
  }

  it('rejects something that is not a catalogue object', () => {
    assertRejected(null, '(catalogue): Invalid input: expected object, received null');
    assertRejected([], '(catalogue): Invalid input: expected object, received array');
  });

  it('puts the field path in the error details', () => {
    const raw = rawReference();
    raw.editions[3].group = 'server-x';
    try {
      parseCatalogue(raw);
      assert.fail('accepted');
    } catch (err) {
      assert.ok(err instanceof VactError);
      assert.deepEqual(err.details, { field: 'editions[3].group' });
      assert.equal(err.number, 1005);
    }
  });

  it('accepts a smaller catalogue of its own', () => {
    const groups = ['lab'];
    const c = parseCatalogue({
      version: 1,
      name: 'tiny',
      products: [{ id: 'tool', name: 'Tool' }],
      groups: [{ id: 'lab', name: 'Lab', rank: 10, hostEditions: ['tool-pro'] }],
      editions: [
        {
          id: 'tool-pro',
          name: 'Tool Pro',
          product: 'tool',
          group: 'lab',
          kind: 'server',
          generation: 'current',
          threshold: 3,
          kmsClientSetupKey: encodeProductKey({ type: 'kms-client', group: 'lab', serial: 1 }, groups),
        },
      ],
      rules: { ...rawReference().rules, rearmLimit: 0 },
    });
    assert.equal(leastHostKeyFor(c, ['tool-pro']), 'lab');
    assert.equal(c.rules.rearmLimit, 0);
  });
});

function swapFirstTwo(key: string): string {
  return key[1] === key[0] ? key.slice(0, 2) + key[3] + key[2] + key.slice(4) : key[1] + key[0] + key.slice(2);
}

describe('keyRefusal (slmgr /ipk applicability)', () => {
  const c = referenceCatalogue();
  const groups = catalogueGroupIds(c);
  it('a MAK covers exactly the editions of its group', () => {
    for (const g of groups) {
      for (const e of c.editions) {
        const r = keyRefusal(c, decodeProductKey(encodeProductKey({ type: 'mak', group: g, serial: 1 }, groups), groups), e.id);
        assert.equal(r === undefined, e.group === g, `${g} MAK on ${e.id}`);
        if (r) assert.equal(r.code, 'PRODUCT_NOT_COVERED_BY_KEY');
      }
    }
  });
  it('a KMS client setup key applies only to its own edition', () => {
    for (const key of c.editions) {
      for (const e of c.editions) {
        const r = keyRefusal(c, decodeProductKey(key.kmsClientSetupKey, groups), e.id);
        assert.equal(r === undefined, key.id === e.id);
        if (r) assert.match(r.message, new RegExp(`setup key of ${key.id}, not of ${e.id}`));
      }
    }
    const unlisted = decodeProductKey(encodeProductKey({ type: 'kms-client', group: 'client-vl', serial: 999 }, groups), groups);
    assert.match(keyRefusal(c, unlisted, 'client-enterprise')!.message, /lists for no edition/);
  });
  it('a KMS host key only on its group\'s host editions', () => {
    for (const g of c.groups) {
      for (const e of c.editions) {
        const r = keyRefusal(c, { type: 'kms-host', group: g.id }, e.id);
        assert.equal(r === undefined, hostKeyInstallableOn(c, g.id, e.id));
        if (r) assert.equal(r.code, 'HOST_KEY_NOT_ALLOWED_ON_EDITION');
      }
    }
  });
});
