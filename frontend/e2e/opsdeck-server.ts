// Starts the real `opsdeck` binary for the browser tests: a fresh SQLite database and storage
// directory in a temp dir, the demo data set, the SPA build served at `/`, a free port.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export interface RunningOpsdeck {
  baseUrl: string;
  adminPassword: string;
  /** `OPSDECK_STORAGE_DIR`: export files live in its `exports/` directory. */
  storageDir: string;
  /** Runs another `opsdeck` command against the same database (e.g. `user create`). */
  cli: (args: string[], stdin?: string) => Promise<string>;
  stop: () => Promise<void>;
}

const FRONTEND_DIR = resolve(import.meta.dirname, '..');

export function opsdeckBinary(): string {
  return process.env.OPSDECK_BIN ?? resolve(FRONTEND_DIR, '../target/debug/opsdeck');
}

/** The server refuses unknown `OPSDECK_*` variables, so none leak in from the caller's shell. */
function environment(workDir: string, storageDir: string, staticDir: string): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('OPSDECK_')));
  return {
    ...inherited,
    OPSDECK_DATABASE_URL: `sqlite://${join(workDir, 'opsdeck.db')}`,
    OPSDECK_STORAGE_DIR: storageDir,
    OPSDECK_STATIC_DIR: staticDir,
    OPSDECK_BIND: '127.0.0.1:0',
    // Jobs are picked up quickly, so an export is done within seconds.
    OPSDECK_WORKER_POLL_MS: '200',
    // A failing job runs out of attempts within seconds (1 + 2 + 4 + 8 s of backoff), not minutes.
    OPSDECK_JOB_BACKOFF_SECS: '1',
    // Partner viewers must set up TOTP before anything else (mfa.e2e.ts); no other test signs in as one.
    OPSDECK_MFA_REQUIRED_ROLES: 'partner_viewer',
    OPSDECK_LOG: 'warn',
  };
}

function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs: number, seen: { text: string }): Promise<RegExpMatchArray> {
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`opsdeck did not print ${String(pattern)} within ${timeoutMs} ms:\n${seen.text}`)), timeoutMs);
    const check = () => {
      const match = seen.text.match(pattern);
      if (match) {
        clearTimeout(timer);
        child.stdout?.off('data', check);
        resolvePromise(match);
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`opsdeck exited with ${String(code)} before it was ready:\n${seen.text}`));
    });
    check();
  });
}

export async function startOpsdeck(): Promise<RunningOpsdeck> {
  const binary = opsdeckBinary();
  const staticDir = resolve(FRONTEND_DIR, 'dist');
  if (!existsSync(binary)) throw new Error(`no opsdeck binary at ${binary}: run \`cargo build --bin opsdeck\` (or set OPSDECK_BIN)`);
  if (!existsSync(join(staticDir, 'index.html'))) throw new Error(`no SPA build in ${staticDir}: run \`npm run build\` first`);

  const workDir = mkdtempSync(join(tmpdir(), 'opsdeck-e2e-'));
  const storageDir = join(workDir, 'storage');
  const env = environment(workDir, storageDir, staticDir);
  const seen = { text: '' };
  const server = spawn(binary, ['serve', '--demo'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  server.stdout.setEncoding('utf8').on('data', (chunk: string) => (seen.text += chunk));
  server.stderr.setEncoding('utf8').on('data', (chunk: string) => (seen.text += chunk));

  const stop = async () => {
    if (server.exitCode === null) {
      const exited = new Promise<boolean>((done) => server.once('exit', () => done(true)));
      server.kill('SIGTERM');
      // A graceful stop finishes in-flight work; it should not take long in a test.
      const stoppedInTime = await Promise.race([exited, new Promise<boolean>((done) => setTimeout(() => done(false), 10_000))]);
      if (!stoppedInTime) server.kill('SIGKILL');
    }
    rmSync(workDir, { recursive: true, force: true });
  };

  try {
    const [, adminPassword = ''] = await waitForOutput(server, /password: (\S+)/, 60_000, seen);
    const [, baseUrl = ''] = await waitForOutput(server, /serving on (http:\/\/\S+) /, 60_000, seen);
    const cli = (args: string[], stdin?: string) =>
      new Promise<string>((resolveCli, reject) => {
        const command = spawn(binary, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
        let output = '';
        command.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
        command.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
        command.on('exit', (code) => (code === 0 ? resolveCli(output) : reject(new Error(`opsdeck ${args.join(' ')} failed (${String(code)}): ${output}`))));
        command.stdin.end(stdin ?? '');
      });
    return { baseUrl, adminPassword, storageDir, cli, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
