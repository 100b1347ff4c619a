import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeHtml, html, safeUrl, toHtmlString, trustedHtml } from './html.js';

describe('html tag', () => {
  const cases: readonly [string, unknown, string][] = [
    ['escapes markup in text', '<script>alert(1)</script>', '&lt;script&gt;alert(1)&lt;/script&gt;'],
    ['escapes quotes for attributes', `"' onmouseover=x`, '&quot;&#39; onmouseover=x'],
    ['escapes ampersands once', '&amp;', '&amp;amp;'],
    ['renders numbers', 42, '42'],
    ['renders nothing for undefined', undefined, ''],
    ['renders nothing for null', null, ''],
    ['renders nothing for false', false, ''],
    ['escapes each item of a list', ['<a>', '<b>'], '&lt;a&gt;&lt;b&gt;'],
  ];
  for (const [label, value, expected] of cases) {
    it(label, () => {
      assert.equal(toHtmlString(html`<p>${value as string}</p>`), `<p>${expected}</p>`);
    });
  }

  it('inserts nested html as it is, and lists of it', () => {
    const inner = html`<b>${'<i>'}</b>`;
    assert.equal(
      toHtmlString(html`<p>${inner}${[inner, inner]}</p>`),
      '<p><b>&lt;i&gt;</b><b>&lt;i&gt;</b><b>&lt;i&gt;</b></p>',
    );
  });

  it('a plain string that looks like html is still escaped (only the tag makes Html)', () => {
    const forged = { html: '<script>' } as unknown as string;
    assert.equal(toHtmlString(html`${forged}`), '[object Object]');
    assert.equal(toHtmlString(html`${trustedHtml('<hr>')}`), '<hr>');
  });

  it('escapeHtml covers the five characters and the backtick', () => {
    assert.equal(escapeHtml(`&<>"'\``), '&amp;&lt;&gt;&quot;&#39;&#96;');
  });
});

describe('safeUrl', () => {
  const cases: readonly [string, string][] = [
    ['https://example.okta.com/path?a=1', 'https://example.okta.com/path?a=1'],
    ['http://127.0.0.1:8787/', 'http://127.0.0.1:8787/'],
    ['/users/1', '/users/1'],
    ['//evil.example/', '#'],
    ['javascript:alert(1)', '#'],
    ['data:text/html,<script>', '#'],
    ['not a url', '#'],
  ];
  for (const [input, expected] of cases) {
    it(`${input} → ${expected}`, () => {
      assert.equal(safeUrl(input), expected);
    });
  }
});
