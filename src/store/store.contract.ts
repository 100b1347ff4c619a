import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { BehaviorSetting } from '../domain/behaviors.js';
import type { Permission } from '../domain/permissions.js';
import type { RiskLevel } from '../domain/risk-level.js';
import { formatTimestamp } from '../domain/time.js';
import type { AuditEntry, Integration, LevelChange, NewRiskEvent, UserRisk } from '../domain/types.js';
import { runIngestContract } from './ingest.contract.js';
import type { AuditMeta, Store, StoredGlobalKey, StoredToken, SummaryOrder, SummaryQuery } from './store.js';
import { runStreamStoreContract } from './stream-store.contract.js';

const ACCOUNT = '0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a';
const OTHER_ACCOUNT = '0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b';

/** User ids in ascending order (UUID-shaped, so a `uuid` column would accept them). */
const USER_A = '00000000-0000-4000-8000-00000000000a';
const USER_B = '00000000-0000-4000-8000-00000000000b';
const USER_C = '00000000-0000-4000-8000-00000000000c';
const USER_D = '00000000-0000-4000-8000-00000000000d';

/** A UUID whose string order follows `n` (for tie-break tests on ids). */
function orderedId(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

const BASE_MS = Date.UTC(2025, 0, 15, 8, 30, 0, 123);

/** An RFC 3339 UTC ms timestamp `minutes` after a fixed base instant (non-zero milliseconds on purpose). */
function t(minutes: number): string {
  return formatTimestamp(BASE_MS + minutes * 60_000);
}

/** Recording time used by most tests: after every event timestamp they write. */
const NOW = t(10_000);

/** A new risk event for USER_A (low, at t(0), unique id and dedupeKey); `level` sets `riskLevel`. */
function aRiskEvent(overrides: Partial<NewRiskEvent> & { readonly level?: RiskLevel } = {}): NewRiskEvent {
  const id = overrides.id ?? randomUUID();
  const { level, ...rest } = overrides;
  return {
    id,
    userId: USER_A,
    behavior: 'imp_travel',
    behaviorName: 'Impossible Travel',
    riskLevel: level ?? 'low',
    timestamp: t(0),
    details: {
      behavior: 'imp_travel',
      source_event_ids: [`src-${id}`],
      distance_km: 8123.5,
      nested: { ok: true },
    },
    dedupeKey: `imp_travel:${id}`,
    ...rest,
  };
}

function anAudit(overrides: Partial<AuditMeta> = {}): AuditMeta {
  return { actor: 'cli', at: t(0), ...overrides };
}

function aToken(overrides: Partial<StoredToken> = {}): StoredToken {
  const id = overrides.id ?? randomUUID();
  return {
    id,
    name: `token ${id}`,
    secretHash: `hash-${id}`,
    grants: [{ accountId: ACCOUNT, permission: 'Zero Trust Read' }],
    createdAt: t(0),
    expiresAt: undefined,
    revokedAt: undefined,
    ...overrides,
  };
}

function aGlobalKey(overrides: Partial<StoredGlobalKey> = {}): StoredGlobalKey {
  const id = overrides.id ?? randomUUID();
  return {
    id,
    email: 'owner@example.com',
    keyHash: `key-hash-${id}`,
    accountIds: [],
    createdAt: t(0),
    revokedAt: undefined,
    ...overrides,
  };
}

function anIntegration(overrides: Partial<Integration> = {}): Integration {
  return {
    id: randomUUID(),
    accountId: ACCOUNT,
    integrationType: 'Okta',
    referenceId: randomUUID(),
    tenantUrl: 'https://example.okta.com',
    active: true,
    createdAt: t(0),
    updatedAt: t(0),
    ...overrides,
  };
}

function aSummaryQuery(overrides: Partial<SummaryQuery> = {}): SummaryQuery {
  return { page: 1, perPage: 1000, levels: [], orderBy: 'last_event', direction: 'desc', ...overrides };
}

const ALL = { page: 1, perPage: 1000 } as const;

function only<T>(items: readonly T[]): T {
  assert.equal(items.length, 1, `expected exactly one item, got ${items.length}`);
  const [item] = items;
  assert.ok(item !== undefined);
  return item;
}

function sortedGrants(
  grants: readonly { readonly accountId: string; readonly permission: Permission }[],
): { accountId: string; permission: Permission }[] {
  return [...grants]
    .map((g) => ({ accountId: g.accountId, permission: g.permission }))
    .sort((a, b) => `${a.accountId}|${a.permission}`.localeCompare(`${b.accountId}|${b.permission}`));
}

/** A level change without its `txn`, after checking the `txn` is a non-empty string (it is random). */
function withoutTxn(change: LevelChange): Omit<LevelChange, 'txn'> {
  const { txn, ...rest } = change;
  assert.equal(typeof txn, 'string');
  assert.ok(txn.length > 0);
  return rest;
}

function sortedSettings(settings: readonly BehaviorSetting[]): BehaviorSetting[] {
  return [...settings].sort((a, b) => a.key.localeCompare(b.key));
}

/**
 * The behaviour every {@link Store} implementation must show, as `node:test` suites.
 *
 * `makeStore` returns an open store over an EMPTY database that has not necessarily been migrated: the
 * suite calls `migrate()` itself before every test (so migrating is part of the contract, and a factory
 * that already migrated is fine because migrating is idempotent). Every test gets its own store and the
 * suite closes it afterwards; the factory owns any other clean-up (temporary files, schemas).
 *
 * Only what the interface shows is tested, types included: counts are numbers, booleans are booleans,
 * timestamps come back as the very strings written, and absent optional values are `undefined`. The
 * audit trail is user-visible, so the `before`/`after` snapshots the SQLite store writes (snake_case keys,
 * `null` where there is no before or after) are pinned here too: every dialect must write the same ones.
 */
export function runStoreContract(name: string, makeStore: () => Promise<Store>): void {
  runStreamStoreContract(name, makeStore);
  runIngestContract(name, makeStore);
  describe(`Store contract: ${name}`, () => {
    let store: Store;

    beforeEach(async () => {
      store = await makeStore();
      await store.migrate();
    });

    afterEach(async () => {
      await store.close();
    });

    /** Records events one call each, in order. */
    async function recordEach(accountId: string, events: readonly NewRiskEvent[], now = NOW): Promise<void> {
      for (const e of events) await store.recordRiskEvents(accountId, [e], now);
    }

    async function userRisk(accountId: string, userId: string): Promise<UserRisk> {
      const user = await store.getUserRisk(accountId, userId);
      assert.ok(user, `user ${userId} should be known`);
      return user;
    }

    async function auditOf(accountId: string, action: string): Promise<AuditEntry[]> {
      return [...(await store.listAudit(accountId, { ...ALL, action })).items];
    }

    describe('lifecycle and accounts', () => {
      it('migrate is idempotent: a second migrate keeps the data', async () => {
        await store.ensureAccount(ACCOUNT, t(0));
        await store.migrate();
        assert.deepEqual(await store.listAccounts(), [ACCOUNT]);
      });

      it('ping resolves', async () => {
        await store.ping();
      });

      it('reports no pending migrations once migrated', async () => {
        assert.equal(await store.pendingMigrations(), 0);
      });

      it('names its dialect', () => {
        assert.ok(['sqlite', 'postgres'].includes(store.dialect));
      });

      it('ensureAccount resolves true when it creates the account, then false', async () => {
        assert.equal(await store.ensureAccount(ACCOUNT, t(0)), true);
        assert.equal(await store.ensureAccount(ACCOUNT, t(1)), false);
        assert.deepEqual(await store.listAccounts(), [ACCOUNT]);
      });

      it('listAccounts is empty on a new store', async () => {
        assert.deepEqual(await store.listAccounts(), []);
      });

      it('listAccounts lists accounts oldest first, not alphabetically', async () => {
        await store.ensureAccount('bbbb', t(1));
        await store.ensureAccount('aaaa', t(2));
        await store.ensureAccount('cccc', t(0));
        assert.deepEqual(await store.listAccounts(), ['cccc', 'bbbb', 'aaaa']);
      });
    });

    describe('tokens', () => {
      const grants: StoredToken['grants'] = [
        { accountId: ACCOUNT, permission: 'Zero Trust Read' },
        { accountId: ACCOUNT, permission: 'Zero Trust Write' },
        { accountId: OTHER_ACCOUNT, permission: 'Zero Trust: PII Read' },
      ];

      it('createToken stores grants for several accounts and creates those accounts', async () => {
        const token = aToken({ grants, expiresAt: t(60) });
        await store.createToken(token, anAudit());
        assert.deepEqual([...(await store.listAccounts())].sort(), [ACCOUNT, OTHER_ACCOUNT].sort());
        const found = await store.findTokenBySecretHash(token.secretHash);
        assert.ok(found);
        assert.deepEqual(sortedGrants(found.grants), sortedGrants(grants));
      });

      it('findTokenBySecretHash returns the token with its hash, exact timestamps and expiry', async () => {
        const token = aToken({ grants, createdAt: t(1), expiresAt: t(60) });
        await store.createToken(token, anAudit());
        const found = await store.findTokenBySecretHash(token.secretHash);
        assert.ok(found);
        assert.deepEqual(
          { ...found, grants: sortedGrants(found.grants) },
          { ...token, grants: sortedGrants(grants) },
        );
      });

      it('a token without expiry reads back with expiresAt and revokedAt undefined', async () => {
        const token = aToken();
        await store.createToken(token, anAudit());
        const found = await store.findTokenBySecretHash(token.secretHash);
        assert.ok(found);
        assert.equal(found.expiresAt, undefined);
        assert.equal(found.revokedAt, undefined);
      });

      it('findTokenBySecretHash resolves undefined for an unknown hash', async () => {
        await store.createToken(aToken(), anAudit());
        assert.equal(await store.findTokenBySecretHash('no-such-hash'), undefined);
      });

      it('listTokens lists every token oldest first, without secret hashes', async () => {
        const newer = aToken({ createdAt: t(5) });
        const older = aToken({
          createdAt: t(1),
          grants: [{ accountId: OTHER_ACCOUNT, permission: 'Zero Trust Read' }],
        });
        await store.createToken(newer, anAudit());
        await store.createToken(older, anAudit());
        const tokens = await store.listTokens();
        assert.deepEqual(
          tokens.map((tok) => tok.id),
          [older.id, newer.id],
        );
        for (const tok of tokens) assert.equal('secretHash' in tok, false);
        const { secretHash: _hash, ...olderWithoutHash } = older;
        assert.deepEqual(tokens[0], olderWithoutHash);
      });

      it('revokeToken resolves true, then false; the revoked token is still found, with revokedAt', async () => {
        const token = aToken();
        await store.createToken(token, anAudit());
        assert.equal(await store.revokeToken(token.id, anAudit({ at: t(7) })), true);
        assert.equal(await store.revokeToken(token.id, anAudit({ at: t(8) })), false);
        const found = await store.findTokenBySecretHash(token.secretHash);
        assert.equal(found?.revokedAt, t(7));
      });

      it('revokeToken resolves false for an unknown token', async () => {
        assert.equal(await store.revokeToken('no-such-token', anAudit()), false);
      });

      it('token.create and token.revoke are audited in each granted account', async () => {
        const token = aToken({ grants });
        await store.createToken(token, anAudit({ actor: 'cli', at: t(1) }));
        await store.revokeToken(token.id, anAudit({ actor: 'token:admin', at: t(2), reason: 'leaked' }));
        await store.revokeToken(token.id, anAudit({ actor: 'token:admin', at: t(3) }));
        for (const accountId of [ACCOUNT, OTHER_ACCOUNT]) {
          const created = only(await auditOf(accountId, 'token.create'));
          assert.equal(created.accountId, accountId);
          assert.equal(created.actor, 'cli');
          assert.equal(created.at, t(1));
          assert.equal(created.targetType, 'token');
          assert.equal(created.targetId, token.id);
          const revoked = only(await auditOf(accountId, 'token.revoke'));
          assert.equal(revoked.actor, 'token:admin');
          assert.equal(revoked.at, t(2));
          assert.equal(revoked.targetId, token.id);
          assert.equal(revoked.reason, 'leaked');
        }
      });
    });

    describe('global keys', () => {
      for (const lookup of ['owner@example.com', 'OWNER@EXAMPLE.COM', 'Owner@Example.Com']) {
        it(`findGlobalKeysByEmail finds a key stored as Owner@example.COM by ${lookup}`, async () => {
          const key = aGlobalKey({ email: 'Owner@example.COM', createdAt: t(3) });
          await store.createGlobalKey(key, ACCOUNT, anAudit());
          const found = only(await store.findGlobalKeysByEmail(lookup));
          assert.equal(found.id, key.id);
          assert.equal(found.keyHash, key.keyHash);
          assert.equal(found.email.toLowerCase(), 'owner@example.com');
          assert.deepEqual(found.accountIds, [ACCOUNT]);
          assert.equal(found.createdAt, t(3));
          assert.equal(found.revokedAt, undefined);
        });
      }

      it('findGlobalKeysByEmail resolves [] for an unknown email', async () => {
        await store.createGlobalKey(aGlobalKey(), ACCOUNT, anAudit());
        assert.deepEqual(await store.findGlobalKeysByEmail('nobody@example.com'), []);
      });

      it('createGlobalKey creates the account', async () => {
        await store.createGlobalKey(aGlobalKey(), ACCOUNT, anAudit());
        assert.deepEqual(await store.listAccounts(), [ACCOUNT]);
      });

      it("a second key for the same email revokes the first, and the owner's memberships accumulate", async () => {
        const first = aGlobalKey({ email: 'owner@example.com' });
        const second = aGlobalKey({ email: 'OWNER@example.com', createdAt: t(1) });
        await store.createGlobalKey(first, ACCOUNT, anAudit({ at: t(0) }));
        await store.createGlobalKey(second, OTHER_ACCOUNT, anAudit({ at: t(1) }));
        const found = only(await store.findGlobalKeysByEmail('owner@example.com'));
        assert.equal(found.id, second.id);
        assert.deepEqual([...found.accountIds].sort(), [ACCOUNT, OTHER_ACCOUNT].sort());
      });

      it("another owner's keys are untouched by a new key", async () => {
        const mine = aGlobalKey({ email: 'me@example.com' });
        await store.createGlobalKey(mine, ACCOUNT, anAudit());
        await store.createGlobalKey(aGlobalKey({ email: 'you@example.com' }), OTHER_ACCOUNT, anAudit());
        const found = only(await store.findGlobalKeysByEmail('me@example.com'));
        assert.equal(found.id, mine.id);
        assert.deepEqual(found.accountIds, [ACCOUNT]);
      });
    });

    describe('behavior settings', () => {
      it('an account has no overrides initially', async () => {
        assert.deepEqual(await store.getBehaviorSettings(ACCOUNT), []);
      });

      it('putBehaviorSettings upserts only the given keys', async () => {
        await store.putBehaviorSettings(
          ACCOUNT,
          [{ key: 'imp_travel', enabled: true, riskLevel: 'high' }],
          anAudit(),
        );
        await store.putBehaviorSettings(
          ACCOUNT,
          [
            { key: 'high_dlp', enabled: true, riskLevel: 'low' },
            { key: 'imp_travel', enabled: false, riskLevel: 'medium' },
          ],
          anAudit(),
        );
        assert.deepEqual(sortedSettings(await store.getBehaviorSettings(ACCOUNT)), [
          { key: 'high_dlp', enabled: true, riskLevel: 'low' },
          { key: 'imp_travel', enabled: false, riskLevel: 'medium' },
        ]);
        assert.deepEqual(await store.getBehaviorSettings(OTHER_ACCOUNT), []);
      });

      it('putBehaviorSettings with no settings changes nothing', async () => {
        await store.putBehaviorSettings(
          ACCOUNT,
          [{ key: 'imp_travel', enabled: true, riskLevel: 'high' }],
          anAudit(),
        );
        await store.putBehaviorSettings(ACCOUNT, [], anAudit());
        assert.deepEqual(await store.getBehaviorSettings(ACCOUNT), [
          { key: 'imp_travel', enabled: true, riskLevel: 'high' },
        ]);
      });

      it('putBehaviorSettings is audited as behaviors.update with before and after of the given keys', async () => {
        await store.putBehaviorSettings(
          ACCOUNT,
          [{ key: 'imp_travel', enabled: true, riskLevel: 'high' }],
          anAudit({ actor: 'token:t1', at: t(1) }),
        );
        await store.putBehaviorSettings(
          ACCOUNT,
          [{ key: 'imp_travel', enabled: false, riskLevel: 'low' }],
          anAudit({ actor: 'token:t1', at: t(2), reason: 'tuning' }),
        );
        const [second, first] = await auditOf(ACCOUNT, 'behaviors.update');
        assert.ok(first && second);
        assert.equal(first.actor, 'token:t1');
        assert.equal(first.at, t(1));
        assert.deepEqual(first.before, { imp_travel: null });
        assert.deepEqual(first.after, { imp_travel: { enabled: true, risk_level: 'high' } });
        assert.equal(first.reason, undefined);
        assert.deepEqual(second.before, { imp_travel: { enabled: true, risk_level: 'high' } });
        assert.deepEqual(second.after, { imp_travel: { enabled: false, risk_level: 'low' } });
        assert.equal(second.reason, 'tuning');
      });
    });

    describe('recordRiskEvents', () => {
      it('records nothing for an empty list', async () => {
        assert.deepEqual(await store.recordRiskEvents(ACCOUNT, [], NOW), { recorded: [], changes: [] });
        assert.equal(await store.getUserRisk(ACCOUNT, USER_A), undefined);
      });

      it('creates the user row with level, count and last event maintained on write', async () => {
        const event = aRiskEvent({
          userId: USER_A,
          level: 'medium',
          timestamp: t(3),
          email: 'a@example.com',
          name: 'A',
        });
        const result = await store.recordRiskEvents(ACCOUNT, [event], NOW);
        assert.deepEqual(await store.getUserRisk(ACCOUNT, USER_A), {
          accountId: ACCOUNT,
          userId: USER_A,
          email: 'a@example.com',
          name: 'A',
          riskLevel: 'medium',
          eventCount: 1,
          lastEvent: t(3),
          lastResetTime: undefined,
        });
        assert.deepEqual(result.recorded, [
          {
            id: event.id,
            accountId: ACCOUNT,
            userId: USER_A,
            behavior: 'imp_travel',
            name: 'Impossible Travel',
            riskLevel: 'medium',
            timestamp: t(3),
            details: event.details,
            createdAt: NOW,
          },
        ]);
        assert.deepEqual(result.changes.map(withoutTxn), [
          {
            accountId: ACCOUNT,
            userId: USER_A,
            email: 'a@example.com',
            previous: undefined,
            current: 'medium',
            at: NOW,
            cause: 'detection',
            behavior: 'imp_travel',
          } satisfies Omit<LevelChange, 'txn'>,
        ]);
      });

      it('a user recorded without email or name has empty strings', async () => {
        await store.recordRiskEvents(ACCOUNT, [aRiskEvent({ userId: USER_A })], NOW);
        const user = await userRisk(ACCOUNT, USER_A);
        assert.equal(user.email, '');
        assert.equal(user.name, '');
      });

      it('an unknown user has no risk state', async () => {
        await store.recordRiskEvents(ACCOUNT, [aRiskEvent({ userId: USER_A })], NOW);
        assert.equal(await store.getUserRisk(ACCOUNT, USER_B), undefined);
      });

      const highestCases: { levels: RiskLevel[]; expected: RiskLevel }[] = [
        { levels: ['low'], expected: 'low' },
        { levels: ['low', 'high', 'medium'], expected: 'high' },
        { levels: ['medium', 'low'], expected: 'medium' },
        { levels: ['high', 'low', 'low'], expected: 'high' },
      ];
      for (const { levels, expected } of highestCases) {
        for (const mode of ['one call', 'one call per event'] as const) {
          it(`the highest level wins: ${levels.join(', ')} → ${expected} (${mode})`, async () => {
            const events = levels.map((level, i) => aRiskEvent({ level, timestamp: t(i) }));
            if (mode === 'one call') await store.recordRiskEvents(ACCOUNT, events, NOW);
            else await recordEach(ACCOUNT, events);
            const user = await userRisk(ACCOUNT, USER_A);
            assert.equal(user.riskLevel, expected);
            assert.equal(user.eventCount, levels.length);
          });
        }
      }

      for (const mode of ['one call', 'one call per event'] as const) {
        it(`out-of-order timestamps keep lastEvent at the newest timestamp (${mode})`, async () => {
          const events = [
            aRiskEvent({ timestamp: t(2) }),
            aRiskEvent({ timestamp: t(5) }),
            aRiskEvent({ timestamp: t(1) }),
          ];
          if (mode === 'one call') await store.recordRiskEvents(ACCOUNT, events, NOW);
          else await recordEach(ACCOUNT, events);
          const user = await userRisk(ACCOUNT, USER_A);
          assert.equal(user.lastEvent, t(5));
          assert.equal(user.eventCount, 3);
        });
      }

      it('a duplicate dedupeKey within one call is skipped and not counted', async () => {
        const first = aRiskEvent({ dedupeKey: 'same', timestamp: t(1) });
        const duplicate = aRiskEvent({ dedupeKey: 'same', timestamp: t(2), level: 'high' });
        const result = await store.recordRiskEvents(ACCOUNT, [first, duplicate], NOW);
        assert.deepEqual(
          result.recorded.map((e) => e.id),
          [first.id],
        );
        const user = await userRisk(ACCOUNT, USER_A);
        assert.equal(user.eventCount, 1);
        assert.equal(user.riskLevel, 'low');
        assert.equal(user.lastEvent, t(1));
      });

      it('a dedupeKey already recorded in an earlier call is skipped, not counted, and changes nothing', async () => {
        await store.recordRiskEvents(ACCOUNT, [aRiskEvent({ dedupeKey: 'same', timestamp: t(1) })], NOW);
        const again = await store.recordRiskEvents(
          ACCOUNT,
          [aRiskEvent({ dedupeKey: 'same', timestamp: t(9), level: 'high' })],
          NOW,
        );
        assert.deepEqual(again, { recorded: [], changes: [] });
        const user = await userRisk(ACCOUNT, USER_A);
        assert.equal(user.eventCount, 1);
        assert.equal(user.riskLevel, 'low');
        assert.equal((await store.listUserRiskEvents(ACCOUNT, USER_A, undefined, ALL)).totalCount, 1);
      });

      it('a skipped duplicate does not make its user known', async () => {
        await store.recordRiskEvents(ACCOUNT, [aRiskEvent({ userId: USER_A, dedupeKey: 'same' })], NOW);
        const result = await store.recordRiskEvents(
          ACCOUNT,
          [aRiskEvent({ userId: USER_B, dedupeKey: 'same' })],
          NOW,
        );
        assert.deepEqual(result, { recorded: [], changes: [] });
        assert.equal(await store.getUserRisk(ACCOUNT, USER_B), undefined);
      });

      it('recorded lists only the new events, in input order', async () => {
        await store.recordRiskEvents(ACCOUNT, [aRiskEvent({ dedupeKey: 'old' })], NOW);
        const a = aRiskEvent({ timestamp: t(5) });
        const b = aRiskEvent({ timestamp: t(1) });
        const result = await store.recordRiskEvents(ACCOUNT, [a, aRiskEvent({ dedupeKey: 'old' }), b], NOW);
        assert.deepEqual(
          result.recorded.map((e) => e.id),
          [a.id, b.id],
        );
      });

      it('the same dedupeKey in another account is recorded', async () => {
        await store.recordRiskEvents(ACCOUNT, [aRiskEvent({ dedupeKey: 'same' })], NOW);
        const result = await store.recordRiskEvents(OTHER_ACCOUNT, [aRiskEvent({ dedupeKey: 'same' })], NOW);
        assert.equal(result.recorded.length, 1);
        assert.equal((await userRisk(OTHER_ACCOUNT, USER_A)).eventCount, 1);
      });

      it('email and name keep the latest known value; empty or absent values do not erase them', async () => {
        const steps: { email?: string; name?: string; expected: { email: string; name: string } }[] = [
          { email: 'old@example.com', name: 'Old', expected: { email: 'old@example.com', name: 'Old' } },
          { email: 'new@example.com', name: '', expected: { email: 'new@example.com', name: 'Old' } },
          { email: '', name: 'New', expected: { email: 'new@example.com', name: 'New' } },
          { expected: { email: 'new@example.com', name: 'New' } },
        ];
        for (const [i, step] of steps.entries()) {
          const event = aRiskEvent({ timestamp: t(i), email: step.email, name: step.name });
          await store.recordRiskEvents(ACCOUNT, [event], NOW);
          const user = await userRisk(ACCOUNT, USER_A);
          assert.deepEqual({ email: user.email, name: user.name }, step.expected, `after step ${i}`);
        }
      });

      const changeCases: {
        first: RiskLevel;
        second: RiskLevel;
        change: { previous: RiskLevel; current: RiskLevel } | undefined;
      }[] = [
        { first: 'low', second: 'high', change: { previous: 'low', current: 'high' } },
        { first: 'low', second: 'medium', change: { previous: 'low', current: 'medium' } },
        { first: 'high', second: 'high', change: undefined },
        { first: 'high', second: 'low', change: undefined },
        { first: 'medium', second: 'medium', change: undefined },
      ];
      for (const { first, second, change } of changeCases) {
        it(`changes: ${first} then ${second} ${change ? `is a change ${first}→${second}` : 'is no change'}`, async () => {
          await store.recordRiskEvents(ACCOUNT, [aRiskEvent({ level: first, timestamp: t(1) })], t(100));
          const result = await store.recordRiskEvents(
            ACCOUNT,
            [aRiskEvent({ level: second, timestamp: t(2), email: 'a@example.com' })],
            t(200),
          );
          assert.deepEqual(
            result.changes.map(withoutTxn),
            change
              ? [
                  {
                    accountId: ACCOUNT,
                    userId: USER_A,
                    email: 'a@example.com',
                    ...change,
                    at: t(200),
                    cause: 'detection',
                    behavior: 'imp_travel',
                  },
                ]
              : [],
          );
        });
      }

      it('changes has one entry per user, in first-seen order, from the level before the call', async () => {
        const result = await store.recordRiskEvents(
          ACCOUNT,
          [
            aRiskEvent({ userId: USER_B, level: 'low' }),
            aRiskEvent({ userId: USER_A, level: 'medium' }),
            aRiskEvent({ userId: USER_B, level: 'high' }),
          ],
          NOW,
        );
        assert.deepEqual(
          result.changes.map((c) => [c.userId, c.previous, c.current]),
          [
            [USER_B, undefined, 'high'],
            [USER_A, undefined, 'medium'],
          ],
        );
      });

      it('the same user id in two accounts is scored independently', async () => {
        await store.recordRiskEvents(
          ACCOUNT,
          [aRiskEvent({ level: 'high', timestamp: t(5), email: 'x@a.example' })],
          NOW,
        );
        await store.recordRiskEvents(
          OTHER_ACCOUNT,
          [aRiskEvent({ level: 'low', timestamp: t(1) }), aRiskEvent({ level: 'low', timestamp: t(2) })],
          NOW,
        );
        const mine = await userRisk(ACCOUNT, USER_A);
        const theirs = await userRisk(OTHER_ACCOUNT, USER_A);
        assert.deepEqual(
          [mine.riskLevel, mine.eventCount, mine.lastEvent, mine.email],
          ['high', 1, t(5), 'x@a.example'],
        );
        assert.deepEqual(
          [theirs.riskLevel, theirs.eventCount, theirs.lastEvent, theirs.email],
          ['low', 2, t(2), ''],
        );
        assert.equal((await store.listUserRiskEvents(OTHER_ACCOUNT, USER_A, undefined, ALL)).totalCount, 2);
      });

      it('events dated at or before the last reset are stored but not counted', async () => {
        await store.recordRiskEvents(ACCOUNT, [aRiskEvent({ timestamp: t(1) })], t(5));
        await store.resetUser(ACCOUNT, USER_A, anAudit({ at: t(10) }));
        const result = await store.recordRiskEvents(
          ACCOUNT,
          [aRiskEvent({ level: 'high', timestamp: t(10) }), aRiskEvent({ level: 'high', timestamp: t(4) })],
          t(11),
        );
        assert.equal(result.recorded.length, 2);
        assert.deepEqual(result.changes, []);
        const user = await userRisk(ACCOUNT, USER_A);
        assert.deepEqual([user.riskLevel, user.eventCount, user.lastEvent], [undefined, 0, undefined]);
        assert.equal((await store.listUserRiskEvents(ACCOUNT, USER_A, undefined, ALL)).totalCount, 3);
        assert.equal((await store.listUserRiskEvents(ACCOUNT, USER_A, t(10), ALL)).totalCount, 0);
      });

      it('a recorded event reads back with every field as written', async () => {
        const event = aRiskEvent({
          behavior: 'high_dlp',
          behaviorName: 'High Number of DLP Policies Triggered',
          level: 'high',
          timestamp: '2025-03-04T05:06:07.000Z',
          details: {
            behavior: 'high_dlp',
            count: 12,
            ratio: 0.5,
            flags: [true, false, null],
            nested: { a: 'ü€' },
          },
        });
        await store.recordRiskEvents(ACCOUNT, [event], '2025-03-04T05:06:08.009Z');
        const listed = only((await store.listUserRiskEvents(ACCOUNT, USER_A, undefined, ALL)).items);
        assert.deepEqual(listed, {
          id: event.id,
          accountId: ACCOUNT,
          userId: USER_A,
          behavior: 'high_dlp',
          name: 'High Number of DLP Policies Triggered',
          riskLevel: 'high',
          timestamp: '2025-03-04T05:06:07.000Z',
          details: event.details,
          createdAt: '2025-03-04T05:06:08.009Z',
        });
      });
    });

    describe('listUserRiskEvents', () => {
      it('since keeps only events strictly after it; undefined keeps all', async () => {
        const events = [1, 2, 3].map((m) => aRiskEvent({ timestamp: t(m) }));
        await store.recordRiskEvents(ACCOUNT, events, NOW);
        const cases: { since: string | undefined; expected: string[] }[] = [
          { since: undefined, expected: [t(3), t(2), t(1)] },
          { since: t(0), expected: [t(3), t(2), t(1)] },
          { since: t(2), expected: [t(3)] },
          { since: t(3), expected: [] },
        ];
        for (const { since, expected } of cases) {
          const page = await store.listUserRiskEvents(ACCOUNT, USER_A, since, ALL);
          assert.deepEqual(
            page.items.map((e) => e.timestamp),
            expected,
            `since ${since}`,
          );
          assert.equal(page.totalCount, expected.length);
        }
      });

      it('lists newest first, ties by id ascending', async () => {
        const events = [
          aRiskEvent({ id: orderedId(2), timestamp: t(1) }),
          aRiskEvent({ id: orderedId(3), timestamp: t(1) }),
          aRiskEvent({ id: orderedId(9), timestamp: t(0) }),
          aRiskEvent({ id: orderedId(1), timestamp: t(1) }),
          aRiskEvent({ id: orderedId(5), timestamp: t(2) }),
        ];
        await recordEach(ACCOUNT, events);
        const page = await store.listUserRiskEvents(ACCOUNT, USER_A, undefined, ALL);
        assert.deepEqual(
          page.items.map((e) => e.id),
          [orderedId(5), orderedId(1), orderedId(2), orderedId(3), orderedId(9)],
        );
      });

      it("lists only that user's events in that account", async () => {
        await store.recordRiskEvents(
          ACCOUNT,
          [aRiskEvent({ userId: USER_A }), aRiskEvent({ userId: USER_B })],
          NOW,
        );
        await store.recordRiskEvents(OTHER_ACCOUNT, [aRiskEvent({ userId: USER_A })], NOW);
        const page = await store.listUserRiskEvents(ACCOUNT, USER_A, undefined, ALL);
        assert.equal(page.totalCount, 1);
        assert.equal(only(page.items).userId, USER_A);
        assert.deepEqual(await store.listUserRiskEvents(ACCOUNT, USER_C, undefined, ALL), {
          items: [],
          totalCount: 0,
        });
      });

      it('pages with page/perPage and reports the total; a page past the end is empty', async () => {
        const events = [1, 2, 3, 4, 5].map((m) => aRiskEvent({ timestamp: t(m) }));
        await store.recordRiskEvents(ACCOUNT, events, NOW);
        const cases: { page: number; expected: string[] }[] = [
          { page: 1, expected: [t(5), t(4)] },
          { page: 2, expected: [t(3), t(2)] },
          { page: 3, expected: [t(1)] },
          { page: 4, expected: [] },
        ];
        for (const { page, expected } of cases) {
          const result = await store.listUserRiskEvents(ACCOUNT, USER_A, undefined, { page, perPage: 2 });
          assert.deepEqual(
            result.items.map((e) => e.timestamp),
            expected,
            `page ${page}`,
          );
          assert.equal(result.totalCount, 5);
        }
      });
    });

    describe('resetUser', () => {
      it('writes issued together (resets, risk events, behavior updates) each take effect and are audited once', async () => {
        const users = [USER_A, USER_B, USER_C];
        await store.recordRiskEvents(
          ACCOUNT,
          users.map((userId) => aRiskEvent({ userId, level: 'high', timestamp: t(1) })),
          NOW,
        );
        const [resetA, resetB, unknown, recorded, , resetC] = await Promise.all([
          store.resetUser(ACCOUNT, USER_A, anAudit({ at: t(5), reason: 'a' })),
          store.resetUser(ACCOUNT, USER_B, anAudit({ at: t(5), reason: 'b' })),
          store.resetUser(ACCOUNT, '00000000-0000-4000-8000-0000000000ff', anAudit({ at: t(5) })),
          store.recordRiskEvents(
            ACCOUNT,
            [aRiskEvent({ userId: USER_D, level: 'medium', timestamp: t(6) })],
            NOW,
          ),
          store.putBehaviorSettings(
            ACCOUNT,
            [{ key: 'imp_travel', enabled: true, riskLevel: 'low' }],
            anAudit(),
          ),
          store.resetUser(ACCOUNT, USER_C, anAudit({ at: t(5), reason: 'c' })),
        ]);
        for (const reset of [resetA, resetB, resetC]) {
          assert.equal(reset?.before.riskLevel, 'high');
          assert.equal(reset?.after.eventCount, 0);
        }
        assert.equal(unknown, undefined);
        assert.equal(recorded.recorded.length, 1);
        for (const userId of users) assert.equal((await userRisk(ACCOUNT, userId)).eventCount, 0);
        assert.equal((await userRisk(ACCOUNT, USER_D)).riskLevel, 'medium');
        assert.deepEqual((await auditOf(ACCOUNT, 'user.reset')).map((e) => e.reason).sort(), ['a', 'b', 'c']);
        assert.equal((await auditOf(ACCOUNT, 'behaviors.update')).length, 1);
      });

      it('resolves undefined for an unknown user, also when the user exists in another account', async () => {
        await store.recordRiskEvents(OTHER_ACCOUNT, [aRiskEvent()], NOW);
        assert.equal(await store.resetUser(ACCOUNT, USER_A, anAudit()), undefined);
        assert.deepEqual(await auditOf(ACCOUNT, 'user.reset'), []);
      });

      it('sets lastResetTime to the audit time, clears level, count and last event, and reports the drop', async () => {
        await store.recordRiskEvents(
          ACCOUNT,
          [
            aRiskEvent({ level: 'high', timestamp: t(1), email: 'a@example.com', name: 'A' }),
            aRiskEvent({ timestamp: t(2) }),
          ],
          NOW,
        );
        const before = await userRisk(ACCOUNT, USER_A);
        const result = await store.resetUser(ACCOUNT, USER_A, anAudit({ at: t(50) }));
        const after: UserRisk = {
          ...before,
          riskLevel: undefined,
          eventCount: 0,
          lastEvent: undefined,
          lastResetTime: t(50),
        };
        assert.deepEqual(
          { ...result, change: result?.change && withoutTxn(result.change) },
          {
            before,
            after,
            change: {
              accountId: ACCOUNT,
              userId: USER_A,
              email: 'a@example.com',
              previous: 'high',
              current: undefined,
              at: t(50),
              cause: 'reset',
            },
          },
        );
        assert.deepEqual(await store.getUserRisk(ACCOUNT, USER_A), after);
      });

      it('resetting an unscored user moves lastResetTime and reports no change', async () => {
        await store.recordRiskEvents(ACCOUNT, [aRiskEvent({ timestamp: t(1) })], NOW);
        await store.resetUser(ACCOUNT, USER_A, anAudit({ at: t(50) }));
        const again = await store.resetUser(ACCOUNT, USER_A, anAudit({ at: t(60) }));
        assert.ok(again);
        assert.equal(again.change, undefined);
        assert.equal(again.before.lastResetTime, t(50));
        assert.equal(again.after.lastResetTime, t(60));
        assert.equal((await userRisk(ACCOUNT, USER_A)).lastResetTime, t(60));
      });

      it('is audited as user.reset with actor, reason and before/after', async () => {
        await store.recordRiskEvents(ACCOUNT, [aRiskEvent({ level: 'medium', timestamp: t(1) })], NOW);
        await store.resetUser(
          ACCOUNT,
          USER_A,
          anAudit({ actor: 'token:ops', at: t(50), reason: 'false positive' }),
        );
        const entry = only(await auditOf(ACCOUNT, 'user.reset'));
        assert.equal(entry.actor, 'token:ops');
        assert.equal(entry.at, t(50));
        assert.equal(entry.reason, 'false positive');
        assert.equal(entry.targetType, 'user');
        assert.equal(entry.targetId, USER_A);
        assert.deepEqual(entry.before, {
          risk_level: 'medium',
          event_count: 1,
          last_event: t(1),
          last_reset_time: null,
        });
        assert.deepEqual(entry.after, {
          risk_level: null,
          event_count: 0,
          last_event: null,
          last_reset_time: t(50),
        });
      });

      it('deletes no risk event', async () => {
        await store.recordRiskEvents(
          ACCOUNT,
          [aRiskEvent({ timestamp: t(1) }), aRiskEvent({ timestamp: t(2) })],
          NOW,
        );
        await store.resetUser(ACCOUNT, USER_A, anAudit({ at: t(50) }));
        assert.equal((await store.listUserRiskEvents(ACCOUNT, USER_A, undefined, ALL)).totalCount, 2);
        assert.equal((await store.listUserRiskEvents(ACCOUNT, USER_A, t(50), ALL)).totalCount, 0);
      });

      it('risk events dated after the reset instant keep counting (same level: no change)', async () => {
        await store.recordRiskEvents(
          ACCOUNT,
          [aRiskEvent({ level: 'low', timestamp: t(1) }), aRiskEvent({ level: 'medium', timestamp: t(100) })],
          NOW,
        );
        const result = await store.resetUser(ACCOUNT, USER_A, anAudit({ at: t(50) }));
        assert.ok(result);
        assert.deepEqual(
          [
            result.after.riskLevel,
            result.after.eventCount,
            result.after.lastEvent,
            result.after.lastResetTime,
          ],
          ['medium', 1, t(100), t(50)],
        );
        assert.equal(result.change, undefined);
      });

      it('risk events dated after the reset instant keep counting (lower level: a change to it)', async () => {
        await store.recordRiskEvents(
          ACCOUNT,
          [
            aRiskEvent({ level: 'high', timestamp: t(1) }),
            aRiskEvent({ level: 'low', timestamp: t(100) }),
            aRiskEvent({ level: 'low', timestamp: t(90) }),
          ],
          NOW,
        );
        const result = await store.resetUser(ACCOUNT, USER_A, anAudit({ at: t(50) }));
        assert.ok(result);
        assert.deepEqual(
          [result.after.riskLevel, result.after.eventCount, result.after.lastEvent],
          ['low', 2, t(100)],
        );
        assert.deepEqual([result.change?.previous, result.change?.current], ['high', 'low']);
      });

      it('new events after the reset count again, from an unscored user', async () => {
        await store.recordRiskEvents(ACCOUNT, [aRiskEvent({ level: 'high', timestamp: t(1) })], NOW);
        await store.resetUser(ACCOUNT, USER_A, anAudit({ at: t(50) }));
        const result = await store.recordRiskEvents(
          ACCOUNT,
          [aRiskEvent({ level: 'low', timestamp: t(51) })],
          t(52),
        );
        assert.deepEqual(
          result.changes.map((c) => [c.previous, c.current]),
          [[undefined, 'low']],
        );
        const user = await userRisk(ACCOUNT, USER_A);
        assert.deepEqual(
          [user.riskLevel, user.eventCount, user.lastEvent, user.lastResetTime],
          ['low', 1, t(51), t(50)],
        );
      });

      it('does not touch the same user id in another account', async () => {
        await store.recordRiskEvents(ACCOUNT, [aRiskEvent({ level: 'high' })], NOW);
        await store.recordRiskEvents(OTHER_ACCOUNT, [aRiskEvent({ level: 'high' })], NOW);
        await store.resetUser(ACCOUNT, USER_A, anAudit({ at: t(50) }));
        const theirs = await userRisk(OTHER_ACCOUNT, USER_A);
        assert.deepEqual([theirs.riskLevel, theirs.eventCount, theirs.lastResetTime], ['high', 1, undefined]);
      });
    });

    describe('listUserSummaries', () => {
      /**
       * A: low, 1 event, last t(3) · B: high, 3 events, last t(1) · C: medium, 2 events, last t(2) ·
       * D: high, 1 event, last t(3) · E: reset (unscored) · A in another account.
       * Ties: A/D on last event and count, B/D on level.
       */
      async function seed(): Promise<void> {
        const USER_E = orderedId(0xe);
        await store.recordRiskEvents(
          ACCOUNT,
          [
            aRiskEvent({ userId: USER_A, level: 'low', timestamp: t(3) }),
            aRiskEvent({ userId: USER_B, level: 'low', timestamp: t(0) }),
            aRiskEvent({ userId: USER_B, level: 'high', timestamp: t(1) }),
            aRiskEvent({ userId: USER_B, level: 'medium', timestamp: t(-5) }),
            aRiskEvent({ userId: USER_C, level: 'medium', timestamp: t(2) }),
            aRiskEvent({ userId: USER_C, level: 'low', timestamp: t(1) }),
            aRiskEvent({ userId: USER_D, level: 'high', timestamp: t(3) }),
            aRiskEvent({ userId: USER_E, level: 'high', timestamp: t(4) }),
          ],
          NOW,
        );
        await store.resetUser(ACCOUNT, USER_E, anAudit({ at: t(500) }));
        await store.recordRiskEvents(
          OTHER_ACCOUNT,
          [aRiskEvent({ userId: USER_A, level: 'high', timestamp: t(9) })],
          NOW,
        );
      }

      async function summaryIds(query: Partial<SummaryQuery>): Promise<string[]> {
        return (await store.listUserSummaries(ACCOUNT, aSummaryQuery(query))).items.map((u) => u.userId);
      }

      it('lists exactly the users with events since their last reset, as full user risk states', async () => {
        await seed();
        const page = await store.listUserSummaries(ACCOUNT, aSummaryQuery({ orderBy: 'event_count' }));
        assert.equal(page.totalCount, 4);
        assert.deepEqual(page.items[0], {
          accountId: ACCOUNT,
          userId: USER_B,
          email: '',
          name: '',
          riskLevel: 'high',
          eventCount: 3,
          lastEvent: t(1),
          lastResetTime: undefined,
        });
      });

      it('an account without scored users has an empty summary', async () => {
        await seed();
        assert.deepEqual(await store.listUserSummaries('0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c', aSummaryQuery()), {
          items: [],
          totalCount: 0,
        });
      });

      const orderCases: { orderBy: SummaryOrder; direction: 'asc' | 'desc'; expected: string[] }[] = [
        { orderBy: 'last_event', direction: 'desc', expected: [USER_A, USER_D, USER_C, USER_B] },
        { orderBy: 'last_event', direction: 'asc', expected: [USER_B, USER_C, USER_A, USER_D] },
        { orderBy: 'event_count', direction: 'desc', expected: [USER_B, USER_C, USER_A, USER_D] },
        { orderBy: 'event_count', direction: 'asc', expected: [USER_A, USER_D, USER_C, USER_B] },
        { orderBy: 'max_risk_level', direction: 'desc', expected: [USER_B, USER_D, USER_C, USER_A] },
        { orderBy: 'max_risk_level', direction: 'asc', expected: [USER_A, USER_C, USER_B, USER_D] },
      ];
      for (const { orderBy, direction, expected } of orderCases) {
        it(`orders by ${orderBy} ${direction}, ties by user id ascending`, async () => {
          await seed();
          assert.deepEqual(await summaryIds({ orderBy, direction }), expected);
        });
      }

      const levelCases: { levels: RiskLevel[]; expected: string[] }[] = [
        { levels: [], expected: [USER_B, USER_D, USER_C, USER_A] },
        { levels: ['high'], expected: [USER_B, USER_D] },
        { levels: ['low'], expected: [USER_A] },
        { levels: ['low', 'medium'], expected: [USER_C, USER_A] },
        { levels: ['medium', 'high', 'low'], expected: [USER_B, USER_D, USER_C, USER_A] },
      ];
      for (const { levels, expected } of levelCases) {
        it(`filters by levels [${levels.join(', ')}]`, async () => {
          await seed();
          const page = await store.listUserSummaries(
            ACCOUNT,
            aSummaryQuery({ levels, orderBy: 'max_risk_level', direction: 'desc' }),
          );
          assert.deepEqual(
            page.items.map((u) => u.userId),
            expected,
          );
          assert.equal(page.totalCount, expected.length);
        });
      }

      const pageCases: { query: Partial<SummaryQuery>; expected: string[]; totalCount: number }[] = [
        { query: { page: 1, perPage: 3 }, expected: [USER_A, USER_D, USER_C], totalCount: 4 },
        { query: { page: 2, perPage: 3 }, expected: [USER_B], totalCount: 4 },
        { query: { page: 5, perPage: 3 }, expected: [], totalCount: 4 },
        { query: { page: 2, perPage: 1, levels: ['high'] }, expected: [USER_B], totalCount: 2 },
        { query: { page: 3, perPage: 1, levels: ['high'] }, expected: [], totalCount: 2 },
      ];
      for (const { query, expected, totalCount } of pageCases) {
        it(`pages: ${JSON.stringify(query)} → ${expected.length} item(s) of ${totalCount}`, async () => {
          await seed();
          const page = await store.listUserSummaries(ACCOUNT, aSummaryQuery(query));
          assert.deepEqual(
            page.items.map((u) => u.userId),
            expected,
          );
          assert.equal(page.totalCount, totalCount);
        });
      }

      it('a reset user disappears until a new risk event', async () => {
        await seed();
        await store.resetUser(ACCOUNT, USER_B, anAudit({ at: t(500) }));
        assert.deepEqual(await summaryIds({}), [USER_A, USER_D, USER_C]);
        await store.recordRiskEvents(
          ACCOUNT,
          [aRiskEvent({ userId: USER_B, level: 'low', timestamp: t(501) })],
          NOW,
        );
        const page = await store.listUserSummaries(ACCOUNT, aSummaryQuery());
        assert.deepEqual(
          page.items.map((u) => [u.userId, u.riskLevel, u.eventCount]),
          [
            [USER_B, 'low', 1],
            [USER_A, 'low', 1],
            [USER_D, 'high', 1],
            [USER_C, 'medium', 2],
          ],
        );
      });
    });

    describe('integrations', () => {
      it('create then get returns the integration exactly as written', async () => {
        const integration = anIntegration({ createdAt: t(1), updatedAt: t(1) });
        await store.createIntegration(integration, anAudit());
        assert.deepEqual(await store.getIntegration(ACCOUNT, integration.id), integration);
        const inactive = anIntegration({ active: false });
        await store.createIntegration(inactive, anAudit());
        assert.equal((await store.getIntegration(ACCOUNT, inactive.id))?.active, false);
      });

      it('get resolves undefined for an unknown id', async () => {
        assert.equal(await store.getIntegration(ACCOUNT, randomUUID()), undefined);
      });

      it('lists by created_at ascending, then id', async () => {
        const late = anIntegration({ id: orderedId(1), createdAt: t(2) });
        const earlyB = anIntegration({ id: orderedId(3), createdAt: t(1) });
        const earlyA = anIntegration({ id: orderedId(2), createdAt: t(1) });
        for (const i of [late, earlyB, earlyA]) await store.createIntegration(i, anAudit());
        assert.deepEqual(await store.listIntegrations(ACCOUNT), [earlyA, earlyB, late]);
      });

      it('findIntegrationByReference picks the newest created_at, then the highest id', async () => {
        const old = anIntegration({ id: orderedId(9), referenceId: 'ref', createdAt: t(1) });
        const newA = anIntegration({ id: orderedId(2), referenceId: 'ref', createdAt: t(2) });
        const newB = anIntegration({ id: orderedId(3), referenceId: 'ref', createdAt: t(2) });
        const unrelated = anIntegration({ referenceId: 'other', createdAt: t(3) });
        for (const i of [old, newB, newA, unrelated]) await store.createIntegration(i, anAudit());
        assert.deepEqual(await store.findIntegrationByReference(ACCOUNT, 'ref'), newB);
        assert.equal(await store.findIntegrationByReference(ACCOUNT, 'missing'), undefined);
      });

      const patchCases: {
        title: string;
        active?: boolean;
        patch: { tenantUrl: string; active?: boolean; referenceId?: string };
        expected: Partial<Integration>;
      }[] = [
        {
          title: 'tenantUrl only: active and referenceId unchanged',
          patch: { tenantUrl: 'https://new.okta.com' },
          expected: { tenantUrl: 'https://new.okta.com' },
        },
        {
          title: 'tenantUrl only on an inactive integration: it stays inactive',
          active: false,
          patch: { tenantUrl: 'https://new.okta.com' },
          expected: { tenantUrl: 'https://new.okta.com' },
        },
        {
          title: 'active true reactivates',
          active: false,
          patch: { tenantUrl: 'https://example.okta.com', active: true },
          expected: { active: true },
        },
        {
          title: 'active false',
          patch: { tenantUrl: 'https://example.okta.com', active: false },
          expected: { active: false },
        },
        {
          title: 'a new referenceId',
          patch: { tenantUrl: 'https://example.okta.com', referenceId: 'new-ref' },
          expected: { referenceId: 'new-ref' },
        },
        {
          title: 'everything',
          patch: { tenantUrl: 'https://x.okta.com', active: false, referenceId: 'x' },
          expected: { tenantUrl: 'https://x.okta.com', active: false, referenceId: 'x' },
        },
      ];
      for (const { title, active = true, patch, expected } of patchCases) {
        it(`update applies a patch (${title}), sets updatedAt and keeps id and createdAt`, async () => {
          const original = anIntegration({ referenceId: 'ref', active, createdAt: t(1), updatedAt: t(1) });
          await store.createIntegration(original, anAudit());
          const updated = await store.updateIntegration(ACCOUNT, original.id, patch, anAudit({ at: t(9) }));
          const want: Integration = { ...original, ...expected, updatedAt: t(9) };
          assert.deepEqual(updated, want);
          assert.deepEqual(await store.getIntegration(ACCOUNT, original.id), want);
          assert.deepEqual(await store.findIntegrationByReference(ACCOUNT, want.referenceId), want);
        });
      }

      it('update resolves undefined for an unknown integration', async () => {
        const result = await store.updateIntegration(
          ACCOUNT,
          randomUUID(),
          { tenantUrl: 'https://x.okta.com' },
          anAudit(),
        );
        assert.equal(result, undefined);
        assert.deepEqual(await auditOf(ACCOUNT, 'integration.update'), []);
      });

      it('delete resolves true; afterwards get is undefined and a second delete is false', async () => {
        const keep = anIntegration();
        const gone = anIntegration();
        await store.createIntegration(keep, anAudit());
        await store.createIntegration(gone, anAudit());
        assert.equal(await store.deleteIntegration(ACCOUNT, gone.id, anAudit()), true);
        assert.equal(await store.getIntegration(ACCOUNT, gone.id), undefined);
        assert.equal(await store.findIntegrationByReference(ACCOUNT, gone.referenceId), undefined);
        assert.deepEqual(await store.listIntegrations(ACCOUNT), [keep]);
        assert.equal(await store.deleteIntegration(ACCOUNT, gone.id, anAudit()), false);
      });

      it("another account can neither see nor change an account's integrations", async () => {
        const integration = anIntegration({ referenceId: 'ref' });
        await store.createIntegration(integration, anAudit());
        assert.equal(await store.getIntegration(OTHER_ACCOUNT, integration.id), undefined);
        assert.deepEqual(await store.listIntegrations(OTHER_ACCOUNT), []);
        assert.equal(await store.findIntegrationByReference(OTHER_ACCOUNT, 'ref'), undefined);
        const patch = { tenantUrl: 'https://evil.example', active: false };
        assert.equal(
          await store.updateIntegration(OTHER_ACCOUNT, integration.id, patch, anAudit()),
          undefined,
        );
        assert.equal(await store.deleteIntegration(OTHER_ACCOUNT, integration.id, anAudit()), false);
        assert.deepEqual(await store.getIntegration(ACCOUNT, integration.id), integration);
        assert.deepEqual((await store.listAudit(OTHER_ACCOUNT, ALL)).totalCount, 0);
      });

      it('create, update and delete are each audited with before and after', async () => {
        const integration = anIntegration({ referenceId: 'ref', tenantUrl: 'https://a.okta.com' });
        const snapshot = {
          integration_type: 'Okta',
          reference_id: 'ref',
          tenant_url: 'https://a.okta.com',
          active: true,
        };
        await store.createIntegration(integration, anAudit({ actor: 'token:a', at: t(1) }));
        await store.updateIntegration(
          ACCOUNT,
          integration.id,
          { tenantUrl: 'https://b.okta.com', active: false },
          anAudit({ actor: 'token:b', at: t(2) }),
        );
        await store.deleteIntegration(
          ACCOUNT,
          integration.id,
          anAudit({ actor: 'token:c', at: t(3), reason: 'bye' }),
        );
        const entries = (await store.listAudit(ACCOUNT, ALL)).items;
        const updatedSnapshot = { ...snapshot, tenant_url: 'https://b.okta.com', active: false };
        assert.deepEqual(
          entries.map((e) => ({
            action: e.action,
            actor: e.actor,
            at: e.at,
            targetType: e.targetType,
            targetId: e.targetId,
            before: e.before,
            after: e.after,
            reason: e.reason,
          })),
          [
            {
              action: 'integration.delete',
              actor: 'token:c',
              at: t(3),
              targetType: 'integration',
              targetId: integration.id,
              before: updatedSnapshot,
              after: null,
              reason: 'bye',
            },
            {
              action: 'integration.update',
              actor: 'token:b',
              at: t(2),
              targetType: 'integration',
              targetId: integration.id,
              before: snapshot,
              after: updatedSnapshot,
              reason: undefined,
            },
            {
              action: 'integration.create',
              actor: 'token:a',
              at: t(1),
              targetType: 'integration',
              targetId: integration.id,
              before: null,
              after: snapshot,
              reason: undefined,
            },
          ],
        );
      });
    });

    describe('listAudit', () => {
      /** Writes one `behaviors.update` entry per call and returns nothing; the `at`s are chosen by the test. */
      async function audited(meta: AuditMeta, accountId = ACCOUNT): Promise<void> {
        await store.putBehaviorSettings(
          accountId,
          [{ key: 'imp_travel', enabled: true, riskLevel: 'high' }],
          meta,
        );
      }

      it('lists newest first; entries with the same time newest-written first', async () => {
        await audited(anAudit({ at: t(3), reason: 'first written' }));
        await audited(anAudit({ at: t(1), reason: 'oldest' }));
        await audited(anAudit({ at: t(3), reason: 'last written' }));
        await audited(anAudit({ at: t(2), reason: 'middle' }));
        const page = await store.listAudit(ACCOUNT, ALL);
        assert.deepEqual(
          page.items.map((e) => e.reason),
          ['last written', 'first written', 'middle', 'oldest'],
        );
        assert.equal(page.totalCount, 4);
      });

      it('entries have distinct ids and belong to their account', async () => {
        await audited(anAudit());
        await audited(anAudit());
        await audited(anAudit(), OTHER_ACCOUNT);
        const page = await store.listAudit(ACCOUNT, ALL);
        assert.equal(page.totalCount, 2);
        const ids = page.items.map((e) => e.id);
        assert.equal(new Set(ids).size, 2);
        for (const e of page.items) {
          assert.equal(typeof e.id, 'string');
          assert.ok(e.id.length > 0);
          assert.equal(e.accountId, ACCOUNT);
        }
      });

      it('filters by actor, by action and by both, with the total after filters', async () => {
        await audited(anAudit({ actor: 'token:a', at: t(1) }));
        await audited(anAudit({ actor: 'token:b', at: t(2) }));
        await store.createIntegration(anIntegration(), anAudit({ actor: 'token:a', at: t(3) }));
        await store.createIntegration(anIntegration(), anAudit({ actor: 'cli', at: t(4) }));
        const cases: { filter: { actor?: string; action?: string }; expected: [string, string][] }[] = [
          {
            filter: { actor: 'token:a' },
            expected: [
              ['token:a', 'integration.create'],
              ['token:a', 'behaviors.update'],
            ],
          },
          {
            filter: { action: 'integration.create' },
            expected: [
              ['cli', 'integration.create'],
              ['token:a', 'integration.create'],
            ],
          },
          {
            filter: { actor: 'token:b', action: 'behaviors.update' },
            expected: [['token:b', 'behaviors.update']],
          },
          { filter: { actor: 'token:b', action: 'integration.create' }, expected: [] },
          { filter: { actor: 'nobody' }, expected: [] },
        ];
        for (const { filter, expected } of cases) {
          const page = await store.listAudit(ACCOUNT, { ...ALL, ...filter });
          assert.deepEqual(
            page.items.map((e) => [e.actor, e.action]),
            expected,
            JSON.stringify(filter),
          );
          assert.equal(page.totalCount, expected.length, JSON.stringify(filter));
        }
      });

      it('pages with page/perPage and reports the total; a page past the end is empty', async () => {
        for (let i = 1; i <= 5; i++) await audited(anAudit({ at: t(i), reason: `r${i}` }));
        const cases: { page: number; expected: string[] }[] = [
          { page: 1, expected: ['r5', 'r4'] },
          { page: 2, expected: ['r3', 'r2'] },
          { page: 3, expected: ['r1'] },
          { page: 4, expected: [] },
        ];
        for (const { page, expected } of cases) {
          const result = await store.listAudit(ACCOUNT, { page, perPage: 2 });
          assert.deepEqual(
            result.items.map((e) => e.reason),
            expected,
          );
          assert.equal(result.totalCount, 5);
        }
      });
    });

    describe('dashboard queries', () => {
      describe('listUserSummaries filters', () => {
        it('behavior keeps users with a risk event of that behavior since their last reset', async () => {
          await recordEach(ACCOUNT, [
            aRiskEvent({ userId: USER_A, behavior: 'imp_travel', timestamp: t(1) }),
            aRiskEvent({ userId: USER_B, behavior: 'high_dlp', timestamp: t(2) }),
            aRiskEvent({ userId: USER_C, behavior: 'imp_travel', timestamp: t(3) }),
            aRiskEvent({ userId: USER_C, behavior: 'high_dlp', timestamp: t(4) }),
          ]);
          const travel = await store.listUserSummaries(ACCOUNT, aSummaryQuery({ behavior: 'imp_travel' }));
          assert.deepEqual(
            travel.items.map((u) => u.userId),
            [USER_C, USER_A],
          );
          assert.equal(travel.totalCount, 2);
          await store.resetUser(ACCOUNT, USER_C, anAudit({ at: t(5) }));
          await store.recordRiskEvents(
            ACCOUNT,
            [aRiskEvent({ userId: USER_C, behavior: 'high_dlp', timestamp: t(6) })],
            NOW,
          );
          const after = await store.listUserSummaries(ACCOUNT, aSummaryQuery({ behavior: 'imp_travel' }));
          assert.deepEqual(
            after.items.map((u) => u.userId),
            [USER_A],
          );
          const dlp = await store.listUserSummaries(ACCOUNT, aSummaryQuery({ behavior: 'high_dlp' }));
          assert.deepEqual(
            dlp.items.map((u) => u.userId),
            [USER_C, USER_B],
          );
          const none = await store.listUserSummaries(ACCOUNT, aSummaryQuery({ behavior: 'sentinel_one' }));
          assert.deepEqual(none, { items: [], totalCount: 0 });
        });

        it('search matches email or name, case-insensitively, with % and _ taken literally', async () => {
          await recordEach(ACCOUNT, [
            aRiskEvent({
              userId: USER_A,
              email: 'alice@acme.example',
              name: 'Alice Liddell',
              timestamp: t(1),
            }),
            aRiskEvent({
              userId: USER_B,
              email: 'bob@acme.example',
              name: 'Bob 100% Builder',
              timestamp: t(2),
            }),
            aRiskEvent({ userId: USER_C, email: 'carol_x@other.example', name: 'Carol', timestamp: t(3) }),
            aRiskEvent({
              userId: USER_D,
              email: 'dave@other.example',
              name: 'Dave',
              level: 'high',
              timestamp: t(4),
            }),
          ]);
          const cases: { search: string; expected: string[] }[] = [
            { search: 'ACME', expected: [USER_B, USER_A] },
            { search: 'liddell', expected: [USER_A] },
            { search: '100%', expected: [USER_B] },
            { search: '%', expected: [USER_B] },
            { search: '_', expected: [USER_C] },
            { search: 'other.example', expected: [USER_D, USER_C] },
            { search: 'nobody', expected: [] },
            { search: '', expected: [USER_D, USER_C, USER_B, USER_A] },
          ];
          for (const { search, expected } of cases) {
            const page = await store.listUserSummaries(ACCOUNT, aSummaryQuery({ search }));
            assert.deepEqual(
              page.items.map((u) => u.userId),
              expected,
              search,
            );
            assert.equal(page.totalCount, expected.length, search);
          }
          const high = await store.listUserSummaries(
            ACCOUNT,
            aSummaryQuery({ search: 'example', levels: ['high'] }),
          );
          assert.deepEqual(
            high.items.map((u) => u.userId),
            [USER_D],
          );
        });

        it('filters page and count together', async () => {
          for (let i = 1; i <= 5; i++) {
            await store.recordRiskEvents(
              ACCOUNT,
              [aRiskEvent({ userId: orderedId(i), email: `u${i}@acme.example`, timestamp: t(i) })],
              NOW,
            );
          }
          const page = await store.listUserSummaries(
            ACCOUNT,
            aSummaryQuery({ search: 'acme', behavior: 'imp_travel', page: 2, perPage: 2 }),
          );
          assert.deepEqual(
            page.items.map((u) => u.userId),
            [orderedId(3), orderedId(2)],
          );
          assert.equal(page.totalCount, 5);
        });
      });

      describe('listUserRiskEventsUntil', () => {
        it('lists events at or before `until`, newest first, only for that user, paged', async () => {
          const [e0, e10, e20] = [
            aRiskEvent({ timestamp: t(0) }),
            aRiskEvent({ timestamp: t(10) }),
            aRiskEvent({ timestamp: t(20) }),
          ];
          await recordEach(ACCOUNT, [e0, e10, e20, aRiskEvent({ userId: USER_B, timestamp: t(5) })]);
          const all = await store.listUserRiskEventsUntil(ACCOUNT, USER_A, t(10), ALL);
          assert.deepEqual(
            all.items.map((e) => e.id),
            [e10.id, e0.id],
          );
          assert.equal(all.totalCount, 2);
          const second = await store.listUserRiskEventsUntil(ACCOUNT, USER_A, t(30), { page: 2, perPage: 2 });
          assert.deepEqual(
            second.items.map((e) => e.id),
            [e0.id],
          );
          assert.equal(second.totalCount, 3);
          assert.deepEqual(await store.listUserRiskEventsUntil(OTHER_ACCOUNT, USER_A, t(30), ALL), {
            items: [],
            totalCount: 0,
          });
        });
      });

      describe('countScoredUsersByLevel', () => {
        it('counts scored users per level, zero when none, and forgets reset users', async () => {
          assert.deepEqual(await store.countScoredUsersByLevel(ACCOUNT), { high: 0, medium: 0, low: 0 });
          await recordEach(ACCOUNT, [
            aRiskEvent({ userId: USER_A, level: 'high' }),
            aRiskEvent({ userId: USER_A, level: 'low' }),
            aRiskEvent({ userId: USER_B, level: 'medium' }),
            aRiskEvent({ userId: USER_C, level: 'medium' }),
          ]);
          await store.recordRiskEvents(OTHER_ACCOUNT, [aRiskEvent({ userId: USER_D, level: 'low' })], NOW);
          assert.deepEqual(await store.countScoredUsersByLevel(ACCOUNT), { high: 1, medium: 2, low: 0 });
          await store.resetUser(ACCOUNT, USER_C, anAudit({ at: t(50) }));
          assert.deepEqual(await store.countScoredUsersByLevel(ACCOUNT), { high: 1, medium: 1, low: 0 });
          assert.deepEqual(await store.countScoredUsersByLevel(OTHER_ACCOUNT), {
            high: 0,
            medium: 0,
            low: 1,
          });
        });
      });

      describe('countRiskEventsByBucket', () => {
        it('counts per bucket and level by event time, start inclusive, end exclusive, resets included', async () => {
          const bucketMs = 10 * 60_000;
          await recordEach(ACCOUNT, [
            aRiskEvent({ timestamp: t(-1), level: 'high' }),
            aRiskEvent({ timestamp: t(0), level: 'low' }),
            aRiskEvent({ timestamp: t(5), level: 'high' }),
            aRiskEvent({ timestamp: formatTimestamp(BASE_MS + bucketMs - 1), level: 'high' }),
            aRiskEvent({ timestamp: t(10), level: 'high' }),
            aRiskEvent({ userId: USER_B, timestamp: t(29), level: 'medium' }),
            aRiskEvent({ userId: USER_B, timestamp: t(30), level: 'medium' }),
          ]);
          await store.resetUser(ACCOUNT, USER_A, anAudit({ at: t(40) }));
          await store.recordRiskEvents(OTHER_ACCOUNT, [aRiskEvent({ timestamp: t(1) })], NOW);
          const counts = await store.countRiskEventsByBucket(ACCOUNT, { from: t(0), bucketMs, count: 3 });
          assert.deepEqual(counts, [
            { bucket: 0, riskLevel: 'low', count: 1 },
            { bucket: 0, riskLevel: 'high', count: 2 },
            { bucket: 1, riskLevel: 'high', count: 1 },
            { bucket: 2, riskLevel: 'medium', count: 1 },
          ]);
          assert.deepEqual(
            await store.countRiskEventsByBucket(ACCOUNT, { from: t(100), bucketMs, count: 2 }),
            [],
          );
        });
      });

      describe('countRiskEventsByBehavior', () => {
        it('counts per behavior in [from, to), largest first, ties by key, at most limit', async () => {
          await recordEach(ACCOUNT, [
            aRiskEvent({ behavior: 'high_dlp', timestamp: t(1) }),
            aRiskEvent({ behavior: 'high_dlp', timestamp: t(2) }),
            aRiskEvent({ behavior: 'high_dlp', timestamp: t(3) }),
            aRiskEvent({ behavior: 'sentinel_one', timestamp: t(1) }),
            aRiskEvent({ behavior: 'imp_travel', timestamp: t(2) }),
            aRiskEvent({ behavior: 'malicious_file', timestamp: t(10) }),
            aRiskEvent({ behavior: 'malicious_file', timestamp: t(-5) }),
          ]);
          assert.deepEqual(await store.countRiskEventsByBehavior(ACCOUNT, { from: t(0), to: t(10) }, 10), [
            { behavior: 'high_dlp', count: 3 },
            { behavior: 'imp_travel', count: 1 },
            { behavior: 'sentinel_one', count: 1 },
          ]);
          assert.deepEqual(await store.countRiskEventsByBehavior(ACCOUNT, { from: t(0), to: t(11) }, 2), [
            { behavior: 'high_dlp', count: 3 },
            { behavior: 'imp_travel', count: 1 },
          ]);
          assert.deepEqual(
            await store.countRiskEventsByBehavior(OTHER_ACCOUNT, { from: t(0), to: t(11) }, 2),
            [],
          );
        });
      });

      describe('listRecentLevelChanges', () => {
        it('lists users by their latest level change, newest first, ties by user id, resets included', async () => {
          await store.recordRiskEvents(ACCOUNT, [aRiskEvent({ userId: USER_B, level: 'low' })], t(100));
          await store.recordRiskEvents(ACCOUNT, [aRiskEvent({ userId: USER_A, level: 'medium' })], t(101));
          await store.recordRiskEvents(ACCOUNT, [aRiskEvent({ userId: USER_C, level: 'medium' })], t(101));
          // Same level again: not a change, so B keeps its change time.
          await store.recordRiskEvents(ACCOUNT, [aRiskEvent({ userId: USER_B, level: 'low' })], t(102));
          let changes = await store.listRecentLevelChanges(ACCOUNT, 10);
          assert.deepEqual(
            changes.map((c) => [c.user.userId, c.user.riskLevel, c.levelChangedAt]),
            [
              [USER_A, 'medium', t(101)],
              [USER_C, 'medium', t(101)],
              [USER_B, 'low', t(100)],
            ],
          );
          await store.resetUser(ACCOUNT, USER_B, anAudit({ at: t(103) }));
          changes = await store.listRecentLevelChanges(ACCOUNT, 2);
          assert.deepEqual(
            changes.map((c) => [c.user.userId, c.user.riskLevel, c.levelChangedAt]),
            [
              [USER_B, undefined, t(103)],
              [USER_A, 'medium', t(101)],
            ],
          );
          assert.deepEqual(await store.listRecentLevelChanges(OTHER_ACCOUNT, 10), []);
        });
      });
    });

    describe('types on the way out', () => {
      it('counts are numbers, booleans are booleans, absent values undefined, timestamps verbatim', async () => {
        const ts = '2024-12-31T23:59:59.999Z';
        await store.recordRiskEvents(ACCOUNT, [aRiskEvent({ timestamp: ts })], '2025-01-01T00:00:00.000Z');
        const user = await userRisk(ACCOUNT, USER_A);
        assert.equal(typeof user.eventCount, 'number');
        assert.equal(user.lastEvent, ts);
        assert.equal(user.lastResetTime, undefined);
        const events = await store.listUserRiskEvents(ACCOUNT, USER_A, undefined, ALL);
        assert.equal(typeof events.totalCount, 'number');
        assert.equal(only(events.items).createdAt, '2025-01-01T00:00:00.000Z');
        const summary = await store.listUserSummaries(ACCOUNT, aSummaryQuery());
        assert.equal(typeof summary.totalCount, 'number');
        assert.equal(typeof only(summary.items).eventCount, 'number');
        await store.putBehaviorSettings(
          ACCOUNT,
          [{ key: 'high_dlp', enabled: false, riskLevel: 'low' }],
          anAudit(),
        );
        assert.equal(only(await store.getBehaviorSettings(ACCOUNT)).enabled, false);
        const integration = anIntegration({
          createdAt: '2025-06-01T12:00:00.000Z',
          updatedAt: '2025-06-01T12:00:00.000Z',
        });
        await store.createIntegration(integration, anAudit());
        const stored = await store.getIntegration(ACCOUNT, integration.id);
        assert.equal(stored?.active, true);
        assert.equal(stored?.createdAt, '2025-06-01T12:00:00.000Z');
        const audit = await store.listAudit(ACCOUNT, ALL);
        assert.equal(typeof audit.totalCount, 'number');
        for (const entry of audit.items) assert.equal(entry.reason, undefined);
      });
    });
  });
}
