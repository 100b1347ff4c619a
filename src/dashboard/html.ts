/**
 * HTML that is safe to send: built only by {@link html} (which escapes every interpolated value unless
 * it is itself `Html`) or by {@link trustedHtml} for constant markup. The brand keeps plain strings out.
 */
export interface Html {
  readonly [HTML_BRAND]: string;
}

const HTML_BRAND: unique symbol = Symbol('html');

/** What may be interpolated: text (escaped), safe HTML, lists of either, or nothing. */
export type HtmlValue = Html | string | number | boolean | null | undefined | readonly HtmlValue[];

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/** Escapes text for an HTML text node or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => ESCAPES[c] ?? c);
}

function isHtml(value: unknown): value is Html {
  return typeof value === 'object' && value !== null && HTML_BRAND in value;
}

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (isHtml(value)) return value[HTML_BRAND];
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

/**
 * The template tag for every page: values are escaped by default (text, numbers, `true`), `Html` values
 * and arrays of them are inserted as they are, `null`/`undefined`/`false` render nothing. Attribute values
 * must be double-quoted in the template.
 */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): Html {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? '');
  return { [HTML_BRAND]: out };
}

/** Marks constant markup (never user data) as safe. */
export function trustedHtml(markup: string): Html {
  return { [HTML_BRAND]: markup };
}

/** The markup as a string, for the response body. */
export function toHtmlString(value: Html): string {
  return value[HTML_BRAND];
}

/** `href`/`src` values: http(s) URLs and same-origin paths pass; anything else (e.g. `javascript:`) is `#`. */
export function safeUrl(url: string): string {
  if (url.startsWith('/') && !url.startsWith('//')) return url;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? url : '#';
  } catch {
    return '#';
  }
}
