import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createFileKeyRing, createMemoryKeyRing, SIGNING_KEY_BITS } from './keys.js';

const dir = mkdtempSync(join(tmpdir(), 'ztrisk-keys-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('signing keys', () => {
  it('a file ring generates one RSA key once, stores it 0600 in a 0700 folder, and reloads it', async () => {
    const keysDir = join(dir, 'ring-1', 'keys');
    const ring = createFileKeyRing(keysDir);
    const key = await ring.activeKey();
    assert.equal((await ring.activeKey()).kid, key.kid);
    assert.equal(statSync(keysDir).mode & 0o777, 0o700);
    const pem = join(keysDir, `${key.kid}.pem`);
    assert.equal(statSync(pem).mode & 0o777, 0o600);
    assert.equal(statSync(join(keysDir, 'keyring.json')).mode & 0o777, 0o600);
    const details = createPrivateKey(readFileSync(pem, 'utf8')).asymmetricKeyDetails;
    assert.ok((details?.modulusLength ?? 0) >= SIGNING_KEY_BITS);
    const reopened = createFileKeyRing(keysDir);
    assert.equal((await reopened.activeKey()).kid, key.kid);
  });

  it('the JWKS holds only public members with kid, alg RS256 and use sig', async () => {
    const ring = createMemoryKeyRing();
    const { keys } = await ring.publicJwks(new Set());
    assert.equal(keys.length, 1);
    const [jwk] = keys;
    assert.deepEqual(Object.keys(jwk ?? {}).sort(), ['alg', 'e', 'kid', 'kty', 'n', 'use']);
    assert.equal(jwk?.alg, 'RS256');
    assert.ok(Buffer.from(jwk?.n ?? '', 'base64url').length * 8 >= 2048);
  });

  it('rotation keeps the old key published while it is pending; prune then forgets it', async () => {
    const keysDir = join(dir, 'ring-2');
    const ring = createFileKeyRing(keysDir);
    const old = (await ring.activeKey()).kid;
    const rotated = await ring.rotate();
    assert.equal(rotated.retired, old);
    assert.notEqual(rotated.active, old);
    // A server process with its own ring sees the CLI's rotation.
    const server = createFileKeyRing(keysDir);
    assert.equal((await server.activeKey()).kid, rotated.active);
    const kids = async (pending: string[]) =>
      (await server.publicJwks(new Set(pending))).keys.map((k) => k.kid).sort();
    assert.deepEqual(await kids([old]), [old, rotated.active].sort());
    assert.deepEqual(await kids([]), [rotated.active]);
    assert.deepEqual(await ring.prune(new Set([old])), []);
    assert.deepEqual(await ring.prune(new Set()), [old]);
    assert.deepEqual(
      readdirSync(keysDir).filter((f) => f.endsWith('.pem')),
      [`${rotated.active}.pem`],
    );
    assert.deepEqual(await kids([old]), [rotated.active]);
  });

  it('never shows private key material when logged', async () => {
    const key = await createMemoryKeyRing().activeKey();
    const shown = `${JSON.stringify(key)} ${String(key.privateKey)}`;
    assert.doesNotMatch(shown, /PRIVATE KEY|"d":/);
  });
});
