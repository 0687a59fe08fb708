import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CallTag, Segment } from '../core/schemas.ts';
import { ok, type Stage } from '../core/stage.ts';
import type { RawSegment } from '../asr/transcript.ts';
import { Lexicon } from './lexicon.ts';
import { roleEmotion, segmentEmotion, type RoleEmotionSummary } from './emotion/segment-emotion.ts';
import { maskSegments } from './pii/index.ts';
import { tokenize } from './segmenter.ts';
import { ComplaintTagger } from './taxonomy/tagger.ts';
import { embedderFor, embedInto, meanVector, similarityFor } from './embeddings/segment-vectors.ts';

const lexiconDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'lexicons');

let lexicons: Lexicon[] | undefined;
export function shippedLexicons(): Lexicon[] {
  lexicons ??= readdirSync(lexiconDir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => Lexicon.load(path.join(lexiconDir, f)));
  return lexicons;
}

export type AnalyzeInput = { segments: RawSegment[] };
export type AnalyzeOutput = {
  segments: Segment[];
  nlp: {
    tags: CallTag[];
    category: { id: string; path: string; complaint: boolean; confidence: number } | null;
    customerEmotion: RoleEmotionSummary | null;
    agentEmotion: RoleEmotionSummary | null;
    forbiddenHits: number;
    sensitiveHits: number;
    piiFound: string[];
    embedding: { model: string; vector: number[] };
    segmentEmbeddings: { model: string; vectors: Array<{ segmentId: string; vector: number[] }> };
  };
};

let tagger: ComplaintTagger | undefined;

export const analyzeStage: Stage<AnalyzeInput, AnalyzeOutput> = {
  name: 'analyze',
  version: '11', // 11: segment embeddings
  async run(input, ctx) {
    const lex = shippedLexicons();
    // PII is found across the whole call (a number may run over several segments) and masked
    // before anything else sees the text; lexicons then match the masked text, so offsets line up
    // with what users see.
    const masked = maskSegments(input.segments);
    const piiFound = new Set(masked.flatMap((m) => m.spans.map((s) => s.type)));
    const emotions = masked.map((m) => segmentEmotion(m.textMasked));
    const segments: Segment[] = input.segments.map((s, i) => {
      const { textMasked, masks } = masked[i]!;
      const hits = lex.filter((l) => l.roles.has(s.role)).flatMap((l) => l.match(textMasked));
      const seg: Segment = {
        id: `s${i}`,
        role: s.role,
        start: s.start,
        end: s.end,
        text: s.text,
        textMasked,
        tokens: tokenize(textMasked),
        hits,
        pii: masks,
      };
      const { label, score, by } = emotions[i]!;
      seg.emotion = { label, score, by };
      if (s.channel !== undefined) seg.channel = s.channel;
      if (s.speaker !== undefined) seg.speaker = s.speaker;
      return seg;
    });
    const count = (name: string) => segments.reduce((n, s) => n + s.hits.filter((h) => h.lexicon === name).length, 0);
    tagger ??= ComplaintTagger.load();
    // Customer sentences carry the reason for the call: they are what gets embedded.
    const embedder = await embedderFor(ctx.config.modelsDir);
    const vectors = new Map<string, Float32Array>();
    const spoken = segments.filter((s) => s.role === 'customer' && s.textMasked.trim());
    const basis = (spoken.length ? spoken : segments).map((s) => s.textMasked);
    await embedInto(embedder, basis, vectors);
    const callVector = meanVector(basis.map((t) => vectors.get(t)!), embedder.dim);
    // Every segment with text gets its own vector ("utterances like this one"); repeated texts are embedded once.
    const withText = segments.filter((s) => s.textMasked.trim());
    await embedInto(embedder, withText.map((s) => s.textMasked), vectors);
    const round = (v: Float32Array) => Array.from(v, (x) => Math.round(x * 1e4) / 1e4);
    const emotionInput = segments.map((s, i) => ({ role: s.role, start: s.start, text: s.textMasked, emotion: emotions[i]! }));
    const tags = await tagger.tag(segments, similarityFor(embedder, vectors));
    const top = tags[0];
    return ok({
      segments,
      nlp: {
        tags: tags.map(({ id, path, complaint, confidence, via, evidence }) => ({
          id,
          path,
          complaint,
          confidence,
          via,
          segmentIds: [...new Set(evidence.map((e) => e.segmentId))],
        })),
        category: top ? { id: top.id, path: top.path, complaint: top.complaint, confidence: top.confidence } : null,
        customerEmotion: roleEmotion(emotionInput, 'customer'),
        agentEmotion: roleEmotion(emotionInput, 'agent'),
        forbiddenHits: count('forbidden'),
        sensitiveHits: count('sensitive'),
        piiFound: [...piiFound],
        embedding: { model: embedder.id, vector: round(callVector) },
        segmentEmbeddings: { model: embedder.id, vectors: withText.map((s) => ({ segmentId: s.id, vector: round(vectors.get(s.textMasked)!) })) },
      },
    });
  },
};
