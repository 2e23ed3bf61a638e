/**
 * "Did you mean" for misspelt option names, format names and rule ids, as git, cargo and ESLint offer it: the
 * candidate nearest by edit distance (a swap of two neighbours counts as one edit), if near enough to be a typo.
 */

function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/**
 * The nearest candidate, or null when none is within a third of the word's length (at most 3 edits; a word of one
 * or two letters gets no guess but its other case). A word of three letters or more that starts a candidate reads as
 * that candidate cut short (--form for --format), the shortest such first.
 */
export function nearest(word: string, candidates: readonly string[]): string | null {
  const w = word.toLowerCase();
  const limit = Math.min(3, Math.floor(w.length / 3));
  let best: { candidate: string; d: number } | null = null;
  for (const candidate of candidates) {
    const c = candidate.toLowerCase();
    const d = w.length >= 3 && c.startsWith(w) ? 1 : distance(w, c);
    const better = !best || d < best.d || (d === best.d && candidate.length < best.candidate.length);
    if (d <= limit && better) best = { candidate, d };
  }
  return best?.candidate ?? null;
}

/** "; did you mean 'x'?" for the nearest candidate, or '' when none is near. `quote` formats it ('--x', "'x'"). */
export function didYouMean(word: string, candidates: readonly string[], quote: (s: string) => string = (s) => `'${s}'`): string {
  const hit = nearest(word, candidates);
  return hit === null ? '' : `; did you mean ${quote(hit)}?`;
}
