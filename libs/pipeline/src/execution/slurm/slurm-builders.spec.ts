// The Slurm executor's pure parts: resources merging, sbatch arguments, the job script's quoting, squeue parsing, and
// that resources never reach content keys. No Slurm needed (the real-cluster test is tools/slurm/slurm-executor.spec.ts).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createStageRegistry } from '../../definition/stage-registry';
import { loadPipeline } from '../../definition/validate-pipeline';
import { resolveWorkspaceLayout } from '../../definition/workspace';
import { createFixtureWorkspace } from '../../fixtures/fixture-workspace';
import { planPipeline } from '../../planning/plan';
import { parseSqueue } from './job-state';
import { defaultResources, resourcesFor, sbatchResourceArgs } from './resources';
import { buildJobScript, buildSbatchArgs, shellQuote } from './submit';

describe('Slurm resources', () => {
  const spec = {
    stages: {
      train: { stage: 'train', resources: { cpus: 4, extra: ['--constraint=a100'] } },
      data: { stage: 'ingest' },
    },
    profiles: { paper: { train: { resources: { mem: '32G', partition: 'gpu', extra: ['--exclusive'] } } } },
  };

  it('merges stage default < instance < profile < command line, key by key, concatenating extra', () => {
    const inst = { base: 'train', stage: 'train', params: { backend: 'tensorflow-gpu' } };
    expect(resourcesFor(spec, 'paper', inst, { account: 'lab' })).toEqual({
      cpus: 4,
      mem: '32G',
      time: '24:00:00',
      gpus: 1,
      partition: 'gpu',
      account: 'lab',
      extra: ['--constraint=a100', '--exclusive'],
    });
    expect(resourcesFor(spec, 'default', { base: 'data', stage: 'ingest', params: {} }, { partition: 'short' })).toEqual({ cpus: 1, mem: '4G', time: '2:00:00', partition: 'short' });
  });

  it('asks for a GPU only where the train backend needs one', () => {
    expect(defaultResources('train', { backend: 'tensorflow-gpu' }).gpus).toBe(1);
    for (const backend of ['auto', 'wasm', 'cpu', 'tensorflow', undefined]) expect(defaultResources('train', { backend }).gpus).toBeUndefined();
    expect(defaultResources('evaluate', { backend: 'tensorflow-gpu' }).gpus).toBeUndefined();
    expect(defaultResources('some-fixture', {})).toEqual({ cpus: 1 });
  });

  it('maps every field to one sbatch argument; gpus 0 asks for none', () => {
    expect(sbatchResourceArgs({ cpus: 2, mem: '4G', time: '1:00:00', gpus: 1, partition: 'p', account: 'a', qos: 'q', extra: ['--x=1'] })).toEqual([
      '--cpus-per-task=2',
      '--mem=4G',
      '--time=1:00:00',
      '--gpus=1',
      '--partition=p',
      '--account=a',
      '--qos=q',
      '--x=1',
    ]);
    expect(sbatchResourceArgs({ gpus: 0 })).toEqual([]);
  });
});

describe('Slurm job script and sbatch arguments', () => {
  const ctx = {
    pipelineFile: "/shared/it's here/p.yaml",
    profile: 'smoke',
    storeDir: '/shared/store',
    workspaceRoot: '/shared/ws root',
    node: '/usr/bin/node',
    cliEntry: '/shared/ws root/bin/alsg.mjs',
  };
  const inst = { address: 'p/train@method=baseline,seed=1', name: 'train@method=baseline,seed=1', key: '0123456789abcdef0123', stage: 'train' };

  it('quotes every argument of the job script for /bin/sh, so sh runs exactly this argv', () => {
    const dir = mkdtempSync(join(tmpdir(), 'alsg-script-'));
    const script = buildJobScript({ ...ctx, node: 'printf', cliEntry: '[%s]\n' }, inst).replace(/^cd .*$/m, '');
    writeFileSync(join(dir, 'job.sh'), script);
    const out = execFileSync('sh', [join(dir, 'job.sh')], { encoding: 'utf8' });
    expect(out.trim().split('\n')).toEqual(['[run-instance]', `[${ctx.pipelineFile}]`, `[${inst.name}]`, '[--profile]', '[smoke]', '[--key]', `[${inst.key}]`]);
    expect(shellQuote("a'b c")).toBe(`'a'\\''b c'`);
    expect(shellQuote('plain/path-1.yaml')).toBe('plain/path-1.yaml');
  });

  it('names the job after the address, logs beside the instance, chains afterok and kills invalid dependents', () => {
    const args = buildSbatchArgs(ctx, inst, { cpus: 1, gpus: 1 }, ['12', '13'], '/shared/store/train/k.slurm/job.sh');
    expect(args).toEqual([
      '--parsable',
      '--job-name=alsg:p/train@method=baseline,seed=1',
      '--output=/shared/store/train/0123456789abcdef0123.slurm/job-%j.log',
      '--open-mode=append',
      '--chdir=/shared/ws root',
      '--cpus-per-task=1',
      '--gpus=1',
      '--dependency=afterok:12:13',
      '--kill-on-invalid-dep=yes',
      '/shared/store/train/k.slurm/job.sh',
    ]);
    expect(buildSbatchArgs(ctx, inst, {}, [], 'job.sh').some((a) => a.startsWith('--dependency'))).toBe(false);
  });

  it('parses squeue lines', () => {
    const states = parseSqueue('12|PENDING|Dependency|\n13|RUNNING|None|node1\n14|COMPLETED|None|node1\n\n');
    expect([...states.keys()]).toEqual(['12', '13', '14']);
    expect(states.get('12')).toEqual({ jobId: '12', state: 'PENDING', reason: 'Dependency', nodes: '' });
    expect(states.get('13')?.nodes).toBe('node1');
  });
});

describe('resources in a pipeline', () => {
  it('validate accepts them, and they change no content key', async () => {
    const ws = createFixtureWorkspace();
    const base = 'stages:\n  data: { stage: source, params: { label: a } }\n  twice: { stage: double, inputs: { data: data }';
    const plain = ws.writePipeline('plain', `name: p\n${base} }\n`);
    const withRes = ws.writePipeline(
      'res',
      `name: p\n${base}, resources: { cpus: 2, mem: 4G, time: "1:00:00", gpus: 0, extra: [--exclusive] } }\nprofiles:\n  big:\n    data: { resources: { partition: long } }\n`,
    );
    const registry = createStageRegistry(resolveWorkspaceLayout({ root: ws.root, env: {} }));
    const sources = { storeDir: registry.layout.storeDir, codeVersionOf: (s: string) => registry.codeVersion(s).version };
    const a = planPipeline(await loadPipeline(plain, registry), sources);
    const b = planPipeline(await loadPipeline(withRes, registry), sources);
    const c = planPipeline(await loadPipeline(withRes, registry), sources, 'big');
    expect(b.instances.map((i) => i.key)).toEqual(a.instances.map((i) => i.key));
    expect(c.instances.map((i) => i.key)).toEqual(a.instances.map((i) => i.key));
  });

  it('validate names a bad resources field with its path', async () => {
    const ws = createFixtureWorkspace();
    const bad = ws.writePipeline('bad', 'stages:\n  data: { stage: source, params: { label: a }, resources: { cpus: 0, mem: lots, gpu: 1 } }\n');
    const registry = createStageRegistry(resolveWorkspaceLayout({ root: ws.root, env: {} }));
    const err = await loadPipeline(bad, registry).then(
      () => undefined,
      (e: Error) => e.message,
    );
    expect(err).toContain('stages.data.resources');
    expect(err).toMatch(/cpus/);
    expect(err).toMatch(/mem/);
    expect(err).toMatch(/gpu/);
  });
});
