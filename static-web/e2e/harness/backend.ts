/**
 * The real back end for the browser tests: a temporary SQLite database migrated with
 * `python -m shared.migrate` and `python -m devhost` serving the Functions app's HTTP functions under
 * /api and the built front end (static-web/dist) at /. Every host is stopped by `stop()`, and, should
 * the test process die first, killed on its exit.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** static-web/, found from this file whether it runs as e2e/harness/*.ts or compiled JavaScript. */
function findStaticWeb(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'e2e'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('static-web/ not found above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

export const STATIC_WEB = findStaticWeb();
export const REPO_ROOT = path.dirname(STATIC_WEB);
export const PYTHON = process.env.E2E_PYTHON ?? path.join(REPO_ROOT, '.venv', 'bin', 'python');
export const DIST = path.join(STATIC_WEB, 'dist');

const HEALTH_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 5_000;

/** The settings every host gets (DESIGN §8/§9), short enough for tests, long enough to watch a job. */
export const BASE_ENV: Readonly<Record<string, string>> = {
  DB_BACKEND: 'sqlite',
  AUTH_MODE: 'none',
  ALLOW_TEST_SIMULATION: 'true',
  EMAIL_MODE: 'simulated',
  EMAIL_SIMULATED_DELAY_SECONDS: '0.5',
  REVOKE_DEMO_DELAY_SECONDS: '3',
  JOB_LOCK_TIMEOUT_SECONDS: '600',
  JOB_HEARTBEAT_SECONDS: '1',
  DEVHOST_DISABLE_TIMERS: '1',
  DEVHOST_SHUTDOWN_TIMEOUT: '2',
  // Runs go through the run queue (DESIGN §5, R2): devhost starts, or shares, the local Azurite.
  AzureWebJobsStorage: 'UseDevelopmentStorage=true',
};

/** The database's own run queue on the shared Azurite, so suites (and other checkouts) never meet. */
function queueName(db: Database): string {
  return `e2e-${path.basename(db.dir).toLowerCase().replace(/[^a-z0-9]/g, '')}`;
}

export interface Database {
  dir: string;
  path: string;
  remove: () => void;
}

/** A temporary directory with a migrated SQLite database (and the demo requests, if asked). */
export function createDatabase({ demoData = false }: { demoData?: boolean } = {}): Database {
  if (!existsSync(PYTHON)) {
    throw new Error(`${PYTHON} not found: run \`make setup\` at the repository root first (or set E2E_PYTHON).`);
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'are-e2e-'));
  const dbPath = path.join(dir, 'e2e.db');
  const args = ['-m', 'shared.migrate', ...(demoData ? ['--demo-data'] : [])];
  const result = spawnSync(PYTHON, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, DB_BACKEND: 'sqlite', SQLITE_PATH: dbPath },
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (result.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`shared.migrate failed (${String(result.status ?? result.signal)}):\n${result.stdout}\n${result.stderr}`);
  }
  return {
    dir,
    path: dbPath,
    remove: () => {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Adds `count` Databricks requests to the database in one transaction, through the product's own
 * statements (shared.repositories): SEED-10000 onwards, expiring 200+ days out (so no job picks
 * them up), requested by one of four teams in turn ("Seed Team North", …, for searches that match
 * a quarter of them). Faster than `count` POSTs, for lists of thousands.
 */
export function seedDatabricksRequests(db: Database, count: number): void {
  const script = `
import sys
from datetime import timedelta
from shared.db import connect
from shared.platforms import get_platform
from shared.repositories.access_requests import create_request, database_now
from shared.settings import load_settings

settings = load_settings()
platform = get_platform(settings, "databricks")
assert platform is not None
teams = ["North", "South", "East", "West"]
with connect(settings) as conn, conn.transaction():
    now = database_now(conn)
    for i in range(int(sys.argv[1])):
        team = teams[i % len(teams)]
        create_request(conn, platform, email=f"seed.{i}@example.com", expires_on=now + timedelta(days=200 + i % 100),
                       fields={"requestNumber": f"SEED-{10000 + i}", "requestType": "Read", "requestedBy": f"Seed Team {team}"})
`;
  const result = spawnSync(PYTHON, ['-c', script, String(count)], {
    cwd: REPO_ROOT,
    env: { ...process.env, DB_BACKEND: 'sqlite', SQLITE_PATH: db.path },
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (result.status !== 0) {
    throw new Error(`seeding ${String(count)} requests failed (${String(result.status ?? result.signal)}):\n${result.stdout}\n${result.stderr}`);
  }
}

/** A port that was free a moment ago (the host is started on it right away). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

export interface Host {
  baseURL: string;
  /** The process's combined stdout and stderr so far (for failure messages). */
  log: () => string;
  stop: () => Promise<void>;
}

const running = new Set<ChildProcess>();
/** Children started in their own process group (`group`): signalled with everything they started. */
const groups = new WeakSet<ChildProcess>();
process.on('exit', () => {
  for (const child of running) signal(child, 'SIGKILL');
});

function signal(child: ChildProcess, name: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    if (groups.has(child)) process.kill(-child.pid, name);
    else child.kill(name);
  } catch {
    // Already gone.
  }
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => { resolve(); });
  });
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    signal(child, 'SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const forced = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        signal(child, 'SIGKILL');
        resolve();
      }, STOP_GRACE_MS);
    });
    await Promise.race([exited(child), forced]);
    clearTimeout(timer);
    await exited(child);
  }
  running.delete(child);
}

async function healthy(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await response.body?.cancel();
    return response.status === 200;
  } catch {
    return false;
  }
}

export interface ServiceOptions {
  /** For messages: "devhost", "swa start". */
  name: string;
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  port: number;
  /** Path that answers 200 once the service is ready. */
  healthPath: string;
  /** Own process group, stopped as a whole: for commands that start children of their own. */
  group?: boolean;
}

/** Starts a service on `port` and resolves once `healthPath` answers 200; fails with its output. */
export async function startService(options: ServiceOptions): Promise<Host> {
  const { name, port } = options;
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.group ?? false,
  });
  if (options.group) groups.add(child);
  running.add(child);
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);

  // A service that dies on its own makes every later step fail with "connection refused": say why, now.
  let stopping = false;
  child.once('exit', (code, signalName) => {
    if (stopping) return;
    console.error(
      `${name} on port ${port} exited unexpectedly (${String(code ?? signalName)}); its last output:\n${output.slice(-6000)}`,
    );
  });

  const baseURL = `http://127.0.0.1:${port}`;
  const host: Host = {
    baseURL,
    log: () => output,
    stop: () => {
      stopping = true;
      return stopProcess(child);
    },
  };
  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await host.stop();
      throw new Error(`${name} exited (${String(child.exitCode ?? child.signalCode)}) before it was healthy:\n${output}`);
    }
    if (await healthy(`${baseURL}${options.healthPath}`)) return host;
    if (Date.now() > deadline) {
      await host.stop();
      throw new Error(`${name} did not answer GET ${options.healthPath} with 200 within ${HEALTH_TIMEOUT_MS} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * `python -m devhost --port <free>` in the database's directory (so no local.settings.json is read),
 * resolved once GET /api/health answers 200. `env` overrides BASE_ENV for this host only.
 */
export async function startHost(db: Database, env: Record<string, string> = {}): Promise<Host> {
  if (!existsSync(path.join(DIST, 'index.html'))) {
    throw new Error(`${DIST}/index.html not found: run \`npm run build\` first.`);
  }
  const port = await freePort();
  return startService({
    name: 'devhost',
    command: PYTHON,
    args: ['-m', 'devhost', '--port', String(port)],
    cwd: db.dir,
    env: {
      ...process.env,
      ...BASE_ENV,
      PYTHONPATH: REPO_ROOT,
      SQLITE_PATH: db.path,
      JOB_QUEUE_NAME: queueName(db),
      DEVHOST_STATIC_DIR: DIST,
      PYTHONUNBUFFERED: '1',
      ...env,
    },
    port,
    healthPath: '/api/health',
  });
}

export interface Backend extends Host {
  db: Database;
}

/** One database and one host on it; `stop()` stops the host and removes the database. */
export async function startBackend(options: { demoData?: boolean; env?: Record<string, string> } = {}): Promise<Backend> {
  const db = createDatabase({ demoData: options.demoData });
  let host: Host;
  try {
    host = await startHost(db, options.env);
  } catch (error) {
    db.remove();
    throw error;
  }
  return {
    ...host,
    db,
    stop: async () => {
      try {
        await host.stop();
      } finally {
        db.remove();
      }
    },
  };
}
