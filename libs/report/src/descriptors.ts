/**
 * Descriptors: the few named fields by which report tables group evaluate results into rows and columns, derived from
 * the run information the evaluate stage copied into metrics.json (`run`). One vocabulary serves the paper's seven
 * tables, the pipeline YAML (`rows: [noise, method]`) and the `expect:` claims:
 *
 * | field | values | from |
 * |---|---|---|
 * | method | Baseline, NAL, IPA2LT (LTNet), LDL-ALSG(AU), LDL-ALSG(FL), LDL-ALSG(AU+FL) | run.method + run.spaces |
 * | noise | 0%, 5%, 10%, 15% (symmetric), 10% asym, ABC | run.noise |
 * | backbone | normalised name: lower case, letters and digits only (resnet18, mobilenetv2) | run.backbone |
 * | space | none, AU, FL, AU+FL | run.spaces |
 * | kAU, kFL | neighbours in the AU / landmark graph, 0 when that graph is not used | run.k |
 * | k | the k of the used graph(s) when they agree, else "kAU/kFL" | run.k |
 * | lambda | Eq. 5 weight of the used graph(s) when they agree, else "lAU/lFL"; "0" without graphs | run.lambda |
 * | seed | the train seed | run.seed |
 *
 * Any `tags` given to the evaluate stage (e.g. `tags: {data: "mixture of ABC"}`) add fields or override these.
 */
import type { RunInfo } from '@ldl-alsg/evaluation';

/** Descriptor field names derived from every run (tags may add more). */
export const DESCRIPTOR_FIELDS = ['method', 'noise', 'backbone', 'space', 'kAU', 'kFL', 'k', 'lambda', 'seed'] as const;

const METHOD_LABELS: Record<string, string> = { baseline: 'Baseline', nal: 'NAL', ipa2lt: 'IPA2LT (LTNet)', air: 'AIR' };

/** Normalised space name: au -> AU, landmarks / fl / fp -> FL. */
function spaceLabel(space: string): string {
  const s = space.toLowerCase();
  if (s === 'au') return 'AU';
  if (s === 'landmarks' || s === 'fl' || s === 'fp' || s === 'landmark') return 'FL';
  return space;
}

/** The used spaces as AU / FL / AU+FL (AU first, as the paper writes it), or "none". */
export function spacesLabel(spaces: readonly string[]): string {
  const labels = [...new Set(spaces.map(spaceLabel))].sort((a, b) => (a === 'AU' ? -1 : b === 'AU' ? 1 : a.localeCompare(b)));
  return labels.length === 0 ? 'none' : labels.join('+');
}

/** The paper's method label: LDL-ALSG(<spaces>) for ldl-alsg, a fixed label for the others, the raw name otherwise. */
export function methodLabel(method: string, spaces: readonly string[]): string {
  const m = method.toLowerCase();
  if (m === 'ldl-alsg' || m === 'ldlalsg') return spaces.length === 0 ? 'LDL-ALSG' : `LDL-ALSG(${spacesLabel(spaces)})`;
  return METHOD_LABELS[m] ?? method;
}

/** Shortest decimal text of a number (0.0005 -> "0.0005", 4 -> "4"); avoids exponent notation for the paper's lambdas. */
export function numberText(x: number): string {
  if (Number.isInteger(x)) return String(x);
  const t = String(x);
  if (!t.includes('e')) return t;
  return x.toFixed(12).replace(/0+$/, '').replace(/\.$/, '');
}

/** A percentage text for a noise rate given as a fraction (0.05 -> "5%"). */
export function percentText(rate: number): string {
  return `${numberText(Math.round(rate * 10000) / 100)}%`;
}

/** Noise descriptor: "0%" for none, "5%" for symmetric 0.05, "5% asym" for asymmetric, "ABC" for the abc mixture. */
export function noiseLabel(noise: RunInfo['noise']): string {
  const mode = (noise?.mode ?? 'none').toLowerCase();
  if (mode === 'none' || noise.rate === 0) return mode === 'abc' ? 'ABC' : '0%';
  if (mode === 'abc') return 'ABC';
  const rate = noise.rate ?? NaN;
  if (!Number.isFinite(rate)) return mode;
  return mode === 'symmetric' ? percentText(rate) : `${percentText(rate)} ${mode === 'asymmetric' ? 'asym' : mode}`;
}

/** Lower-case letters and digits only: "ResNet-18" -> "resnet18", "MobilieNet V2" stays distinct from "mobilenetv2". */
export function normaliseName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

function spaceValue(record: Record<string, number> | undefined, space: 'au' | 'landmarks'): number | undefined {
  if (!record) return undefined;
  const aliases = space === 'au' ? ['au', 'AU'] : ['landmarks', 'fl', 'FL', 'fp', 'landmark'];
  for (const a of aliases) if (typeof record[a] === 'number') return record[a];
  return undefined;
}

/** Derives every descriptor field of a run (see the module comment); tags override and extend. */
export function describeRun(run: RunInfo): Record<string, string> {
  const spaces = run.spaces ?? [];
  const usesAU = spaces.some((s) => spaceLabel(s) === 'AU');
  const usesFL = spaces.some((s) => spaceLabel(s) === 'FL');
  const kAU = usesAU ? spaceValue(run.k, 'au') : 0;
  const kFL = usesFL ? spaceValue(run.k, 'landmarks') : 0;
  const used = [usesAU ? kAU : undefined, usesFL ? kFL : undefined].filter((v) => v !== undefined) as number[];
  const lambdas = [usesAU ? spaceValue(run.lambda, 'au') : undefined, usesFL ? spaceValue(run.lambda, 'landmarks') : undefined].filter(
    (v) => v !== undefined,
  ) as number[];
  const agree = (v: number[]): string => (v.length === 0 ? '0' : v.every((x) => x === v[0]) ? numberText(v[0]) : v.map(numberText).join('/'));
  const d: Record<string, string> = {
    method: methodLabel(run.method, spaces),
    noise: noiseLabel(run.noise),
    backbone: normaliseName(run.backbone ?? ''),
    space: spacesLabel(spaces),
    kAU: kAU === undefined ? '?' : numberText(kAU),
    kFL: kFL === undefined ? '?' : numberText(kFL),
    k: agree(used),
    lambda: agree(lambdas),
    seed: run.seed === null || run.seed === undefined ? '?' : String(run.seed),
  };
  return { ...d, ...(run.tags ?? {}) };
}
