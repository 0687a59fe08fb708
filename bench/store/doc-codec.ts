import { loadavg } from 'node:os';
import { brotliCompressSync, constants } from 'node:zlib';
import { withoutSegmentEmbeddings } from '../../indexer/call-store.ts';
import { packDoc, serializeDoc, unpackDoc, type StoredBlob } from '../../indexer/sqlite/doc-codec.ts';
import { normaliseTerms } from '../../indexer/text-terms.ts';
import { searchTokens } from '../../nlp/segmenter.ts';
import { syntheticCalls } from './synthetic-calls.ts';

/**
 * The stored document's codecs (indexer/sqlite/doc-codec.ts) on synthetic calls: CPU to pack and
 * to unpack a document, and its bytes — brotli JSON (codec NULL, before) beside v8 + LZ4 without
 * (0) and with a dictionary (1, cut from other calls as a store does) — and the index terms of a
 * call's segments, regex path (before) beside the code-unit path.
 *
 *   node --import tsx bench/store/doc-codec.ts [calls=3000]
 */
const calls = Number(process.argv[2] ?? 3000);
const docs = [...syntheticCalls(calls, { chronological: true })].map(withoutSegmentEmbeddings);
const dictionary = Buffer.concat([...syntheticCalls(20, { seed: 99, startDate: '2024-01-01' })].map((d) => serializeDoc(withoutSegmentEmbeddings(d)))).subarray(-65536);
const dictionaryOf = () => dictionary;
const BROTLI = { params: { [constants.BROTLI_PARAM_QUALITY]: 1 } };

/** CPU µs a document (best of 3 rounds) and what the last round returned. */
function cpu<T>(fn: (i: number) => T): { us: number; out: T[] } {
  let best = Infinity;
  let out: T[] = [];
  for (let round = 0; round < 3; round++) {
    const c0 = process.cpuUsage();
    out = docs.map((_, i) => fn(i));
    const c = process.cpuUsage(c0);
    best = Math.min(best, (c.user + c.system) / docs.length);
  }
  return { us: best, out };
}

const rows: string[] = [];
const codecs: Array<[name: string, pack: (i: number) => StoredBlob]> = [
  ['brotli q1 JSON (before; codec NULL)', (i) => ({ blob: brotliCompressSync(JSON.stringify(docs[i]), BROTLI), codec: null })],
  ['v8 + LZ4 (codec 0)', (i) => ({ blob: packDoc(serializeDoc(docs[i]!), null), codec: 0 })],
  ['v8 + LZ4 + dictionary (codec ≥ 1)', (i) => ({ blob: packDoc(serializeDoc(docs[i]!), dictionary), codec: 1 })],
];
for (const [name, pack] of codecs) {
  const packed = cpu(pack);
  const unpacked = cpu((i) => unpackDoc(packed.out[i]!, dictionaryOf));
  const bytes = packed.out.reduce((a, b) => a + b.blob.length, 0) / docs.length;
  rows.push(`| ${name} | ${packed.us.toFixed(1)} | ${Math.round(bytes).toLocaleString('en-US')} | ${unpacked.us.toFixed(1)} |`);
}

/** normaliseTerms as it was (regex per word), with searchTokens' old filter. */
function regexTerms(words: string[]): string[] {
  const out: string[] = [];
  for (const w of words.filter((t) => /[\p{L}\p{N}]/u.test(t))) {
    if (/^[\p{L}\p{N}]+$/u.test(w)) out.push(w.toLowerCase());
    else for (const t of w.toLowerCase().split(/[^\p{L}\p{N}]+/u)) if (t.length > 0) out.push(t);
  }
  return out;
}
const cut = docs.map((d) => d.segments.map((s) => searchTokens(s.textMasked)));
const jieba = cpu((i) => docs[i]!.segments.map((s) => searchTokens(s.textMasked)));
const before = cpu((i) => cut[i]!.map(regexTerms));
const after = cpu((i) => cut[i]!.map(normaliseTerms));

console.log(`\nStored document codecs, ${calls.toLocaleString('en-US')} synthetic calls (segment embeddings left out, as stored); CPU µs a call, best of 3; load average ${loadavg()[0]!.toFixed(1)} (2-core machine shared with other work)\n`);
console.log('| codec | pack, µs | bytes | unpack (to the object), µs |');
console.log('| --- | ---: | ---: | ---: |');
for (const r of rows) console.log(r);
console.log('\n| index terms of a call | µs |');
console.log('| --- | ---: |');
console.log(`| jieba searchTokens (every segment) | ${jieba.us.toFixed(1)} |`);
console.log(`| terms from its words, regex path (before) | ${before.us.toFixed(1)} |`);
console.log(`| terms from its words, code-unit path | ${after.us.toFixed(1)} |`);
