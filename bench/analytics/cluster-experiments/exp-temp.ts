import { prepare, V } from './base.ts';
import { fitX, logJoint } from './dmmx.ts';
const specs: Array<{ name: string; t0: number; frac: number; sweeps?: number }> = JSON.parse(process.argv[3]!);
for (const name of process.argv[2]!.split(',')) {
  const p = prepare(name);
  const nv = p.features.length;
  for (const sp of specs) {
    const vs: number[] = [], ls: number[] = [];
    const sweeps = sp.sweeps ?? 30;
    const temp = (s: number) => Math.max(1, sp.t0 - (sp.t0 - 1) * s / (sp.frac * sweeps));
    const t = performance.now();
    for (const seed of [1, 2, 3]) {
      const z = fitX(p.bags, nv, { k: p.k, alpha: 0.1, beta: 0.1, sweeps, hardSweeps: 3, seed, temp });
      vs.push(V(p.truth, z)); ls.push(logJoint(p.bags, nv, z, p.k, 0.1, 0.1));
    }
    const m = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;
    console.log(name, sp.name, 'V', m(vs).toFixed(3), vs.map((x) => x.toFixed(3)).join(','), 'LL', m(ls).toFixed(0), ls.map((x) => x.toFixed(0)).join(','), ((performance.now() - t) / 3000).toFixed(1) + 's');
  }
}
