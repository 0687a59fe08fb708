import type { CallDoc, Score, Segment } from '../core/schemas.ts';
import { ok, type Stage } from '../core/stage.ts';
import type { TextEmbedder } from '../nlp/embeddings/text-embedder.ts';
import { embedderFor, similarityFor } from '../nlp/embeddings/segment-vectors.ts';
import { type Condition, isLeaf, walk } from './conditions.ts';
import { inCardScope, scoreCall, type ScoringInput } from './evaluate.ts';
import type { Scorecard } from './scorecard.ts';

export type ScoreInput = Omit<ScoringInput, 'similarity'>;

/** What scoring reads of a call: the same from the pipeline's stage outputs or from an indexed document. */
export function scoringInputOf(call: Pick<CallDoc, 'segments' | 'meta' | 'durationSec' | 'speech' | 'nlp'> & { acoustics?: CallDoc['acoustics'] }): ScoreInput {
  return {
    ...(call.acoustics?.keywordHits ? { keywordHits: call.acoustics.keywordHits } : {}),
    segments: call.segments,
    meta: call.meta,
    durationSec: call.durationSec ?? 0,
    speech: call.speech,
    tags: call.nlp?.tags ?? [],
    emotionStart: { agent: call.nlp?.agentEmotion?.start ?? null, customer: call.nlp?.customerEmotion?.start ?? null },
    emotionEnd: { agent: call.nlp?.agentEmotion?.end ?? null, customer: call.nlp?.customerEmotion?.end ?? null },
  };
}

function conditionsOf(card: Scorecard): Condition[] {
  return card.checkpoints.flatMap((cp) => [cp.when, ...(cp.appliesWhen ? [cp.appliesWhen] : [])]);
}

/** Per card, worked out once: grading asks for every call. */
const examplesOf = new WeakMap<Scorecard, string[]>();

function semanticExamples(card: Scorecard): string[] {
  let examples = examplesOf.get(card);
  if (!examples) {
    examples = conditionsOf(card).flatMap((root) => [...walk(root)].flatMap(([n]) => (isLeaf(n) && n.semantic ? n.semantic.examples : [])));
    examplesOf.set(card, examples);
  }
  return examples;
}

/** Each segment's similarity to each example, computed once per call (segment-vectors caches example vectors per process). */
async function similarityOf(embedder: TextEmbedder, segments: Segment[], examples: string[]): Promise<ScoringInput['similarity']> {
  const distinct = [...new Set(examples)];
  const texts = segments.map((s) => s.textMasked);
  const table = await similarityFor(embedder, new Map())(texts, distinct);
  const row = new Map(texts.map((t, i) => [t, table[i]!]));
  const column = new Map(distinct.map((e, j) => [e, j]));
  return (segment, exs) => Math.max(...exs.map((e) => row.get(segment.textMasked)![column.get(e)!]!));
}

/**
 * Grades a call with every scorecard whose scope includes it. Semantic conditions use the best
 * embedder under `modelsDir`, loaded once per process, and only when a card needs it.
 */
export async function scoreWithCards(cards: Scorecard[], input: ScoreInput, modelsDir: string): Promise<Score[]> {
  const mine = cards.filter((card) => inCardScope(card, input.meta));
  const examples = mine.flatMap(semanticExamples);
  const similarity = examples.length > 0 ? await similarityOf(await embedderFor(modelsDir), input.segments, examples) : undefined;
  return mine.map((card) => scoreCall(card, { ...input, similarity }));
}

/**
 * The stage version names every scorecard by id, version and content digest, so publishing a new
 * one (or editing one in place) re-scores every call — and older results stay in the record store.
 * It names the embedder as well when a card has semantic conditions.
 */
/** Whether a card has semantic conditions (then grading needs the embedder). */
export const usesSemantic = (card: Scorecard): boolean => semanticExamples(card).length > 0;

export function createScoreStage(scorecards: Scorecard[], embedderName: string): Stage<ScoreInput, Score[]> {
  const semantic = scorecards.some(usesSemantic);
  return {
    name: 'score',
    // `2:<embedder>+…` when a card has semantic conditions: their results depend on the embedder too.
    version: `2${semantic ? `:${embedderName}` : ''}+${scorecards.map((c) => `${c.id}@${c.version}~${c.digest}`).join(',')}`,
    async run(input, ctx) {
      return ok(await scoreWithCards(scorecards, input, ctx.config.modelsDir));
    },
  };
}
