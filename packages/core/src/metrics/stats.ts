/**
 * Exact tail probabilities for counts (pure, no dependencies). Sums of terms in log space, so they
 * stay exact to double precision for the counts a load balancer produces (millions of requests).
 */

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7; relative error below 1e-13). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** ln of k! (exact table for small k). */
function logFactorial(k: number): number {
  if (k < 2) return 0;
  if (k < 21) {
    let f = 1;
    for (let i = 2; i <= k; i++) f *= i;
    return Math.log(f);
  }
  return logGamma(k + 1);
}

function checkCount(name: string, k: number): void {
  if (!Number.isInteger(k) || k < 0) throw new RangeError(`${name} must be a non-negative integer, got ${k}`);
}

/** Sums exp(terms) stably (log-sum-exp). */
function sumExp(logs: number[]): number {
  if (logs.length === 0) return 0;
  const max = Math.max(...logs);
  if (max === Number.NEGATIVE_INFINITY) return 0;
  let s = 0;
  for (const l of logs) s += Math.exp(l - max);
  return Math.min(1, Math.exp(max) * s);
}

function poissonLogPmf(i: number, lambda: number): number {
  if (lambda === 0) return i === 0 ? 0 : Number.NEGATIVE_INFINITY;
  return i * Math.log(lambda) - lambda - logFactorial(i);
}

/** P(X ≤ k) for X ~ Poisson(λ). */
export function poissonCdf(k: number, lambda: number): number {
  checkCount('k', k);
  if (!(lambda >= 0)) throw new RangeError(`lambda must be >= 0, got ${lambda}`);
  const logs: number[] = [];
  for (let i = 0; i <= k; i++) logs.push(poissonLogPmf(i, lambda));
  return sumExp(logs);
}

/** P(X ≥ k) for X ~ Poisson(λ). */
export function poissonSf(k: number, lambda: number): number {
  checkCount('k', k);
  if (k === 0) return 1;
  const below = poissonCdf(k - 1, lambda);
  if (below < 0.5) return 1 - below;
  // Upper tail summed directly (1 − cdf would lose precision), up to where terms vanish.
  const logs: number[] = [];
  for (let i = k; i < k + 10_000; i++) {
    const l = poissonLogPmf(i, lambda);
    logs.push(l);
    if (i > lambda && l < logs[0]! - 50) break;
  }
  return sumExp(logs);
}

function binomialLogPmf(i: number, n: number, p: number): number {
  if (p === 0) return i === 0 ? 0 : Number.NEGATIVE_INFINITY;
  if (p === 1) return i === n ? 0 : Number.NEGATIVE_INFINITY;
  return logFactorial(n) - logFactorial(i) - logFactorial(n - i) + i * Math.log(p) + (n - i) * Math.log1p(-p);
}

/** P(X ≤ k) for X ~ Binomial(n, p). */
export function binomialCdf(k: number, n: number, p: number): number {
  checkCount('k', k);
  checkCount('n', n);
  if (!(p >= 0 && p <= 1)) throw new RangeError(`p must be in [0, 1], got ${p}`);
  if (k >= n) return 1;
  const logs: number[] = [];
  for (let i = 0; i <= k; i++) logs.push(binomialLogPmf(i, n, p));
  return sumExp(logs);
}

/** P(X ≥ k) for X ~ Binomial(n, p). */
export function binomialSf(k: number, n: number, p: number): number {
  checkCount('k', k);
  checkCount('n', n);
  if (k === 0) return 1;
  if (k > n) return 0;
  const logs: number[] = [];
  for (let i = k; i <= n; i++) {
    const l = binomialLogPmf(i, n, p);
    logs.push(l);
    if (i > n * p && l < logs[0]! - 50) break;
  }
  return sumExp(logs);
}

/** A probability in words and digits (`3.2e-7`, `0.041`). */
export function formatProbability(p: number): string {
  if (p === 0) return '0';
  if (p < 0.001) return p.toExponential(1);
  if (p < 0.1) return p.toFixed(3);
  return p.toFixed(2);
}
