import { describe, expect, it } from 'vitest';
import { checkBackends, loadInChild } from './backend-check';

const inst = (address: string, backend?: string) => ({ address, params: backend ? { backend } : {} });

describe('checkBackends', () => {
  it('loads each native backend once and passes when it loads', () => {
    const loaded: string[] = [];
    checkBackends([inst('t/a', 'tensorflow-gpu'), inst('t/b', 'tensorflow-gpu'), inst('t/c', 'wasm'), inst('t/d')], '/ws', 'p.yaml', (pkg) => {
      loaded.push(pkg);
      return undefined;
    });
    expect(loaded).toEqual(['@tensorflow/tfjs-node-gpu']);
  });

  it('names the package, why it failed, the instances that need it and how to install it, in one E_DEPENDENCY', () => {
    const instances = ['a', 'b', 'c', 'd', 'e'].map((n) => inst(`t/${n}`, 'tensorflow-gpu'));
    let error: (Error & { code?: string }) | undefined;
    try {
      checkBackends(instances, '/ws', 'p.yaml --profile paper: nothing was run', () => "Cannot find package '@tensorflow/tfjs-node-gpu'");
    } catch (err) {
      error = err as Error & { code?: string };
    }
    expect(error?.code).toBe('E_DEPENDENCY');
    expect(error?.message).toContain('p.yaml --profile paper: nothing was run:');
    expect(error?.message).toContain("backend tensorflow-gpu needs @tensorflow/tfjs-node-gpu, which does not load here (Cannot find package '@tensorflow/tfjs-node-gpu'); used by t/a, t/b, t/c and 2 more");
    expect(error?.message).toContain('npm install --no-save @tensorflow/tfjs-node-gpu@4.22.0');
  });

  it('really tries the import in a child process (tfjs-node-gpu is not installable on this project\'s machines)', () => {
    expect(loadInChild('@tensorflow/tfjs', process.cwd())).toBeUndefined();
    expect(loadInChild('@tensorflow/no-such-package', process.cwd())).toMatch(/Cannot find package/);
  });
});
