// The inside of a Slurm job without Slurm: the key re-check, the cached case, inputs that are not in the store, and the
// outcome record the job leaves beside the instance (what --wait and alsg status read once Slurm forgets the job).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createStageRegistry } from '../../definition/stage-registry';
import { loadPipeline } from '../../definition/validate-pipeline';
import { resolveWorkspaceLayout } from '../../definition/workspace';
import { createFixtureWorkspace } from '../../fixtures/fixture-workspace';
import { planPipeline, type PlannedInstance } from '../../planning/plan';
import { isComplete } from '../../store/artifact-store';
import { slurmDirOf } from './job-record';
import { runSubmittedInstance } from './run-instance';

async function setup() {
  const ws = createFixtureWorkspace();
  const file = ws.writePipeline('p', 'stages:\n  data: { stage: source, params: { label: a } }\n  twice: { stage: double, inputs: { data: data } }\n');
  const registry = createStageRegistry(resolveWorkspaceLayout({ root: ws.root, env: {} }));
  const plan = planPipeline(await loadPipeline(file, registry), { storeDir: registry.layout.storeDir, codeVersionOf: (s) => registry.codeVersion(s).version });
  return { registry, plan };
}
const quiet = { log: () => undefined };
const outcome = (plan: { storeDir: string }, inst: PlannedInstance, job: string) => JSON.parse(readFileSync(join(slurmDirOf(plan.storeDir, inst), `outcome-${job}.json`), 'utf8'));

describe('runSubmittedInstance (what a Slurm job runs)', () => {
  it('refuses a key that changed since submission, writing nothing but a failed outcome', async () => {
    const { registry, plan } = await setup();
    const data = plan.byName.get('data') as PlannedInstance;
    await expect(runSubmittedInstance(plan, registry, 'data', { ...quiet, expectedKey: '00000000000000000000', jobId: '7' })).rejects.toThrow(
      `p/data: its key is now ${data.key}, but the job was submitted for 00000000000000000000: the code, the pipeline or its source data changed since submission; submit again`,
    );
    expect(isComplete(plan.storeDir, data)).toBe(false);
    expect(outcome(plan, data, '7')).toMatchObject({ jobId: '7', state: 'failed' });
  });

  it('refuses to build an instance whose inputs are not in the store (a job runs one instance)', async () => {
    const { registry, plan } = await setup();
    await expect(runSubmittedInstance(plan, registry, 'twice', { ...quiet, jobId: '8' })).rejects.toThrow(/p\/twice: inputs not in the store: p\/data/);
    expect(isComplete(plan.storeDir, plan.byName.get('data') as PlannedInstance)).toBe(false);
  });

  it('runs the instance through the local executor, then reports cached for a second job of the same key', async () => {
    const { registry, plan } = await setup();
    const data = plan.byName.get('data') as PlannedInstance;
    expect(await runSubmittedInstance(plan, registry, 'data', { ...quiet, expectedKey: data.key, jobId: '9' })).toBe('done');
    expect(existsSync(join(data.dir, 'stage.json'))).toBe(true);
    expect(outcome(plan, data, '9')).toMatchObject({ state: 'done' });
    expect(await runSubmittedInstance(plan, registry, 'twice', { ...quiet, jobId: '10' })).toBe('done');
    expect(await runSubmittedInstance(plan, registry, 'data', { ...quiet, jobId: '11' })).toBe('cached');
    expect(outcome(plan, data, '11')).toMatchObject({ state: 'cached' });
  });
});
