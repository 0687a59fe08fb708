import type { Score, Segment } from '../core/schemas.ts';
import { ok, type Stage } from '../core/stage.ts';
import type { TextEmbedder } from '../nlp/embeddings/text-embedder.ts';
import { embedderFor, embedInto } from '../nlp/embeddings/segment-vectors.ts';
import { isLeaf, walk } from './conditions.ts';
import { inCardScope, scoreCall, type ScoringInput } from './evaluate.ts';
import type { Scorecard } from './scorecard.ts';

export type ScoreInput = Omit<ScoringInput, 'similarity'>;

export function usesSemantic(card: Scorecard): boolean {
  return card.checkpoints.some((cp) =>
    [cp.when, ...(cp.appliesWhen ? [cp.appliesWhen] : [])].some((root) => [...walk(root)].some(([n]) => isLeaf(n) && n.semantic !== undefined)),
  );
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** Embeds the call's segments once, and each example sentence once per process. */
async function similarityOf(embedder: TextEmbedder, segments: Segment[], cards: Scorecard[]): Promise<ScoringInput['similarity']> {
  const vectors = new Map<string, Float32Array>();
  const examples = cards.flatMap((card) =>
    card.checkpoints.flatMap((cp) =>
      [cp.when, ...(cp.appliesWhen ? [cp.appliesWhen] : [])].flatMap((root) => [...walk(root)].flatMap(([n]) => (isLeaf(n) && n.semantic ? n.semantic.examples : []))),
    ),
  );
  await embedInto(embedder, [...segments.map((s) => s.textMasked), ...examples], vectors);
  return (segment, exs) => Math.max(...exs.map((e) => dot(vectors.get(segment.textMasked)!, vectors.get(e)!)));
}

/**
 * Grades the call with every scorecard whose scope includes it. The stage version names every
 * scorecard version, so publishing a new one re-scores every call (and keeps the old results).
 */
export function createScoreStage(scorecards: Scorecard[]): Stage<ScoreInput, Score[]> {
  const semantic = scorecards.filter(usesSemantic);
  return {
    name: 'score',
    version: `2+${scorecards.map((c) => `${c.id}@${c.version}`).join(',')}`,
    async run(input, ctx) {
      const cards = scorecards.filter((card) => inCardScope(card, input.meta));
      const similarity = semantic.some((c) => cards.includes(c))
        ? await similarityOf(await embedderFor(ctx.config.modelsDir), input.segments, semantic)
        : undefined;
      return ok(cards.map((card) => scoreCall(card, { ...input, similarity })));
    },
  };
}
