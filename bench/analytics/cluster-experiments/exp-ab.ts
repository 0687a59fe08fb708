import { prepare, V } from './base.ts';
import { fitX, logJoint } from './dmmx.ts';
const grid: Array<[number, number]> = JSON.parse(process.argv[3]!);
for (const name of process.argv[2]!.split(',')) {
  const p = prepare(name);
  const nv = p.features.length;
  for (const [alpha, beta] of grid) {
    const vs: number[] = [], ls: number[] = [];
    for (const seed of [1, 2, 3]) {
      const z = fitX(p.bags, nv, { k: p.k, alpha, beta, sweeps: 30, hardSweeps: 3, seed });
      vs.push(V(p.truth, z)); ls.push(logJoint(p.bags, nv, z, p.k, alpha, beta));
    }
    const m = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;
    console.log(name, 'a', alpha, 'b', beta, 'V', m(vs).toFixed(3), vs.map((x) => x.toFixed(3)).join(','), 'LL', m(ls).toFixed(0), ls.map((x) => x.toFixed(0)).join(','));
  }
}
