import { baseline, prepare, V } from './base.ts';
import { dmmConfidence, selfTrain, type SelfTrainOpts } from './selftrain.ts';
const configs: Array<Partial<SelfTrainOpts> & { name: string }> = JSON.parse(process.argv[3]!);
for (const name of process.argv[2]!.split(',')) {
  const p = prepare(name);
  const v = p.features.length;
  for (const cfg of configs) {
    const vs: number[] = []; const base: number[] = [];
    let secs = 0;
    for (const seed of [1, 2, 3]) {
      const z0 = baseline(name, p, seed);
      base.push(V(p.truth, z0));
      const t = performance.now();
      const conf = dmmConfidence(p.bags, z0, p.k, v);
      const traj: string[] = [];
      const z = selfTrain(p.vectors, z0, conf, p.k, v, { iters: 5, keep: 0.7, model: 'lr', seed, ...cfg } as SelfTrainOpts, (it, zz) => traj.push(V(p.truth, zz).toFixed(3)));
      secs += (performance.now() - t) / 1000;
      vs.push(V(p.truth, z));
      if (seed === 1) console.log('  traj', traj.join(' '));
    }
    const m = (a: number[]) => (a.reduce((s, x) => s + x, 0) / a.length).toFixed(3);
    console.log(name, cfg.name, 'base', m(base), '->', m(vs), vs.map((x) => x.toFixed(3)).join(','), (secs / 3).toFixed(1) + 's');
  }
}
