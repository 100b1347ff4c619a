import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { CLIENT_SCRIPT } from './client-script.js';
import { DASHBOARD_CSS } from './styles.js';

/** A static file the dashboard serves under `/assets/`. */
export interface Asset {
  readonly body: Buffer;
  readonly contentType: string;
  /** First 16 hex digits of the body's SHA-256: the `?v=` of its URL and its ETag. */
  readonly version: string;
}

/** The assets by file name; URLs carry the version so they can be cached for a year. */
export interface Assets {
  get(name: string): Asset | undefined;
  /** `/assets/<name>?v=<version>`. */
  url(name: string): string;
}

/** A small shield, so browsers do not ask for a missing /favicon.ico. */
const FAVICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><path d="M16 2 4 7v8c0 7.5 5.1 13.3 12 15 6.9-1.7 12-7.5 12-15V7z" fill="#1f3a5f"/><path d="M16 8v16" stroke="#ffbf47" stroke-width="3"/></svg>';

function asset(body: Buffer, contentType: string): Asset {
  return { body, contentType, version: createHash('sha256').update(body).digest('hex').slice(0, 16) };
}

/**
 * Reads the vendored browser files once (htmx and uPlot from their npm packages, no CDN, no build step)
 * and adds the dashboard's own stylesheet and script. Throws at startup when a package is missing.
 */
export function loadAssets(): Assets {
  const require = createRequire(import.meta.url);
  const file = (specifier: string): Buffer => readFileSync(require.resolve(specifier));
  const byName = new Map<string, Asset>([
    ['htmx.min.js', asset(file('htmx.org/dist/htmx.min.js'), 'text/javascript; charset=utf-8')],
    ['uPlot.iife.min.js', asset(file('uplot/dist/uPlot.iife.min.js'), 'text/javascript; charset=utf-8')],
    ['uPlot.min.css', asset(file('uplot/dist/uPlot.min.css'), 'text/css; charset=utf-8')],
    ['dashboard.css', asset(Buffer.from(DASHBOARD_CSS, 'utf8'), 'text/css; charset=utf-8')],
    ['dashboard.js', asset(Buffer.from(CLIENT_SCRIPT, 'utf8'), 'text/javascript; charset=utf-8')],
    ['favicon.svg', asset(Buffer.from(FAVICON_SVG, 'utf8'), 'image/svg+xml')],
  ]);
  return {
    get: (name) => byName.get(name),
    url(name) {
      const found = byName.get(name);
      if (!found) throw new Error(`no dashboard asset ${name}`);
      return `/assets/${name}?v=${found.version}`;
    },
  };
}
