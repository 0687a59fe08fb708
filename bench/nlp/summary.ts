/**
 * The NLP issue's one table: runs each NLP benchmark (each also runs alone and prints its own
 * detail) and gathers the headline figures beside their targets and references.
 *
 *   node --import tsx bench/nlp/summary.ts
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
function bench(name: string, ...args: string[]): string {
  process.stderr.write(`running bench/nlp/${name} …\n`);
  return execFileSync(process.execPath, ['--import', 'tsx', path.join(here, name), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
}
const cells = (line: string | undefined) => (line ?? '').split('|').map((c) => c.trim());
const row = (out: string, start: RegExp) => cells(out.split('\n').find((l) => start.test(l)));

const stage = bench('stage-throughput.ts', '5');
const pii = bench('pii.ts');
const emotion = bench('emotion.ts');
const taxonomy = bench('taxonomy.ts');
const calls = bench('call-emotion.ts');

const rows: string[][] = [];
const lsa2 = row(stage, /^\| trained .*\| 2 /);
const tf = row(stage, /^\| transformers/);
rows.push(['NLP stage throughput, trained LSA provider, 2 cores', `${lsa2[3]} calls/s`, '≥ 1,000 calls/s']);
rows.push(['NLP stage throughput, transformers.js (random-weight bge-small-zh shape), 2 cores', `${tf[3]} calls/s`, '≥ 50 calls/s']);
const all = pii.split('\n').find((l) => l.startsWith('ALL'))!.split('|').map((c) => c.trim());
const pr = (cell: string) => cell.split(/\s+/).slice(0, 2).join(' / ');
rows.push(['PII precision / recall, dev calls (text), all types', pr(all[1]!), 'recall 100 %, precision ≥ 98 %']);
rows.push(['PII precision / recall, dev calls (spoken numerals)', pr(all[2]!), 'recall 100 %, precision ≥ 98 %']);
rows.push(['PII precision / recall, 600 generated spoken-number variants', pr(all[3]!), 'recall 100 %, precision ≥ 98 %']);
// The dev truth labels a payee's name but not a customer's own (我叫…): those masks count as false alarms above.
const unlabelled = pii.match(/(\d+) person_name "FP" are self-introductions.*ALL P ([\d.]+%)/);
if (unlabelled) rows.push([`PII precision, dev calls, not counting ${unlabelled[1]} unlabelled self-introduced names`, unlabelled[2]!, 'precision ≥ 98 %']);
for (const corpus of ['chnsenticorp_hotel', 'waimai_10k', 'online_shopping_10_cats', 'smp2020_ewect_emotion']) {
  const r = row(emotion, new RegExp(`^\\| ${corpus}`));
  rows.push([`emotion, ${corpus} held-out: accuracy / macro-F1 (lexicon baseline)`, `${r[3]} / ${r[4]} (${r[5]} / ${r[6]})`, r[7] || '—']);
}
const tax = taxonomy.match(/category accuracy (\d+\/\d+), complaint accuracy (\d+\/\d+)/)!;
rows.push(['taxonomy: call category = truth category, dev calls', tax[1]!, '—']);
rows.push(['taxonomy: complaint / not complaint = truth, dev calls', tax[2]!, '—']);
rows.push(['customer negative at the end = truth, dev calls', calls.match(/agreement (\d+\/\d+)/)![1]!, '—']);

console.log('| measure | value | target / reference |');
console.log('|---|---|---|');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
