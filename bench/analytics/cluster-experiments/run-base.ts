import { baseline, prepare, V } from './base.ts';
for (const name of process.argv[2]!.split(',')) {
  const p = prepare(name);
  console.log(name, 'empty bags', p.bags.filter((b) => b.length === 0).length);
  for (const seed of [1, 2, 3]) { const t = performance.now(); const z = baseline(name, p, seed); console.log(name, seed, V(p.truth, z).toFixed(3), ((performance.now() - t) / 1000).toFixed(1) + 's'); }
}
