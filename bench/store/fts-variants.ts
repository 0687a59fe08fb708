import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { indexTerms } from '../../indexer/text-terms.ts';
import { searchTokens } from '../../nlp/segmenter.ts';
import { syntheticCalls } from './synthetic-calls.ts';

/**
 * FTS5 table layouts for the embedded store's segment text, alone: the words are cut before the
 * clock, then inserted in recording order, 2,000 calls a transaction (as putMany does). CPU µs and
 * bytes a call per layout.
 *
 *   node --import tsx bench/store/fts-variants.ts [calls=20000] [REGEX of variant names]
 */
const calls = Number(process.argv[2] ?? 20_000);
const only = process.argv[3] ? new RegExp(process.argv[3]) : null;
const docs = [...syntheticCalls(calls)]
  .map((d) => ({ t: Date.parse(d.recordedAt!), segs: d.segments.map((s) => ({ role: s.role, terms: indexTerms({ index: searchTokens }, s.textMasked).join(' ') })) }))
  .sort((a, b) => a.t - b.t);

const TOKENIZE = `tokenize = 'unicode61 remove_diacritics 0'`;
const HASH_64MB = `INSERT INTO f(f, rank) VALUES('hashsize', 67108864)`;
const variants: Array<{ name: string; options: string; perRole?: boolean; setup?: string }> = [
  { name: 'v5: one row per segment, contentless_delete', options: `content = '', contentless_delete = 1, ${TOKENIZE}` },
  { name: 'v5 + hashsize 64 MB', options: `content = '', contentless_delete = 1, ${TOKENIZE}`, setup: HASH_64MB },
  { name: 'one row per segment, columnsize=0 (no contentless_delete)', options: `content = '', columnsize = 0, ${TOKENIZE}` },
  { name: 'one row per call and role (separator word between segments)', options: `content = '', contentless_delete = 1, ${TOKENIZE}`, perRole: true },
];

const dir = mkdtempSync(path.join(tmpdir(), 'callscope-fts-'));
const rows: string[] = [];
for (const v of variants.filter((v) => !only || only.test(v.name))) {
  const file = path.join(dir, `${rows.length}.sqlite`);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`CREATE VIRTUAL TABLE f USING fts5(agent, customer, unknown, ${v.options})`);
  if (v.setup) db.exec(v.setup);
  const insert = db.prepare('INSERT INTO f (rowid, agent, customer, unknown) VALUES (?, ?, ?, ?)');
  const c0 = process.cpuUsage();
  for (let b = 0; b < docs.length; b += 2000) {
    db.transaction(() => {
      for (let i = b; i < Math.min(docs.length, b + 2000); i++) {
        const d = docs[i]!;
        if (v.perRole) {
          const by: Record<string, string[]> = { agent: [], customer: [], unknown: [] };
          for (const s of d.segs) by[s.role]!.push(s.terms);
          insert.run(i, by.agent!.join(' zzsegment '), by.customer!.join(' zzsegment '), by.unknown!.join(' zzsegment '));
        } else d.segs.forEach((s, k) => insert.run(i * 4096 + k, s.role === 'agent' ? s.terms : '', s.role === 'customer' ? s.terms : '', s.role === 'unknown' ? s.terms : ''));
      }
    })();
  }
  const c = process.cpuUsage(c0);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  rows.push(`| ${v.name} | ${((c.user + c.system) / calls).toFixed(0)} | ${(statSync(file).size / calls).toFixed(0)} |`);
}
rmSync(dir, { recursive: true, force: true });
console.log(`\nFTS5 inserts alone, ${calls.toLocaleString('en-US')} synthetic calls (load average ${loadavg()[0]!.toFixed(1)}; 2 shared cores)\n`);
console.log('| layout | CPU µs a call | bytes a call |\n| --- | ---: | ---: |');
for (const r of rows) console.log(r);
