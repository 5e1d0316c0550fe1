/** Test helper: pass@k counted over every k-subset of n samples (c correct), independent of src/eval/passk.ts. */
export function subsetPassAtK(n: number, c: number, k: number): number {
  let hit = 0;
  let all = 0;
  const walk = (start: number, left: number, correct: boolean) => {
    if (left === 0) {
      all++;
      if (correct) hit++;
      return;
    }
    for (let i = start; i <= n - left; i++) walk(i + 1, left - 1, correct || i < c);
  };
  walk(0, k, false);
  return hit / all;
}
