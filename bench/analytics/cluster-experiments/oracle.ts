import { baseline, prepare, V } from './base.ts';
import { fitX, logJoint } from './dmmx.ts';
const p = prepare('thucnews_titles');
const labels = [...new Set(p.truth)].sort();
const init = Int32Array.from(p.truth, (l) => labels.indexOf(l));
const nv = p.features.length;
console.log('truth LL', logJoint(p.bags, nv, init, 10, 0.1, 0.1).toFixed(0));
const z = fitX(p.bags, nv, { k: 10, alpha: 0.1, beta: 0.1, sweeps: 30, hardSweeps: 3, seed: 1 }, init);
console.log('truth-init DMM V', V(p.truth, z).toFixed(3), 'LL', logJoint(p.bags, nv, z, 10, 0.1, 0.1).toFixed(0));
const zh = fitX(p.bags, nv, { k: 10, alpha: 0.1, beta: 0.1, sweeps: 3, hardSweeps: 3, seed: 1 }, init);
console.log('truth-init 3 hard sweeps V', V(p.truth, zh).toFixed(3), 'LL', logJoint(p.bags, nv, zh, 10, 0.1, 0.1).toFixed(0));
for (const s of [1, 2, 3]) { const b = baseline('thucnews_titles', p, s); console.log('consensus', s, V(p.truth, b).toFixed(3), 'LL', logJoint(p.bags, nv, b, 10, 0.1, 0.1).toFixed(0)); }
