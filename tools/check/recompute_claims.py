#!/usr/bin/env python3
"""Recompute a report's paired comparisons from the raw evaluate outputs, independently of the TypeScript report code.

Reads every evaluate folder a report was built from (its stage.json `inputs.results`), recomputes each model's per-set
accuracy from predictions.csv (label == predicted), the wild / lab / all averages as plain means of the per-set
accuracies, groups models by method label and seed, and for each pair of methods given on the command line prints
the mean paired difference (points), the 95% t interval over seeds and a 95% paired bootstrap interval over test
images (resampled within each set, numpy's generator, so its end points differ from the report's by resampling noise
only). Needs numpy and scipy.

    python3 tools/check/recompute_claims.py .alsg/store/report/<key> "LDL-ALSG(AU+FL)" Baseline [--metric all]

Where one method was trained at several lambdas (Tables 6 and 7, the lambda sweep), name the row as method@lambda, e.g.
"LDL-ALSG(AU)@0.1" (both spaces at 0.1: "LDL-ALSG(AU+FL)@0.1"; different values: "LDL-ALSG(AU+FL)@au=0.1,landmarks=1").
Where rows also differ by something else of the run (Table 2's noise rate), keep only the models whose run record
matches: --where noise.rate=0.15 (dotted path into metrics.json's `run`; repeatable; values compared as text, numbers
as numbers).
"""
import argparse, csv, json, os, sys
import numpy as np
from scipy import stats

p = argparse.ArgumentParser()
p.add_argument('report'); p.add_argument('left'); p.add_argument('right')
p.add_argument('--metric', default='all'); p.add_argument('--resamples', type=int, default=2000); p.add_argument('--seed', type=int, default=0)
p.add_argument('--where', action='append', default=[], metavar='PATH=VALUE')
a = p.parse_args()

for cond in a.where:
    if '=' not in cond: sys.exit(f'--where must be PATH=VALUE (e.g. noise.rate=0.15), but got {cond!r}')
where = [cond.split('=', 1) for cond in a.where]

def run_matches(run):
    for path, want in where:
        v = run
        for part in path.split('.'):
            v = v.get(part) if isinstance(v, dict) else None
        if v is None: return False
        try:
            if float(v) != float(want): return False
        except (TypeError, ValueError):
            if str(v) != want: return False
    return True

stage = json.load(open(os.path.join(a.report, 'stage.json')))
dirs = [i['dir'] for i in stage['inputs']['results']]

def label(run):
    m = run['method']
    if m == 'ldl-alsg':
        sp = sorted({'AU' if s == 'au' else 'FL' for s in run.get('spaces', [])}, key=lambda s: s != 'AU')
        return f"LDL-ALSG({'+'.join(sp)})"
    return {'baseline': 'Baseline', 'nal': 'NAL', 'ipa2lt': 'IPA2LT (LTNet)', 'air': 'AIR'}.get(m, m)

def lambda_tag(run):
    lam = {sp: v for sp, v in (run.get('lambda') or {}).items() if sp in run.get('spaces', [])} if run['method'] == 'ldl-alsg' else {}
    if not lam: return ''
    if len(set(lam.values())) == 1: return f'{next(iter(lam.values())):g}'
    return ','.join(f'{sp}={v:g}' for sp, v in sorted(lam.items()))

models = {}
tags = {}
ambiguous = set()  # (row, seed) with more than one model: runs that differ by something else (Table 2's noise rate)
for d in dirs:
    m = json.load(open(os.path.join(d, 'metrics.json')))
    if not run_matches(m['run']): continue
    domain = {s['dataset']: s['domain'] for s in m['sets']}
    rows = list(csv.DictReader(open(os.path.join(d, 'predictions.csv'))))
    per = {}
    for r in rows:
        per.setdefault(r['dataset'], {})[r['id']] = r['label'] == r['predicted']
    name, tag = label(m['run']), lambda_tag(m['run'])
    tags.setdefault(name, set()).add(tag)
    key = (f'{name}@{tag}' if tag else name, str(m['run']['seed']))
    if key in models: ambiguous.add(key)
    models[key] = (per, domain)

def resolve(row):
    """A row name as the models are keyed: method@lambda, or the bare method when it was trained at one lambda only."""
    if '@' in row: return row
    found = tags.get(row, set())
    if len(found) > 1: sys.exit(f'{row!r} was trained at several lambdas; name one of: {sorted(f"{row}@{t}" for t in found)}')
    tag = next(iter(found), '')
    return f'{row}@{tag}' if tag else row

a.left, a.right = resolve(a.left), resolve(a.right)

def sets_of(domain):
    if a.metric == 'all': return sorted(domain)
    if a.metric in ('wild', 'lab'): return sorted(s for s in domain if domain[s] == a.metric)
    return [a.metric]

def metric(per, domain, idx=None):
    vals = []
    for s in sets_of(domain):
        ids = sorted(per[s]); c = np.array([per[s][i] for i in ids], float)
        vals.append(100 * (c[idx[s]] if idx else c).mean())
    return float(np.mean(vals))

seeds = sorted({s for (m, s) in models if m == a.left} & {s for (m, s) in models if m == a.right}, key=int)
if not seeds: sys.exit(f'no seed has both {a.left!r} and {a.right!r}; methods: {sorted({m for m, _ in models})}')
for key in sorted(ambiguous):
    if key[0] in (a.left, a.right):
        sys.exit(f'two models of {key[0]!r}, seed {key[1]}, differ by something else of their run (e.g. the noise rate of '
                 f'Table 2): pick one with --where, e.g. --where noise.rate=0.15')
diffs = np.array([metric(*models[(a.left, s)]) - metric(*models[(a.right, s)]) for s in seeds])
n = len(diffs); mean = diffs.mean()
print(f'{a.left} - {a.right}, metric {a.metric}, seeds {seeds}: per-seed differences {np.round(diffs, 3).tolist()}, mean {mean:+.3f}')
if n > 1:
    h = stats.t.ppf(0.975, n - 1) * diffs.std(ddof=1) / np.sqrt(n)
    print(f'  95% t interval over {n} seeds: [{mean - h:+.3f}, {mean + h:+.3f}]')
rng = np.random.default_rng(a.seed)
per0, dom0 = models[(a.left, seeds[0])]
sizes = {s: len(per0[s]) for s in sets_of(dom0)}
boot = np.empty(a.resamples)
for b in range(a.resamples):
    idx = {s: rng.integers(0, k, k) for s, k in sizes.items()}
    boot[b] = np.mean([metric(*models[(a.left, s)], idx) - metric(*models[(a.right, s)], idx) for s in seeds])
print(f'  95% paired bootstrap over {sum(sizes.values())} test images ({a.resamples} resamples): [{np.percentile(boot, 2.5):+.3f}, {np.percentile(boot, 97.5):+.3f}]')
