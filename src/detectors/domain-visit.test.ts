import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DnsRequestEvent, HttpRequestEvent } from '../domain/security-event.js';
import {
  HIGH_RISK_CATEGORY_IDS,
  matchingCategoryIds,
  SECURITY_DOMAIN_CATEGORY_IDS,
  SECURITY_RISK_CATEGORY_IDS,
  SECURITY_THREAT_CATEGORY_IDS,
} from './categories.js';
import { highRiskDomain } from './high-risk-domain.js';
import { securityRiskDomain } from './security-risk-domain.js';
import { aContext, aDnsRequest, anHttpRequest, detectWith, USERS } from './test-builders.js';

type Request = DnsRequestEvent | HttpRequestEvent;

/** The gateway_dns fixture queries (LOGPUSH.md §8) and what each behavior should say. */
const FIXTURE: { name: string; event: Request; security: boolean; highRisk: boolean }[] = [
  {
    name: 'alice → Malware [21,117], blocked',
    event: aDnsRequest({
      user: USERS.alice,
      domain: 'files.malware-cdn.example',
      categoryIds: [21, 117],
      blocked: true,
    }),
    security: true,
    highRisk: false,
  },
  {
    name: 'bob → Phishing [21,131], allowed',
    event: aDnsRequest({ user: USERS.bob, domain: 'secure-login.acme-c0rp.example', categoryIds: [21, 131] }),
    security: true,
    highRisk: false,
  },
  {
    name: 'carol → Newly Seen Domains [32,177]',
    event: aDnsRequest({ user: USERS.carol, categoryIds: [32, 177] }),
    security: true,
    highRisk: false,
  },
  {
    name: 'erin → C2 only via CNAME [26,81,21,80]',
    event: aDnsRequest({ user: USERS.erin, categoryIds: [26, 81, 21, 80] }),
    security: true,
    highRisk: false,
  },
  {
    name: 'dave → Hacking [17,102]',
    event: aDnsRequest({ user: USERS.dave, categoryIds: [17, 102] }),
    security: false,
    highRisk: true,
  },
  {
    name: 'dave → Weapons [29,166]',
    event: aDnsRequest({ user: USERS.dave, categoryIds: [29, 166] }),
    security: false,
    highRisk: true,
  },
  {
    name: 'bob → CIPA [2,133,34,182], blocked',
    event: aDnsRequest({ user: USERS.bob, categoryIds: [2, 133, 34, 182], blocked: true }),
    security: false,
    highRisk: true,
  },
  {
    name: 'carol → Education [6,90]',
    event: aDnsRequest({ user: USERS.carol, categoryIds: [6, 90] }),
    security: false,
    highRisk: false,
  },
  {
    name: 'alice → Technology [26,109]',
    event: aDnsRequest({ user: USERS.alice, categoryIds: [26, 109] }),
    security: false,
    highRisk: false,
  },
  {
    name: 'an HTTP request to Malware [21,117], blocked',
    event: anHttpRequest({ categoryIds: [21, 117], blocked: true }),
    security: true,
    highRisk: false,
  },
  {
    name: 'an HTTP request with a subcategory only (Drugs 87)',
    event: anHttpRequest({ categoryIds: [87] }),
    security: false,
    highRisk: true,
  },
  {
    name: 'a parent category only (Security threats 21)',
    event: aDnsRequest({ categoryIds: [21] }),
    security: true,
    highRisk: false,
  },
  {
    name: 'Private IP Address (134) is a security threat',
    event: aDnsRequest({ categoryIds: [134] }),
    security: true,
    highRisk: false,
  },
  {
    name: 'Child Abuse (31/170) is in neither group',
    event: aDnsRequest({ categoryIds: [31, 170] }),
    security: false,
    highRisk: false,
  },
  { name: 'no categories', event: aDnsRequest({ categoryIds: [] }), security: false, highRisk: false },
];

describe('security_risk_domain and high_risk_domain', () => {
  for (const c of FIXTURE) {
    it(`${c.name}: security ${c.security}, high risk ${c.highRisk}`, () => {
      assert.equal(detectWith(securityRiskDomain, c.event, []).length, c.security ? 1 : 0);
      assert.equal(detectWith(highRiskDomain, c.event, []).length, c.highRisk ? 1 : 0);
    });
  }

  it('reports the request with the matched categories, dedupe key per source event', () => {
    const event = aDnsRequest({
      id: '6f0c2a4e-8b1d-4f3a-a5c7-9e1b3d5f7a02',
      user: USERS.alice,
      at: '2026-03-02T13:40:58.731Z',
      domain: 'files.malware-cdn.example',
      categoryIds: [21, 117, 21],
      blocked: true,
      ip: '198.51.100.23',
    });
    const [finding, ...rest] = securityRiskDomain.detect(event, [], aContext());
    assert.equal(rest.length, 0);
    assert.equal(finding?.dedupeKey, 'security_risk_domain:6f0c2a4e-8b1d-4f3a-a5c7-9e1b3d5f7a02');
    assert.equal(finding?.timestamp, '2026-03-02T13:40:58.731Z');
    assert.deepEqual(finding?.details, {
      request_type: 'dns',
      domain: 'files.malware-cdn.example',
      url: undefined,
      category_ids: [21, 117, 21],
      matched_category_ids: [21, 117],
      blocked: true,
      ip: '198.51.100.23',
      source_event_ids: ['6f0c2a4e-8b1d-4f3a-a5c7-9e1b3d5f7a02'],
    });
  });

  it('reports an HTTP request with its host and URL', () => {
    const event = anHttpRequest({ host: 'bad.example', categoryIds: [166] });
    const [finding] = highRiskDomain.detect(event, [], aContext());
    assert.equal(finding?.details.request_type, 'http');
    assert.equal(finding?.details.domain, 'bad.example');
    assert.equal(finding?.details.url, 'https://bad.example/');
  });

  it('gives the same finding twice for the same request', () => {
    const event = aDnsRequest({ categoryIds: [131] });
    assert.deepEqual(
      detectWith(securityRiskDomain, event, []),
      detectWith(securityRiskDomain, event, [event]),
    );
  });

  it('accepts only requests with a matching category and needs no history', () => {
    assert.equal(securityRiskDomain.accepts(aDnsRequest({ categoryIds: [26] })), false);
    assert.equal(highRiskDomain.accepts(anHttpRequest({ categoryIds: [17] })), true);
    assert.deepEqual(highRiskDomain.history(aDnsRequest(), aContext().thresholds), []);
  });
});

describe('category sets (LOGPUSH.md §5)', () => {
  it('hold the published ids', () => {
    assert.deepEqual(
      [...SECURITY_THREAT_CATEGORY_IDS].sort((a, b) => a - b),
      [21, 68, 80, 83, 117, 131, 134, 151, 153, 175, 176, 178, 187, 188, 191],
    );
    assert.deepEqual(
      [...SECURITY_RISK_CATEGORY_IDS].sort((a, b) => a - b),
      [32, 128, 169, 177],
    );
    assert.deepEqual(
      [...HIGH_RISK_CATEGORY_IDS].sort((a, b) => a - b),
      [17, 29, 34, 85, 87, 102, 135, 138, 157, 162, 165, 166, 182],
    );
    assert.equal(
      SECURITY_DOMAIN_CATEGORY_IDS.size,
      SECURITY_THREAT_CATEGORY_IDS.size + SECURITY_RISK_CATEGORY_IDS.size,
    );
  });

  it('do not overlap', () => {
    for (const id of HIGH_RISK_CATEGORY_IDS)
      assert.equal(SECURITY_DOMAIN_CATEGORY_IDS.has(id), false, String(id));
  });

  it('match ids without duplicates, in logged order', () => {
    assert.deepEqual(matchingCategoryIds([26, 117, 21, 117], SECURITY_DOMAIN_CATEGORY_IDS), [117, 21]);
  });
});
