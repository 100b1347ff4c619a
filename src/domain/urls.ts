import type { Problem } from './errors.js';

/** Problems with a tenant URL: an absolute http(s) URL of at most 2048 characters. */
export function validateTenantUrl(value: string, at = '/tenant_url'): Problem[] {
  if (value.length > 2048) return [{ message: 'must be at most 2048 characters', pointer: at }];
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return [{ message: 'must be an absolute http or https URL', pointer: at }];
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return [{ message: 'must be an absolute http or https URL', pointer: at }];
  }
  return [];
}
