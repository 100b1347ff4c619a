import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** Running the real `ztrisk` command from the repository root, for end-to-end tests. */

const execFileAsync = promisify(execFile);
/** The repository root. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = ['--import', 'tsx', 'src/cli/main.ts'];

/** Runs a CLI command to completion from the repository root; resolves with its stdout. */
export async function runCli(args: readonly string[]): Promise<string> {
  const { stdout } = await execFileAsync(process.execPath, [...CLI, ...args], { cwd: ROOT, timeout: 60_000 });
  return stdout;
}

/** The single line a secret-printing CLI command writes. */
export function onlyLine(stdout: string): string {
  const lines = stdout.split('\n').filter((l) => l.length > 0);
  assert.equal(lines.length, 1, `expected only the secret on stdout, got ${JSON.stringify(stdout)}`);
  const [line] = lines;
  assert.ok(line);
  return line;
}

/** A `ztrisk serve` child process. */
export interface Server {
  readonly child: ChildProcessWithoutNullStreams;
  readonly url: string;
  readonly stderr: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Spawns `ztrisk serve` on a free port and resolves once it prints the line with its URL. `db` is a
 * SQLite file path, or a store URL (`sqlite:…`, `postgres://…`) used as it is.
 */
export function startServer(db: string, extraArgs: readonly string[] = []): Promise<Server> {
  const dbUrl = /^[a-z][a-z0-9+.-]*:/i.test(db) ? db : `sqlite:${db}`;
  const child = spawn(
    process.execPath,
    [...CLI, 'serve', '--port', '0', '--db', dbUrl, '--no-bootstrap', ...extraArgs],
    { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  return new Promise<Server>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`ztrisk serve did not start within 15 s\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, 15_000);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const m = /ztrisk listening on (http:\/\/\S+)/.exec(stdout);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve({ child, url: m[1], stderr: () => stderr, exited });
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`ztrisk serve exited early (code ${code}, signal ${signal})\nstderr: ${stderr}`));
    });
  });
}
