import type { Problem } from '../domain/errors.js';

/** The fields of a submitted form (`application/x-www-form-urlencoded`); empty for any other body. */
export function formOf(body: unknown): URLSearchParams {
  return body instanceof URLSearchParams ? body : new URLSearchParams();
}

/** A trimmed text field; undefined when absent or blank; cut to `maxLength` characters. */
export function textField(form: URLSearchParams, name: string, maxLength = 2048): string | undefined {
  const value = form.get(name);
  if (value === null) return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed.slice(0, maxLength);
}

/** A query-string value as text, trimmed; undefined when absent, blank or repeated oddly. */
export function queryText(query: unknown, name: string, maxLength = 200): string | undefined {
  if (typeof query !== 'object' || query === null) return undefined;
  const value = (query as Record<string, unknown>)[name];
  const first = Array.isArray(value) ? value[0] : value;
  if (typeof first !== 'string') return undefined;
  const trimmed = first.trim();
  return trimmed === '' ? undefined : trimmed.slice(0, maxLength);
}

/** A 1-based page number from the query string (1 when absent or not a positive integer). */
export function queryPage(query: unknown, max = 100_000): number {
  const raw = queryText(query, 'page', 10);
  const n = raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : 1;
  return Math.min(Math.max(1, n), max);
}

/**
 * Problems by form field: a problem's JSON pointer (`/imp_travel/min_speed_kmh`, `/tenant_url`) becomes
 * the field name (`imp_travel.min_speed_kmh`, `tenant_url`); problems without a pointer go to `_form`.
 * The first problem per field wins.
 */
export function errorsByField(problems: readonly Problem[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of problems) {
    const name =
      p.pointer === undefined
        ? '_form'
        : p.pointer
            .split('/')
            .slice(1)
            .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'))
            .join('.');
    out[name] ??= p.message;
  }
  return out;
}
