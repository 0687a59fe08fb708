/**
 * The complaint taxonomy on the dev calls' vendor transcripts: the first tag (the call's category)
 * against `truth.categoryZh`, and complaint / not complaint against `truth.isComplaint`.
 *
 *   node --import tsx bench/nlp/taxonomy.ts
 */
import { maskSegments } from '../../nlp/pii/index.ts';
import { ComplaintTagger } from '../../nlp/taxonomy/tagger.ts';
import { devTranscript, MODELS_DIR, truthCalls } from '../../tests/helpers.ts';
import { embedderFor, similarityFor } from '../../nlp/embeddings/segment-vectors.ts';

const calls = truthCalls();
const tagger = ComplaintTagger.load();
const embedder = await embedderFor(MODELS_DIR);
console.log(`exemplar similarity with ${embedder.id}`);
const norm = (s: string) => s.replace(/[-/]/g, '/');
let category = 0;
let complaint = 0;
const t0 = performance.now();
console.log('| call | truth | tagged | complaint (truth → tagged) |');
console.log('|---|---|---|---|');
for (const c of calls) {
  const segs = await devTranscript(c.audioFile);
  const masked = maskSegments(segs);
  const tags = await tagger.tag(
    segs.map((s, i) => ({ id: `s${i}`, role: s.role, textMasked: masked[i]!.textMasked })),
    similarityFor(embedder, new Map()),
  );
  const top = tags[0];
  // The corpus names leaves 类别-子类 and single-level categories by the category alone.
  const ok = top !== undefined && (norm(c.truth.categoryZh) === top.path || norm(c.truth.categoryZh) === top.path.split('/')[0]);
  category += ok ? 1 : 0;
  complaint += (top?.complaint ?? false) === c.truth.isComplaint ? 1 : 0;
  console.log(`| ${c.callId} | ${c.truth.categoryZh} | ${top?.path ?? '—'} ${ok ? '✓' : '✗'} | ${c.truth.isComplaint} → ${top?.complaint ?? false} |`);
}
const ms = performance.now() - t0;
console.log(`\ncategory accuracy ${category}/${calls.length}, complaint accuracy ${complaint}/${calls.length}, ${(calls.length / (ms / 1000)).toFixed(0)} calls/s (incl. reading transcripts)`);
