/**
 * Levenshtein distance (insertions, deletions and substitutions each cost 1), for "did you mean" hints: pipeline keys
 * and stage names (`@ldl-alsg/pipeline` `suggest`) and dataset paths that differ from what is on disk by a typo.
 */

/** Edit distance between `a` and `b`, case-sensitive (lower-case both for a case-blind hint). One row of O(|b|) memory. */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}
