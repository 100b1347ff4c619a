/** Cookie names the dashboard uses. */
export const SESSION_COOKIE = 'ztrisk_session';
/** Double-submit token of the sign-in form (there is no session yet to hold a synchronizer token). */
export const LOGIN_COOKIE = 'ztrisk_login';

/** The cookies of a `Cookie` header (first value wins; undecodable values are skipped). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (name === '' || out.has(name)) continue;
    try {
      out.set(name, decodeURIComponent(part.slice(eq + 1).trim()));
    } catch {
      // A malformed value is treated as absent.
    }
  }
  return out;
}

/** Attributes of a `Set-Cookie` the dashboard sends: always `HttpOnly; SameSite=Strict; Path=/`. */
export interface CookieOptions {
  /** Adds `Secure` (the public URL is https). */
  readonly secure: boolean;
  /** Lifetime in seconds; 0 deletes the cookie; undefined makes a browser-session cookie. */
  readonly maxAgeSeconds?: number;
}

/** A `Set-Cookie` header value. `value` must be cookie-safe (base64url tokens are). */
export function serializeCookie(name: string, value: string, options: CookieOptions): string {
  const parts = [`${name}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Strict'];
  if (options.secure) parts.push('Secure');
  if (options.maxAgeSeconds !== undefined) parts.push(`Max-Age=${options.maxAgeSeconds}`);
  return parts.join('; ');
}
