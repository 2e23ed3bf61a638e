import { performance } from 'node:perf_hooks';
import { allRules } from '../rules/index.js';
import { lintText } from '../src/engine.js';

/**
 * Analysis cost against function size: one function with N units of branches,
 * loops, writes and arithmetic on the count after a vmsplice (lowering to the IR included). Linear analysis keeps the time per unit
 * flat as N doubles. Run: npm run bench:cfg
 */

function source(units: number): string {
  // The count flows through every unit, so the result dataflow (src/analysis/result-use.ts) works the whole function.
  const body: string[] = ['    struct iovec v = { buf, n };', '    ssize_t r = vmsplice(wfd, &v, 1, 0);', '    if (r < 0) return -1;'];
  for (let i = 0; i < units; i++) {
    body.push(
      `    if (c == ${i}) { buf[${i % 64}] = (char)c; } else if (c > ${i}) { c--; r -= c; }`,
      `    while (c > ${i * 2}) { if (c & 1) break; c -= 2; }`,
      `    switch (c) { case ${i}: c++; /* fall through */ case ${i + 1}: c--; break; default: break; }`,
    );
  }
  body.push('    return c;');
  return `#include <sys/uio.h>\nint big(int wfd, char *buf, size_t n, int c)\n{\n${body.join('\n')}\n}\n`;
}

function time(text: string): number {
  const runs: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    lintText('big.c', text, { rules: allRules });
    runs.push(performance.now() - t0);
  }
  return runs.sort((a, b) => a - b)[2];
}

time(source(50));
console.log('units  lines  findings  median ms  us/unit');
for (const units of [100, 200, 400, 800, 1600]) {
  const text = source(units);
  const ms = time(text);
  const findings = lintText('big.c', text, { rules: allRules }).findings.length;
  console.log(
    `${String(units).padStart(5)}  ${String(text.split('\n').length).padStart(5)}  ${String(findings).padStart(8)}  ${ms.toFixed(1).padStart(9)}  ${((ms * 1000) / units).toFixed(0).padStart(7)}`,
  );
}
