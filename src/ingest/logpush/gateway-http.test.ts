import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FileVerdictEvent, SecurityEvent } from '../../domain/security-event.js';
import { mapGatewayHttp } from './gateway-http.js';

const ctx = { accountId: 'acc' };
const BOB = '7d6c5b4a-3e2f-4a1b-8c9d-0e1f2a3b4c5d';
const P1 = 'c8e4a2f0-6b1d-4e3c-9a7f-0d2b4f6e8a1c';
const P2 = 'e0a2c4e6-8b1d-4f3a-9c5e-7b9d1f3a5c4d';
const HASH = '9F2C4E6A8B0D1F3E5A7C9E1B3D5F7A9C2E4B6D8F0A1C3E5B7D9F2A4C6E8B0D1F';

function aRequest(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Action: 'allow',
    BlockedFileHash: '',
    BlockedFileName: '',
    BlockedFileReason: '',
    BlockedFileSize: 0,
    BlockedFileType: '',
    CategoryIDs: [26, 95],
    Datetime: '2026-03-02T14:10:02Z',
    DeviceID: '9c41d2b8-54c3-11ef-8a1d-0a58a9feac07',
    DownloadMatchedDlpProfiles: [],
    DownloadedFileNames: [],
    Email: 'bob.okafor@acme-corp.example',
    FileInfo: {},
    HTTPHost: 'Upload.FileDrop.example',
    HTTPMethod: 'POST',
    Quarantined: false,
    RequestID: '10d4f6a8c0e2b4d6f8a0c2e4a6b8d0f2',
    SourceIP: '198.51.100.61',
    SourceIPCountryCode: 'US',
    URL: 'https://upload.filedrop.example/api/v2/files',
    UploadMatchedDlpProfiles: [],
    UploadedFileNames: [],
    UserID: BOB,
    ...overrides,
  };
}

function eventsOf(overrides: Record<string, unknown>): readonly SecurityEvent[] {
  const result = mapGatewayHttp(aRequest(overrides), ctx);
  assert.equal(result.kind, 'events', JSON.stringify(result));
  return result.kind === 'events' ? result.events : [];
}

function fileOf(overrides: Record<string, unknown>): FileVerdictEvent | undefined {
  const file = eventsOf(overrides).find((event) => event.type === 'file_verdict');
  return file?.type === 'file_verdict' ? file : undefined;
}

describe('mapGatewayHttp', () => {
  it('maps a plain request to one http_request', () => {
    assert.deepEqual(eventsOf({}), [
      {
        id: '10d4f6a8c0e2b4d6f8a0c2e4a6b8d0f2:http',
        accountId: 'acc',
        type: 'http_request',
        timestamp: '2026-03-02T14:10:02.000Z',
        timeMs: Date.UTC(2026, 2, 2, 14, 10, 2),
        user: { id: BOB, email: 'bob.okafor@acme-corp.example', name: 'bob.okafor@acme-corp.example' },
        ip: '198.51.100.61',
        deviceId: '9c41d2b8-54c3-11ef-8a1d-0a58a9feac07',
        host: 'upload.filedrop.example',
        url: 'https://upload.filedrop.example/api/v2/files',
        categoryIds: [26, 95],
        blocked: false,
        action: 'allow',
        source: { kind: 'logpush', dataset: 'gateway_http', recordId: '10d4f6a8c0e2b4d6f8a0c2e4a6b8d0f2' },
      },
    ]);
  });

  const actions: [unknown, boolean][] = [
    ['block', true],
    ['Block', true],
    ['allow', false],
    ['bypass', false],
    ['isolate', false],
    ['', false],
    [null, false],
  ];
  for (const [Action, blocked] of actions) {
    it(`reads Action ${JSON.stringify(Action)} as ${blocked ? 'blocked' : 'not blocked'}`, () => {
      const [request] = eventsOf({ Action });
      assert.equal(request?.type === 'http_request' && request.blocked, blocked);
    });
  }

  const dlp: [string, Record<string, unknown>, string, string[]][] = [
    ['an upload match', { UploadMatchedDlpProfiles: [P1, P2] }, 'upload', [P1, P2]],
    ['a download match', { DownloadMatchedDlpProfiles: [P2] }, 'download', [P2]],
    [
      'matches both ways, each profile once',
      { UploadMatchedDlpProfiles: [P1, P2], DownloadMatchedDlpProfiles: [P2, ''] },
      'both',
      [P1, P2],
    ],
  ];
  for (const [name, overrides, direction, profiles] of dlp) {
    it(`maps ${name} to one dlp_match (${direction})`, () => {
      const events = eventsOf(overrides);
      assert.deepEqual(
        events.map((event) => event.id),
        ['10d4f6a8c0e2b4d6f8a0c2e4a6b8d0f2:http', '10d4f6a8c0e2b4d6f8a0c2e4a6b8d0f2:dlp'],
      );
      const match = events[1];
      assert.ok(match?.type === 'dlp_match');
      assert.equal(match.direction, direction);
      assert.deepEqual(
        match.profiles.map((profile) => profile.id),
        profiles,
      );
      assert.equal(match.host, 'upload.filedrop.example');
    });
  }

  it('ignores DLP entries without profiles and empty profile lists', () => {
    const events = eventsOf({ UploadMatchedDlpProfileEntries: ['x'], UploadMatchedDlpProfiles: [null, ''] });
    assert.deepEqual(
      events.map((event) => event.type),
      ['http_request'],
    );
  });

  const verdicts: [string, Record<string, unknown>, Partial<FileVerdictEvent> | undefined][] = [
    ['no blocked file', {}, undefined],
    [
      'an AV block of a download',
      {
        Action: 'block',
        BlockedFileReason: 'malware',
        BlockedFileName: 'invoice.zip',
        BlockedFileHash: HASH,
        DownloadedFileNames: ['invoice.zip'],
      },
      {
        verdict: 'malicious',
        blocked: true,
        direction: 'download',
        fileName: 'invoice.zip',
        sha256: HASH.toLowerCase(),
      },
    ],
    [
      'a malware-like reason in other words',
      {
        Action: 'block',
        BlockedFileReason: 'Virus detected',
        BlockedFileName: 'a.exe',
        UploadedFileNames: ['a.exe'],
      },
      {
        verdict: 'malicious',
        blocked: true,
        direction: 'upload',
        fileName: 'a.exe',
        reason: 'Virus detected',
      },
    ],
    [
      'a sandbox block (quarantined and blocked)',
      { Action: 'block', Quarantined: true, DownloadedFileNames: ['setup.msi'] },
      { verdict: 'malicious', blocked: true, direction: 'download', fileName: 'setup.msi' },
    ],
    [
      'a sandbox reason',
      { Action: 'block', BlockedFileReason: 'sandbox' },
      { verdict: 'malicious', blocked: true, direction: 'download', reason: 'sandbox' },
    ],
    [
      'a quarantined file that was not blocked',
      { Quarantined: true, UploadedFileNames: ['notes.docx'] },
      { verdict: 'unknown', blocked: false, direction: 'upload', fileName: 'notes.docx' },
    ],
    [
      'a policy block by file type',
      {
        Action: 'block',
        BlockedFileReason: 'file type',
        BlockedFileName: 'tool.exe',
        BlockedFileHash: 'n/a',
      },
      { verdict: 'unknown', blocked: true, direction: 'download', fileName: 'tool.exe', reason: 'file type' },
    ],
  ];
  for (const [name, overrides, expected] of verdicts) {
    it(`maps ${name} to ${expected === undefined ? 'no file verdict' : `a ${expected.verdict} file verdict`}`, () => {
      const file = fileOf(overrides);
      if (expected === undefined) return assert.equal(file, undefined);
      assert.ok(file);
      assert.equal(file.id, '10d4f6a8c0e2b4d6f8a0c2e4a6b8d0f2:file');
      for (const [key, value] of Object.entries(expected)) {
        assert.deepEqual(file[key as keyof FileVerdictEvent], value, key);
      }
      assert.equal('sha256' in file, 'sha256' in expected);
    });
  }

  it('maps one record to a request, a DLP match and a file verdict at once', () => {
    const events = eventsOf({
      Action: 'block',
      BlockedFileReason: 'malware',
      BlockedFileName: 'dump.zip',
      UploadedFileNames: ['dump.zip'],
      UploadMatchedDlpProfiles: [P1],
    });
    assert.deepEqual(
      events.map((event) => `${event.type} ${event.id}`),
      [
        'http_request 10d4f6a8c0e2b4d6f8a0c2e4a6b8d0f2:http',
        'dlp_match 10d4f6a8c0e2b4d6f8a0c2e4a6b8d0f2:dlp',
        'file_verdict 10d4f6a8c0e2b4d6f8a0c2e4a6b8d0f2:file',
      ],
    );
  });

  it('takes the host from the URL when HTTPHost is empty', () => {
    const [request] = eventsOf({ HTTPHost: '', URL: 'https://Files.Example:8443/a?b=c' });
    assert.equal(request?.type === 'http_request' && request.host, 'files.example');
  });

  it('still maps a DLP match when the record has no host or URL', () => {
    const events = eventsOf({ HTTPHost: null, URL: 'not a url', UploadMatchedDlpProfiles: [P1] });
    assert.deepEqual(
      events.map((event) => event.type),
      ['dlp_match'],
    );
    assert.equal(events[0]?.type === 'dlp_match' && events[0].url, 'not a url');
  });

  it('reports a record with nothing to map as invalid', () => {
    assert.deepEqual(mapGatewayHttp(aRequest({ HTTPHost: '', URL: '' }), ctx), {
      kind: 'invalid',
      problems: [
        {
          message: 'is required (no host, URL, DLP match or file verdict in the record)',
          pointer: '/HTTPHost',
        },
      ],
    });
  });

  it('reports a record without a time as invalid', () => {
    assert.deepEqual(mapGatewayHttp(aRequest({ Datetime: undefined }), ctx), {
      kind: 'invalid',
      problems: [{ message: 'is required', pointer: '/Datetime' }],
    });
  });

  it('shares one stable hash key between the events of a record without RequestID', () => {
    const overrides = { RequestID: '', UploadMatchedDlpProfiles: [P1] };
    const ids = eventsOf(overrides).map((event) => event.id);
    assert.equal(ids.length, 2);
    const key = ids[0]?.replace(/:http$/, '');
    assert.match(key ?? '', /^sha256-[0-9a-f]{32}$/);
    assert.deepEqual(ids, [`${key}:http`, `${key}:dlp`]);
    assert.deepEqual(
      eventsOf(overrides).map((event) => event.id),
      ids,
    );
  });

  it('tolerates null and ill-typed arrays', () => {
    const events = eventsOf({
      CategoryIDs: null,
      UploadMatchedDlpProfiles: null,
      DownloadMatchedDlpProfiles: {},
      UploadedFileNames: 'x',
    });
    assert.deepEqual(events.length === 1 && events[0]?.type === 'http_request' && events[0].categoryIds, []);
  });
});
