import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maliciousFile } from './malicious-file.js';
import { aContext, aFileVerdict, detectWith, USERS } from './test-builders.js';

describe('malicious_file', () => {
  const cases = [
    {
      name: 'a blocked malicious download fires',
      event: aFileVerdict({ direction: 'download', blocked: true }),
      fires: true,
    },
    {
      name: 'an allowed malicious upload fires',
      event: aFileVerdict({ direction: 'upload', blocked: false }),
      fires: true,
    },
    { name: 'a clean file does not fire', event: aFileVerdict({ verdict: 'clean' }), fires: false },
    {
      name: 'an unknown verdict does not fire',
      event: aFileVerdict({ verdict: 'unknown', blocked: true }),
      fires: false,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.equal(maliciousFile.accepts(c.event), c.fires);
      assert.equal(detectWith(maliciousFile, c.event, []).length, c.fires ? 1 : 0);
    });
  }

  it("reports alice's blocked malware ZIP of the fixture with its evidence", () => {
    const event = aFileVerdict({
      id: '02b8d4f6a0c3e5a7b9d1f3a5c7e9b1d2:file',
      user: USERS.alice,
      at: '2026-03-02T13:41:07Z',
      fileName: 'invoice_0302.zip',
      ip: '198.51.100.23',
    });
    const [finding, ...rest] = maliciousFile.detect(event, [], aContext());
    assert.equal(rest.length, 0);
    assert.deepEqual(finding, {
      userId: USERS.alice.id,
      email: USERS.alice.email,
      name: USERS.alice.name,
      behavior: 'malicious_file',
      timestamp: '2026-03-02T13:41:07.000Z',
      details: {
        direction: 'download',
        blocked: true,
        file_name: 'invoice_0302.zip',
        sha256: 'a'.repeat(64),
        reason: 'malware',
        host: undefined,
        url: undefined,
        ip: '198.51.100.23',
        source_event_ids: ['02b8d4f6a0c3e5a7b9d1f3a5c7e9b1d2:file'],
      },
      dedupeKey: 'malicious_file:02b8d4f6a0c3e5a7b9d1f3a5c7e9b1d2%3Afile',
    });
  });

  it('needs no history and gives the same finding twice', () => {
    const event = aFileVerdict();
    assert.deepEqual(maliciousFile.history(event, aContext().thresholds), []);
    assert.deepEqual(detectWith(maliciousFile, event, []), detectWith(maliciousFile, event, [event]));
  });
});
