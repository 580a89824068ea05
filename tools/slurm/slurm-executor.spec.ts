// `alsg run --executor slurm` against a real Slurm: the single-node cluster of tools/slurm/local-cluster.sh (Debian's
// slurmctld/slurmd/slurm-client, as root). Where Slurm is not installed, or this is not root, every test is skipped and
// the reason is printed; tools/setup/setup.sh installs the packages when run as root (as CI does).
// Fixture pipelines (seconds per job) cover submission, --wait, status, failure policies, cancel, Ctrl-C and a job
// killed mid-run; a subset of one smoke table checks that results built through Slurm are bit-identical to the local executor's.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CHECKOUT_ROOT, createFixtureWorkspace } from '@ldl-alsg/pipeline/fixtures';
import { spawnAsync, type SpawnResult } from '../cli/src/fixtures/spawn-async';

const SCRIPT = join(CHECKOUT_ROOT, 'tools/slurm/local-cluster.sh');
const wasUp = spawnSync('bash', [SCRIPT, 'status'], { encoding: 'utf8' }).status === 0;
const started = spawnSync('bash', [SCRIPT, 'start'], { encoding: 'utf8' });
const SLURM_CONF = /export SLURM_CONF=(\S+)/.exec(started.stdout ?? '')?.[1];
const skipReason = SLURM_CONF ? undefined : `no local Slurm cluster: ${(started.stderr || started.error?.message || `exit ${started.status}`).trim()}`;
if (skipReason) process.stderr.write(`tools/slurm/slurm-executor.spec.ts: SKIPPED, ${skipReason}\n`);

afterAll(() => {
  if (SLURM_CONF && !wasUp) spawnSync('bash', [SCRIPT, 'stop']);
});

const ENV = { ...process.env, SLURM_CONF: SLURM_CONF ?? '', ALSG_SLURM_POLL_MS: '500' };

/**
 * Runs the CLI in a fixture workspace. Asynchronous on purpose: a spawnSync of 30 s blocks the test worker, whose RPC
 * with vitest then times out ("Timeout calling onTaskUpdate") and fails the run.
 */
function alsg(root: string, args: string[], env: Record<string, string> = {}): Promise<SpawnResult> {
  return spawnAsync(process.execPath, [join(CHECKOUT_ROOT, 'bin/alsg.mjs'), ...args], {
    cwd: root,
    env: { ...ENV, ALSG_WORKSPACE: root, ALSG_STORE: join(root, '.alsg/store'), ...env },
  });
}

function squeueState(jobId: string): string {
  return spawnSync('squeue', ['-h', '--states=all', `--jobs=${jobId}`, '--format=%T'], { env: ENV, encoding: 'utf8' }).stdout.trim();
}

async function until(what: string, check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Job ids printed on stdout by `alsg run --executor slurm`: address -> id. */
const jobIds = (stdout: string): Map<string, string> => new Map(stdout.trim().split('\n').filter(Boolean).map((l) => l.split('\t').reverse() as [string, string]));

const CHAIN = `
name: chain
seed: 3
stages:
  data: { stage: source, params: { label: a, size: 4 }, resources: { cpus: 1, mem: 200M } }
  twice: { stage: double, inputs: { data: data }, matrix: { factor: [2, 3] } }
  total: { stage: sum, inputs: { parts: [twice] } }
profiles:
  short:
    total: { resources: { time: "5" } }
`;

describe.skipIf(skipReason !== undefined)('alsg run --executor slurm (local single-node cluster)', () => {
  it('submits one job per missing instance chained by afterok, --wait follows them, results match the local executor', { timeout: 180_000 }, async () => {
    const ws = createFixtureWorkspace({ prefix: 'alsg-slurm-' });
    const file = ws.writePipeline('chain', CHAIN);
    const r = await alsg(ws.root, ['run', file, '--executor', 'slurm', '--wait', '--profile', 'short']);
    expect(r.stderr).toContain('chain (short): 4 job(s) (4 submitted)');
    expect(r.code, r.stderr).toBe(0);
    const ids = jobIds(r.stdout);
    expect([...ids.keys()]).toEqual(['chain/data', 'chain/twice@factor=2', 'chain/twice@factor=3', 'chain/total']);
    expect(r.stderr).toMatch(/chain\/total: submitted as job \d+ \(after \d+, \d+\)/);
    expect(r.stderr).toContain('0 pending, 0 running, 4 done, 0 failed, 0 skipped');
    expect(r.stderr).toContain('4 instances: 4 ran (slurm), 0 cached, 0 failed, 0 skipped');
    // The profile's resources reached sbatch (time limit 5 min), the instance's own too (200M).
    const total = spawnSync('scontrol', ['show', 'job', ids.get('chain/total') as string], { env: ENV, encoding: 'utf8' }).stdout;
    if (total) expect(total).toMatch(/TimeLimit=00:05:00/);
    const status = await alsg(ws.root, ['status', file, '--profile', 'short']);
    expect(status.stdout).toContain('chain: 4 done, 0 stale, 0 missing');
    // Each job's log and outcome lie beside its instance.
    const store = join(ws.root, '.alsg/store');
    const slurmDir = readdirSync(join(store, 'sum')).find((n) => n.endsWith('.slurm')) as string;
    expect(readdirSync(join(store, 'sum', slurmDir)).sort()).toEqual(['job-' + ids.get('chain/total') + '.log', 'job.sh', `outcome-${ids.get('chain/total')}.json`, 'submission.json'].sort());
    expect(readFileSync(join(store, 'sum', slurmDir, `job-${ids.get('chain/total')}.log`), 'utf8')).toContain('chain/total: done in');
    // Nothing is submitted for what is in the store.
    const again = await alsg(ws.root, ['run', file, '--executor', 'slurm', '--wait', '--profile', 'short']);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe('');
    expect(again.stderr).toContain('0 job(s) (0 submitted), 4 cached');
    // The same pipeline through the local executor into another store: byte-identical outputs per key.
    const localStore = mkdtempSync(join(tmpdir(), 'alsg-local-'));
    expect((await alsg(ws.root, ['run', file, '--profile', 'short'], { ALSG_STORE: localStore })).code).toBe(0);
    expect(outputHashes(localStore)).toEqual(outputHashes(store));
  });

  it('a failed job: dependents are cancelled and skipped, independent branches finish (skip-dependents), exit 1; status shows FAILED with the log', { timeout: 180_000 }, async () => {
    const ws = createFixtureWorkspace({ prefix: 'alsg-slurm-' });
    const file = ws.writePipeline(
      'broken',
      `name: broken
stages:
  bad: { stage: source, params: { label: b, dir: /nonexistent/alsg-slurm-test } }
  badTwice: { stage: double, inputs: { data: bad } }
  good: { stage: source, params: { label: g } }
  goodTwice: { stage: double, inputs: { data: good } }
`,
    );
    const r = await alsg(ws.root, ['run', file, '--executor', 'slurm', '--wait', '--on-failure', 'skip-dependents']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/broken\/bad: FAILED \(.*log .*job-\d+\.log\)/);
    expect(r.stderr).toMatch(/broken\/badTwice: skipped, job \d+ cancelled \(broken\/bad failed\)/);
    expect(r.stderr).toContain('broken/goodTwice: done');
    const status = await alsg(ws.root, ['status', file]);
    // Slurm's word while it remembers the job, the outcome's phase after: FAILED either way; then the job's own message.
    expect(status.stdout).toMatch(/missing +broken\/bad .*\[slurm FAILED: .*ENOENT.*\/nonexistent\/alsg-slurm-test.*; log .*job-\d+\.log\]/);
    expect(status.stdout).toMatch(/done +broken\/goodTwice/);
    // ignore: same outcome, exit 0.
    const ws2 = createFixtureWorkspace({ prefix: 'alsg-slurm-' });
    const file2 = ws2.writePipeline('broken', readFileSync(file, 'utf8'));
    expect((await alsg(ws2.root, ['run', file2, '--executor', 'slurm', '--wait', '--on-failure', 'ignore'])).code).toBe(0);
  });

  it('without --wait prints job ids; status shows PENDING/RUNNING; alsg cancel cancels; a killed job re-submitted resumes', { timeout: 180_000 }, async () => {
    const ws = createFixtureWorkspace({ prefix: 'alsg-slurm-' });
    const file = ws.writePipeline('slow', 'name: slow\nstages:\n  hang: { stage: slow, params: { waitMs: 120000 } }\n  after: { stage: sum, inputs: { parts: [first] } }\n  first: { stage: source, params: { label: x } }\n');
    const r = await alsg(ws.root, ['run', file, '--executor', 'slurm']);
    expect(r.code, r.stderr).toBe(0);
    const ids = jobIds(r.stdout);
    expect(ids.size).toBe(3);
    expect(r.stderr).toContain('stop with: alsg cancel');
    // A second submission (another terminal, another host sharing the store) reuses the queued jobs.
    const twice = await alsg(ws.root, ['run', file, '--executor', 'slurm']);
    expect(twice.code, twice.stderr).toBe(0);
    // Nothing is submitted twice. `first` (and then `after`) may already have finished on a loaded machine, in which
    // case they are done, not queued; the 2-minute `hang` is always still queued.
    const queued = jobIds(twice.stdout);
    expect(queued.get('slow/hang')).toBe(ids.get('slow/hang'));
    for (const [name, id] of queued) expect(id, name).toBe(ids.get(name));
    expect(twice.stderr).toMatch(new RegExp(`\\d job\\(s\\) \\(0 submitted, ${queued.size} already queued\\)`));
    expect(twice.stderr).toMatch(/slow\/hang: already submitted as job \d+ \((PENDING|RUNNING), by slow\/hang\); not submitted again/);
    const hang = ids.get('slow/hang') as string;
    // Running as Slurm sees it, and the stage itself started (the slow fixture leaves its pid in its scratch folder).
    const scratch = join(ws.root, '.alsg/store/.scratch/slow');
    await until('the slow stage to start', () => squeueState(hang) === 'RUNNING' && existsSync(scratch) && readdirSync(scratch).some((k) => existsSync(join(scratch, k, 'pid'))));
    const status = await alsg(ws.root, ['status', file]);
    expect(status.stdout).toMatch(new RegExp(`slow/hang .*\\[slurm RUNNING: job ${hang} on `));
    expect(status.stdout).toMatch(/slurm: \d+ pending, \d+ running/);
    // Killed mid-run (what a pre-emption or a node loss does), then submitted again: the second attempt completes
    // from the scratch folder the first one left (the slow fixture counts attempts there, as train keeps checkpoints).
    const cancel = await alsg(ws.root, ['cancel', file]);
    expect(cancel.code).toBe(0);
    expect(cancel.stderr).toContain(`slow/hang: cancelled job ${hang} (was RUNNING)`);
    await until('the cancel', () => squeueState(hang) === 'CANCELLED');
    expect((await alsg(ws.root, ['status', file])).stdout).toMatch(/missing +slow\/hang .*\[slurm CANCELLED: /);
    const again = await alsg(ws.root, ['run', file, '--executor', 'slurm', '--wait']);
    expect(again.code, again.stderr).toBe(0);
    const hangDir = readdirSync(join(ws.root, '.alsg/store/slow')).find((n) => !n.includes('.')) as string;
    const record = JSON.parse(readFileSync(join(ws.root, '.alsg/store/slow', hangDir, 'stage.json'), 'utf8'));
    expect(record.record.attempts).toBe(2);
  });

  it('Ctrl-C during --wait cancels the submitted jobs', { timeout: 120_000 }, async () => {
    const ws = createFixtureWorkspace({ prefix: 'alsg-slurm-' });
    const file = ws.writePipeline('sigint', 'name: sigint\nstages:\n  hang: { stage: slow, params: { waitMs: 120000 } }\n  later: { stage: slow, params: { waitMs: 1 } }\n');
    const child = spawn(process.execPath, [join(CHECKOUT_ROOT, 'bin/alsg.mjs'), 'run', file, '--executor', 'slurm', '--wait'], {
      cwd: ws.root,
      env: { ...ENV, ALSG_WORKSPACE: ws.root, ALSG_STORE: join(ws.root, '.alsg/store') },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await until('a running job', () => /sigint\/hang: running/.test(stderr));
    child.kill('SIGINT');
    expect(await exited).toBe(1);
    expect(stderr).toMatch(/interrupted \(SIGINT\); cancelled \d+ job\(s\)/);
    const hang = jobIds(stdout).get('sigint/hang') as string;
    await until('the cancel', () => squeueState(hang) === 'CANCELLED', 30_000);
  });

  // A subset of Table 1 smoke that still has every stage kind a training table needs (ingest, extract, both graphs,
  // pre-training, two fine-tunings - one with graphs - and their evaluations): the whole table made this test re-train 21
  // instances twice and kept the suite near CI's 15-minute line; pipelines/smoke.spec.ts runs the whole table locally.
  const SUBSET = ['--only', 'evaluate', '--only', 'evaluate-aufl'];

  it('table1 smoke subset through Slurm: stored results bit-identical to the local executor (per key; timings excluded)', { timeout: 900_000 }, async () => {
    const slurmStore = mkdtempSync(join(tmpdir(), 'alsg-slurm-store-'));
    const localStore = mkdtempSync(join(tmpdir(), 'alsg-local-store-'));
    const run = (store: string, extra: string[]): Promise<{ code: number | null; stderr: string }> =>
      new Promise((resolve) => {
        const child = spawn(process.execPath, [join(CHECKOUT_ROOT, 'bin/alsg.mjs'), 'run', 'pipelines/table1.yaml', '--profile', 'smoke', ...SUBSET, ...extra], {
          cwd: CHECKOUT_ROOT,
          env: { ...ENV, ALSG_STORE: store, ALSG_SLURM_POLL_MS: '2000' },
        });
        let stderr = '';
        child.stderr.on('data', (d) => (stderr += d));
        child.on('exit', (code) => resolve({ code, stderr }));
      });
    const viaSlurm = await run(slurmStore, ['--executor', 'slurm', '--wait']);
    expect(viaSlurm.code, viaSlurm.stderr.slice(-3000)).toBe(0);
    const local = await run(localStore, ['--jobs', '2']);
    expect(local.code, local.stderr.slice(-3000)).toBe(0);
    const a = outputHashes(localStore);
    const b = outputHashes(slurmStore);
    expect(Object.keys(a).length).toBeGreaterThan(20);
    expect(readdirSync(join(localStore, 'evaluate')).filter((k) => !k.includes('.'))).toHaveLength(2);
    expect(b).toEqual(a);
    // Two smoke stores (about 60 MB each) are kept only when the comparison fails, for a look.
    for (const store of [slurmStore, localStore]) rmSync(store, { recursive: true, force: true });
  });
});

/**
 * `<stage>/<key>/<file>` -> sha256 for every stored output, the content of the store as the executor left it. Run
 * provenance that legitimately differs between two runs of the same key is left out: stage.json is compared through
 * the list of outputs it records (each output is compared itself), and JSON / JSON-lines files through their content
 * without timing fields (seconds, timings, peak memory) and with the store's path made one; every other file (arrays,
 * CSVs, model weights, report.md / report.html) byte for byte.
 */
function outputHashes(store: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const stage of readdirSync(store)) {
    if (stage.startsWith('.')) continue;
    for (const key of readdirSync(join(store, stage))) {
      const dir = join(store, stage, key);
      if (key.includes('.') || !existsSync(join(dir, 'stage.json'))) continue;
      for (const file of walk(dir)) {
        const rel = relative(dir, file);
        const text = rel === 'stage.json' ? JSON.stringify(Object.keys(JSON.parse(readFileSync(file, 'utf8')).outputs ?? {}).sort()) : normalise(rel, readFileSync(file), store);
        out[`${stage}/${key}/${rel}`] = createHash('sha256').update(text).digest('hex');
      }
    }
  }
  return out;
}

// Measurements of the run, not results: durations, throughput, peak memory.
const TIMING_KEY = /^(seconds|ms|timings?|elapsed\w*|startedAt|finishedAt|throughput|.*(Seconds|Ms|Wall|RssMB|PerSecond))$/;

function stripTimings(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripTimings);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).filter(([k]) => !TIMING_KEY.test(k)).map(([k, v]) => [k, stripTimings(v)]));
  }
  return value;
}

/** JSON files name their inputs by path (`pretrained`, `features`): the two stores' paths are made one. */
function normalise(rel: string, bytes: Buffer, store: string): Buffer | string {
  if (!rel.endsWith('.json') && !rel.endsWith('.jsonl')) return bytes;
  const text = bytes.toString('utf8').split(JSON.stringify(store).slice(1, -1)).join('<store>');
  if (rel.endsWith('.json')) return JSON.stringify(stripTimings(JSON.parse(text)));
  return text.split('\n').filter(Boolean).map((l) => JSON.stringify(stripTimings(JSON.parse(l)))).join('\n');
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : [join(dir, n)]));
}
