/**
 * Execution: runs a plan's instances in topological order, up to `jobs` at a time, each in its own child process,
 * skipping instances already in the store. One log line per instance event, each starting with its address.
 * Failure policy (as in DVC): `fail` stops starting new work at the first failure; `skip-dependents` keeps running
 * branches that do not depend on the failure; `ignore` does the same and does not make the run fail.
 * Before an instance runs, the files of the inputs it reads are checked against their stage.json records (sizes, or
 * hashes with `verifyInputs: 'hash'`), so a damaged upstream result is named instead of flowing into new results.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AlsgError } from '@ldl-alsg/common';
import type { StageRegistry } from '../definition/stage-registry';
import { explainChange, type Plan, type PlannedInstance } from '../planning/plan';
import {
  acquireKeyLock,
  cleanStaleTemps,
  commitTempDir,
  createTempDir,
  describeLockHolder,
  isComplete,
  readAddressRecord,
  readStageRecord,
  scratchDirOf,
  writeAddressRecord,
} from '../store/artifact-store';
import { damagedInputError, verifyInstance, type IntegrityMode } from '../store/output-integrity';
import { hostTag, ownerIsDead } from '../store/process-owner';
import { shellQuote as quote } from './shell-quote';
import { stageChildScript, tsxLoaderUrl, type StageJob } from './stage-job';

export type FailurePolicy = 'fail' | 'skip-dependents' | 'ignore';

export interface RunOptions {
  /** Instances to run at once (default 1). */
  jobs?: number;
  /** What to do when an instance fails (default `fail`). */
  onFailure?: FailurePolicy;
  /** Only these instances (concrete or base names) and what they need; default all. */
  select?: readonly PlannedInstance[];
  /** Line logger (default: stderr). */
  log?: (line: string) => void;
  /** Extra environment for stage processes. */
  env?: Record<string, string>;
  /** How inputs are checked against their stage.json before an instance reads them (default `size`: one stat per file). */
  verifyInputs?: IntegrityMode;
}

export interface RunSummary {
  readonly ran: string[];
  readonly cached: string[];
  readonly failed: Array<{ address: string; error: AlsgError }>;
  readonly skipped: string[];
  readonly seconds: number;
}

/**
 * A stage process that failed: carries the address, the child's command line (in details, for debugging) and the exit
 * status. The message gives the command that retries the instance rather than the child's command line, whose job file
 * exists only while the child runs.
 */
export class StageFailedError extends AlsgError {
  constructor(address: string, command: string, exitCode: number | null, signal: string | null, detail: string, retry?: string) {
    const status = signal ? `killed by ${signal}` : `exit status ${exitCode}`;
    super('E_STAGE', `${address}: stage failed (${status})${detail ? `: ${detail}` : ''}${retry ? `\n  retry: ${retry}` : ''}`, {
      stage: address,
      command,
      exitCode,
      signal,
      retry,
    });
  }
}

/** Runs the plan; resolves with a summary, or rejects with the (first) stage failure unless the policy is `ignore`. */
export async function runPlan(plan: Plan, registry: StageRegistry, options: RunOptions = {}): Promise<RunSummary> {
  const started = Date.now();
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const jobs = Math.max(1, options.jobs ?? 1);
  const policy = options.onFailure ?? 'fail';
  const todo = options.select ?? plan.instances;
  const summary = { ran: [] as string[], cached: [] as string[], failed: [] as Array<{ address: string; error: AlsgError }>, skipped: [] as string[] };
  const state = new Map<string, 'ok' | 'failed' | 'skipped'>();
  const children = new Set<ReturnType<typeof spawn>>();
  // Inputs already checked in this run (an ingest read by thirty train instances is stat'ed once, not thirty times).
  const checked = new Map<string, Promise<void>>();

  // Cheapest check first: everything already in the store is settled without a lock or a process.
  const pending: PlannedInstance[] = [];
  for (const inst of todo) {
    if (isComplete(plan.storeDir, inst)) {
      state.set(inst.name, 'ok');
      summary.cached.push(inst.address);
      log(`${inst.address}: cached (${inst.stage} ${inst.key})`);
    } else pending.push(inst);
  }
  if (pending.length === 0) return { ...summary, seconds: (Date.now() - started) / 1000 };

  const onSignal = (sig: NodeJS.Signals): void => {
    for (const c of children) c.kill(sig);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let stopping = false;
  try {
    await new Promise<void>((resolveAll) => {
      let running = 0;
      const pump = (): void => {
        for (let i = 0; i < pending.length && running < jobs && !stopping; ) {
          const inst = pending[i];
          const ups = Object.values(inst.inputs).flat();
          const upState = ups.map((u) => state.get(u) ?? (plan.byName.has(u) && !todo.includes(plan.byName.get(u) as PlannedInstance) ? 'missing' : undefined));
          if (upState.some((s) => s === 'failed' || s === 'skipped' || s === 'missing')) {
            pending.splice(i, 1);
            state.set(inst.name, 'skipped');
            summary.skipped.push(inst.address);
            log(`${inst.address}: skipped (an input failed or is not in this run)`);
            continue;
          }
          if (upState.some((s) => s === undefined)) {
            i++;
            continue;
          }
          pending.splice(i, 1);
          running++;
          runInstance(plan, registry, inst, log, options.env ?? {}, children, options.verifyInputs ?? 'size', checked).then(
            (ran) => {
              state.set(inst.name, 'ok');
              (ran ? summary.ran : summary.cached).push(inst.address);
            },
            (err: unknown) => {
              state.set(inst.name, 'failed');
              const e = err instanceof AlsgError ? err : new AlsgError('E_STAGE', `${inst.address}: ${(err as Error).message}`, { stage: inst.address, cause: err });
              summary.failed.push({ address: inst.address, error: e });
              log(`${inst.address}: FAILED - ${e.message.split('\n')[0]}`);
              if (policy === 'fail') stopping = true;
            },
          ).finally(() => {
            running--;
            pump();
          });
        }
        if (running === 0 && (pending.length === 0 || stopping)) {
          for (const inst of pending) summary.skipped.push(inst.address);
          resolveAll();
        }
      };
      pump();
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const result = { ...summary, seconds: (Date.now() - started) / 1000 };
  if (summary.failed.length && policy !== 'ignore') {
    const first = summary.failed[0].error;
    if (summary.failed.length === 1) throw first;
    throw new AlsgError('E_STAGE', `${summary.failed.length} instances failed:\n${summary.failed.map((f) => `  - ${f.error.message}`).join('\n')}`, {
      stage: summary.failed[0].address,
      cause: first,
      failed: summary.failed.map((f) => f.address),
    });
  }
  return result;
}

/** Runs one instance under its key's lock. Resolves true when it ran, false when another process completed it. */
async function runInstance(
  plan: Plan,
  registry: StageRegistry,
  inst: PlannedInstance,
  log: (line: string) => void,
  env: Record<string, string>,
  children: Set<ReturnType<typeof spawn>>,
  verifyInputs: IntegrityMode,
  checked: Map<string, Promise<void>>,
): Promise<boolean> {
  const store = plan.storeDir;
  await checkInputs(plan, inst, verifyInputs, checked);
  const lock = await acquireKeyLock(store, inst, {
    shouldStop: () => isComplete(store, inst),
    onWait: (h, file) => log(`${inst.address}: waiting for ${describeLockHolder(h, file)}, which is building the same key ${inst.key}`),
  });
  if (!lock || isComplete(store, inst)) {
    lock?.release();
    log(`${inst.address}: cached (${inst.stage} ${inst.key}, built by another run)`);
    return false;
  }
  let tmp: string | undefined;
  let errorFile: string | undefined;
  let jobFile: string | undefined;
  try {
    const { removed, notes } = cleanStaleTemps(store, inst);
    if (removed.length) log(`${inst.address}: removed ${removed.length} unfinished folder(s) of an earlier attempt`);
    for (const note of notes) log(`${inst.address}: note: ${note}`);
    const last = readAddressRecord(store, plan.pipeline, plan.profile, inst.name);
    const why = last && last.key !== inst.key ? `stale: ${explainChange(readStageRecord(store, last), inst)}` : 'missing';
    tmp = createTempDir(store, inst);
    const scratch = scratchDirOf(store, inst);
    const entry = registry.entry(inst.stage);
    if (!entry) throw new AlsgError('E_CONFIG', `${inst.address}: unknown stage '${inst.stage}'`, { stage: inst.address });
    const jobsDir = join(store, '.jobs');
    mkdirSync(jobsDir, { recursive: true });
    cleanDeadJobFiles(jobsDir);
    jobFile = join(jobsDir, `${inst.key}-${hostTag()}-${process.pid}.json`);
    errorFile = join(jobsDir, `${inst.key}-${hostTag()}-${process.pid}.error.json`);
    rmSync(errorFile, { force: true });
    const inputRecords: StageJob['inputRecords'] = {};
    const inputs: Record<string, string[]> = {};
    for (const [slot, names] of Object.entries(inst.inputs)) {
      inputs[slot] = names.map((n) => (plan.byName.get(n) as PlannedInstance).dir);
      inputRecords[slot] = names.map((n) => ({ instance: n, key: (plan.byName.get(n) as PlannedInstance).key, dir: (plan.byName.get(n) as PlannedInstance).dir }));
    }
    const job: StageJob = {
      address: inst.address,
      pipeline: plan.pipeline,
      profile: plan.profile,
      instance: inst.name,
      stage: inst.stage,
      stageFile: entry.stageFile,
      key: inst.key,
      codeVersion: inst.codeVersion,
      params: { ...inst.params },
      inputs,
      inputRecords,
      inputKeys: inst.inputKeys as Record<string, readonly string[]>,
      seed: inst.seed,
      sources: inst.sources,
      outDir: tmp,
      scratchDir: scratch,
      workspaceRoot: registry.layout.root,
      errorFile,
    };
    writeFileSync(jobFile, JSON.stringify(job));
    const args = ['--import', tsxLoaderUrl(), stageChildScript(), jobFile];
    const command = [process.execPath, ...args].map(quote).join(' ');
    log(`${inst.address}: running ${inst.stage} (${why}; key ${inst.key})`);
    const t0 = Date.now();
    const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
      const child = spawn(process.execPath, args, {
        cwd: registry.layout.root,
        // The IPC channel is how the child notices that this process is gone (stage-child.ts watchParent).
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        // Decoded training/test images are shared by every instance that reads the same images at the same size (a cache,
        // not a result: keyed by the image files' fingerprint, rebuilt when they change).
        env: { ALSG_IMAGE_CACHE_DIR: join(store, '.cache', 'images'), ...process.env, ...env, ALSG_STAGE_ADDRESS: inst.address },
      });
      children.add(child);
      if (child.pid) lock.setChild(child.pid);
      child.on('error', reject);
      child.on('exit', (c, s) => {
        children.delete(child);
        resolve({ code: c, signal: s });
      });
    });
    if (code !== 0) {
      let detail = '';
      if (existsSync(errorFile)) {
        try {
          detail = (JSON.parse(readFileSync(errorFile, 'utf8')) as { message: string }).message;
        } catch {
          detail = '';
        }
      }
      throw new StageFailedError(inst.address, command, code, signal, detail, retryCommand(plan, inst));
    }
    commitTempDir(store, inst, tmp);
    tmp = undefined;
    rmSync(scratch, { recursive: true, force: true });
    writeAddressRecord(store, plan.pipeline, inst.name, { stage: inst.stage, key: inst.key, profile: plan.profile });
    log(`${inst.address}: done in ${((Date.now() - t0) / 1000).toFixed(1)}s -> ${inst.dir}`);
    return true;
  } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
    if (jobFile) rmSync(jobFile, { force: true });
    if (errorFile) rmSync(errorFile, { force: true });
    lock.release();
  }
}

/** The command a person runs to retry one instance. */
function retryCommand(plan: Plan, inst: PlannedInstance): string {
  return `alsg run ${quote(plan.file)} --only ${quote(inst.name)}${plan.profile === 'default' ? '' : ` --profile ${quote(plan.profile)}`}`;
}

/** Removes job and error files whose owner (host and pid in the name) is provably dead, e.g. after a SIGKILL. */
function cleanDeadJobFiles(jobsDir: string): void {
  for (const name of readdirSync(jobsDir)) {
    const m = /^[0-9a-f]+-(.+)-(\d+)(\.error)?\.json$/.exec(name) ?? /^[0-9a-f]+-()(\d+)(\.error)?\.json$/.exec(name);
    if (!m) continue;
    // Names without a host come from single-host versions: judged on this host.
    if (ownerIsDead({ host: m[1] || hostTag(), pid: Number(m[2]) })) rmSync(join(jobsDir, name), { force: true });
  }
}

/** Checks the files of every input `inst` reads against their stage.json records; throws naming the damaged one. */
async function checkInputs(plan: Plan, inst: PlannedInstance, mode: IntegrityMode, checked: Map<string, Promise<void>>): Promise<void> {
  for (const name of new Set(Object.values(inst.inputs).flat())) {
    const up = plan.byName.get(name) as PlannedInstance;
    let check = checked.get(up.dir);
    if (!check) {
      check = (async () => {
        const { state, problems } = await verifyInstance(plan.storeDir, up, mode);
        if (state === 'damaged') throw problems;
      })();
      checked.set(up.dir, check);
    }
    // Each consumer gets its own error naming itself; the problems are found once.
    await check.catch((problems: unknown) => {
      if (!Array.isArray(problems)) throw problems;
      throw damagedInputError(inst.address, up, problems as string[], plan.file, plan.profile);
    });
  }
}
