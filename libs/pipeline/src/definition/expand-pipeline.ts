/**
 * Matrix and profile expansion: turns the pipeline's named instances into the concrete instances that run.
 *
 * Rules (docs/pipelines.md):
 * - A profile overrides params (key by key) and matrix axes (axis by axis) of named instances.
 * - An instance runs once per combination of its own matrix axes; each axis value is written into the param of the
 *   same name. The pipeline's `expect:` block becomes the `expect` param of every `report` instance.
 * - An input written as ONE name pairs with the upstream expansion that agrees on every shared axis; upstream axes the
 *   consumer lacks are inherited (the consumer is expanded over them too), so `train` fed by a noise matrix runs once
 *   per noise rate. An input written as a LIST takes every expansion of each listed instance that agrees on shared axes
 *   (how a report gathers all results).
 * Pure: no disk, no stage code; the Nx plugin uses it too.
 */
import { configIssue, type ConfigIssue } from './config-issue';
import { DEFAULT_PROFILE, REPORT_STAGE, type InstanceSpec, type PipelineSpec } from './pipeline-spec';

export interface ExpandedInstance {
  /** Concrete name: `train`, or `train@method=baseline,seed=1` for a matrix expansion. */
  readonly name: string;
  /** The instance name in the file (`train`). */
  readonly base: string;
  readonly stage: string;
  /** Every axis value this expansion carries (own and inherited), in a stable order. */
  readonly axes: Readonly<Record<string, unknown>>;
  /** Params as written, with profile overrides, axis values and (for report) the expect block merged in. */
  readonly params: Readonly<Record<string, unknown>>;
  /** Where each param value came from in the file, for messages: param -> dotted path. */
  readonly paramOrigins: Readonly<Record<string, string>>;
  /** Input slot -> concrete upstream instance names, in the order the file lists them. */
  readonly inputs: Readonly<Record<string, readonly string[]>>;
  /** Seed: the `seed` param when it is an integer, else the pipeline's seed. */
  readonly seed: number;
}

export interface Expansion {
  /** Concrete instances in a topological order (upstream first). Empty when `issues` has cycle problems. */
  readonly instances: readonly ExpandedInstance[];
  readonly issues: readonly ConfigIssue[];
}

/**
 * Formats one axis value inside an instance name. Objects and lists are spelled without braces, quotes or colons
 * (`{au: 2, landmarks: 4}` -> `au_2+landmarks_4`, `[1, 2]` -> `1+2`): Nx reads `{a,b}` in dependsOn as a glob
 * alternation (silently dropping the dependency) and `:` in `nx run p:target:config` as a configuration separator.
 */
export function formatAxisValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(formatAxisValue).join('+');
  if (value !== null && typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k}_${formatAxisValue(v)}`)
      .join('+');
  }
  return JSON.stringify(value);
}

/**
 * `train` + {method: 'baseline', seed: 1} -> `train@method=baseline,seed=1`. No brackets or other glob characters:
 * the name is also an Nx target name (Nx reads `[..]` in dependsOn as a glob) and a shell word.
 */
export function expandedName(base: string, axes: Readonly<Record<string, unknown>>): string {
  const parts = Object.entries(axes).map(([k, v]) => `${k}=${formatAxisValue(v)}`);
  return parts.length ? `${base}@${parts.join(',')}` : base;
}

/** Input references of an instance as a flat list: [slot, index or undefined, referenced name]. */
export function inputReferences(spec: InstanceSpec): Array<[string, number | undefined, string]> {
  const out: Array<[string, number | undefined, string]> = [];
  for (const [slot, ref] of Object.entries(spec.inputs ?? {})) {
    if (typeof ref === 'string') out.push([slot, undefined, ref]);
    else if (Array.isArray(ref)) ref.forEach((r, i) => typeof r === 'string' && out.push([slot, i, r]));
  }
  return out;
}

/**
 * Orders instance names so every instance comes after the instances it reads from. Returns the order and the cycles
 * found (each as the list of names around it, first name repeated at the end). References to unknown names are ignored.
 */
export function orderInstances(stages: Readonly<Record<string, InstanceSpec>>): { order: string[]; cycles: string[][] } {
  const order: string[] = [];
  const cycles: string[][] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): void => {
    const s = state.get(name);
    if (s === 'done') return;
    if (s === 'visiting') {
      cycles.push([...stack.slice(stack.indexOf(name)), name]);
      return;
    }
    state.set(name, 'visiting');
    stack.push(name);
    for (const [, , ref] of inputReferences(stages[name])) if (ref in stages) visit(ref);
    stack.pop();
    state.set(name, 'done');
    order.push(name);
  };
  for (const name of Object.keys(stages)) visit(name);
  return { order, cycles };
}

const sameValue = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

function agrees(a: Readonly<Record<string, unknown>>, b: Readonly<Record<string, unknown>>): boolean {
  for (const [k, v] of Object.entries(a)) if (k in b && !sameValue(v, b[k])) return false;
  return true;
}

function product(matrix: Record<string, unknown[]>): Record<string, unknown>[] {
  let rows: Record<string, unknown>[] = [{}];
  for (const [axis, values] of Object.entries(matrix)) {
    rows = rows.flatMap((row) => values.map((v) => ({ ...row, [axis]: v })));
  }
  return rows;
}

/**
 * Expands `spec` under `profile` (default: `default`, which applies the `profiles.default` block when there is one).
 * `file` only labels messages. The spec is assumed to have passed the schema; references to unknown instances are
 * skipped (the validator reports them).
 */
export function expandPipeline(spec: PipelineSpec, profile: string = DEFAULT_PROFILE, file = 'pipeline'): Expansion {
  const issues: ConfigIssue[] = [];
  const stages = spec.stages ?? {};
  const { order, cycles } = orderInstances(stages);
  if (cycles.length) return { instances: [], issues: [] }; // the validator reports cycles with their paths
  const overrides = spec.profiles?.[profile] ?? {};
  const pipelineSeed = spec.seed ?? 0;
  const byBase = new Map<string, ExpandedInstance[]>();
  const all: ExpandedInstance[] = [];

  for (const base of order) {
    const inst = stages[base];
    const over = overrides[base] ?? {};
    const params: Record<string, unknown> = { ...(inst.params ?? {}) };
    const origins: Record<string, string> = {};
    for (const k of Object.keys(params)) origins[k] = `stages.${base}.params.${k}`;
    for (const [k, v] of Object.entries(over.params ?? {})) {
      params[k] = v;
      origins[k] = `profiles.${profile}.${base}.params.${k}`;
    }
    const matrix: Record<string, unknown[]> = { ...(inst.matrix ?? {}) };
    const matrixOrigin: Record<string, string> = {};
    for (const k of Object.keys(matrix)) matrixOrigin[k] = `stages.${base}.matrix.${k}`;
    for (const [k, v] of Object.entries(over.matrix ?? {})) {
      matrix[k] = v;
      matrixOrigin[k] = `profiles.${profile}.${base}.matrix.${k}`;
    }
    if (inst.stage === REPORT_STAGE && spec.expect !== undefined && params.expect === undefined) {
      params.expect = spec.expect;
      origins.expect = 'expect';
    }

    // rows: (axes, inputs) pairs, grown by joining with each upstream reference in file order.
    type Row = { axes: Record<string, unknown>; inputs: Record<string, string[]> };
    let rows: Row[] = product(matrix).map((axes) => ({ axes, inputs: {} }));
    for (const [slot, ref] of Object.entries(inst.inputs ?? {})) {
      const refs = typeof ref === 'string' ? [ref] : Array.isArray(ref) ? ref : [];
      const single = typeof ref === 'string';
      for (const r of refs) {
        const ups = byBase.get(r);
        if (!ups) continue;
        const next: Row[] = [];
        for (const row of rows) {
          const matching = ups.filter((u) => agrees(row.axes, u.axes));
          if (matching.length === 0) {
            issues.push(
              configIssue(
                file,
                `stages.${base}.inputs.${slot}`,
                `${slot} must have an expansion of '${r}' that agrees on the shared axes${profile !== DEFAULT_PROFILE ? ` (profile ${profile})` : ''}`,
                `none for ${expandedName(base, row.axes)}`,
                undefined,
                { raw: true },
              ),
            );
            continue;
          }
          if (single) {
            for (const u of matching) {
              next.push({ axes: { ...row.axes, ...u.axes }, inputs: { ...row.inputs, [slot]: [...(row.inputs[slot] ?? []), u.name] } });
            }
          } else {
            next.push({ axes: row.axes, inputs: { ...row.inputs, [slot]: [...(row.inputs[slot] ?? []), ...matching.map((u) => u.name)] } });
          }
        }
        rows = next;
      }
    }

    const expanded = rows.map((row): ExpandedInstance => {
      const p = { ...params };
      const o = { ...origins };
      for (const axis of Object.keys(matrix)) {
        p[axis] = row.axes[axis];
        o[axis] = `${matrixOrigin[axis]}[${matrix[axis].findIndex((v) => sameValue(v, row.axes[axis]))}]`;
      }
      const seed = typeof p.seed === 'number' && Number.isInteger(p.seed) ? p.seed : pipelineSeed;
      return { name: expandedName(base, row.axes), base, stage: inst.stage, axes: row.axes, params: p, paramOrigins: o, inputs: row.inputs, seed };
    });
    byBase.set(base, expanded);
    all.push(...expanded);
  }
  return { instances: all, issues };
}
