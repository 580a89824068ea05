/**
 * Child process that runs ONE stage instance (`node --import tsx stage-child.ts <job.json>`). A process per instance
 * means a stage can be SIGKILLed, or run out of memory, without taking the engine down, and its memory is returned to
 * the system when it ends. It applies parameter defaults, runs the stage into the temporary folder, and writes
 * stage.json last; the parent renames the folder into the store only after this process exits 0.
 * The child dies with its parent: a parent killed with SIGKILL cannot forward the signal, and an orphan would go on
 * training into a folder the next run deletes, beside that run's own attempt at the same key (watchParent).
 */
import { readFileSync, writeFileSync, mkdirSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { AlsgError, isAlsgError, startProgress, writeAboveProgress } from '@ldl-alsg/common';
import { writeJsonAtomic } from '@ldl-alsg/artifacts';
import { applyParamsSchema } from '../definition/apply-params';
import { recordOutputs } from '../store/output-integrity';
import type { StageContext, StageDefinition } from '../stage';
import type { StageJob } from './stage-job';

function packageVersions(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  try {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    for (const name of Object.keys(pkg.dependencies ?? {}).sort()) {
      const file = join(root, 'node_modules', name, 'package.json');
      if (existsSync(file)) out[name] = (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
    }
  } catch {
    // provenance is best effort outside a full checkout
  }
  return out;
}

/** Exit status of a child that stopped because its parent is gone (nothing is committed: only the parent commits). */
const ORPHAN_EXIT_CODE = 75;

/**
 * The second line of watchParent, run in a worker thread: it has its own event loop, so it still runs while the stage
 * blocks the main one (a native FAISS search, a long synchronous loop) and would not see the IPC 'disconnect' for
 * minutes. A child whose parent died is re-parented, so its ppid changes. Plain CommonJS: no loader needed.
 */
const PARENT_WATCHER = `
const { workerData } = require('node:worker_threads');
const { writeSync } = require('node:fs');
setInterval(() => {
  if (process.ppid === workerData.parent) return;
  try { writeSync(2, workerData.message); } catch {}
  process.kill(process.pid, 'SIGKILL');
}, workerData.pollMs);
`;

/**
 * Ends this process when the parent goes away: at once on the IPC channel's 'disconnect' (however the parent died),
 * and within a second from a watcher thread when the stage keeps the main thread too busy to notice.
 */
function watchParent(message: string, onGone: () => void): void {
  if (process.send) process.on('disconnect', onGone);
  const watcher = new Worker(PARENT_WATCHER, { eval: true, execArgv: [], workerData: { parent: process.ppid, message, pollMs: 1000 } });
  watcher.unref();
}

let currentJob: StageJob | undefined;

async function main(jobFile: string): Promise<void> {
  const job = JSON.parse(readFileSync(jobFile, 'utf8')) as StageJob;
  currentJob = job;
  // The job file has served its purpose; removing it here means a killed parent leaves no .jobs/*.json behind.
  rmSync(jobFile, { force: true });
  const goneMessage = `[${job.address}] the alsg run that started this stage is gone; stopping without committing\n`;
  watchParent(goneMessage, () => {
    process.stderr.write(goneMessage);
    process.exit(ORPHAN_EXIT_CODE);
  });
  const mod = (await import(pathToFileURL(job.stageFile).href)) as { stage?: StageDefinition };
  const def = mod.stage;
  if (!def || typeof def.run !== 'function') throw new AlsgError('E_STAGE', `${job.stageFile} must export \`stage\``, { stage: job.address });

  const { params, issues } = applyParamsSchema(def.paramsSchema, job.params, { file: job.address, prefix: ['params'] });
  if (issues.length > 0) throw new AlsgError('E_CONFIG', issues.map((i) => i.message).join('\n'), { stage: job.address });

  mkdirSync(job.scratchDir, { recursive: true });
  const record: Record<string, unknown> = {};
  const ctx: StageContext<Record<string, unknown>> = {
    address: job.address,
    params,
    inputs: job.inputs,
    outDir: job.outDir,
    scratchDir: job.scratchDir,
    seed: job.seed,
    log: (message) => writeAboveProgress(`[${job.address}] ${message}\n`),
    progress: (label, total, unit) => startProgress(`[${job.address}] ${label}`, total, { unit }),
    record: (info) => Object.assign(record, info),
  };
  const startedAt = new Date();
  await def.run(ctx);
  const finishedAt = new Date();
  // Recorded last, after the stage wrote everything: `alsg status --verify` and consumers compare against it.
  const outputs = await recordOutputs(job.outDir);
  writeJsonAtomic(join(job.outDir, 'stage.json'), {
    key: job.key,
    stage: job.stage,
    address: job.address,
    pipeline: job.pipeline,
    profile: job.profile,
    instance: job.instance,
    params,
    writtenParams: job.params,
    inputs: job.inputRecords,
    inputKeys: job.inputKeys,
    seed: job.seed,
    sources: job.sources,
    codeVersion: job.codeVersion,
    versions: { node: process.version, codeVersion: job.codeVersion, packages: packageVersions(job.workspaceRoot) },
    timings: { startedAt: startedAt.toISOString(), finishedAt: finishedAt.toISOString(), seconds: (finishedAt.getTime() - startedAt.getTime()) / 1000 },
    record,
    outputs,
  });
}

const jobFile = process.argv[2];
main(jobFile).then(
  () => process.exit(0),
  (err: unknown) => {
    const info = isAlsgError(err)
      ? { code: err.code, message: err.message, stack: err.stack }
      : { code: 'BUG', message: err instanceof Error ? err.message : String(err), stack: err instanceof Error ? err.stack : undefined };
    try {
      if (currentJob) writeFileSync(currentJob.errorFile, JSON.stringify(info));
    } catch {
      // the parent still has the exit status and stderr
    }
    process.stderr.write(isAlsgError(err) ? `${err.message}\n` : `${info.stack ?? info.message}\n`);
    process.exit(1);
  },
);
