import type { Stage } from '../core/stage.ts';
import { transcribeStage, type TranscribeOutput } from '../asr/transcribe-stage.ts';
import { analyzeStage, type AnalyzeOutput } from '../nlp/analyze-stage.ts';
import { createScoreStage, scoringInputOf } from '../scoring-models/score-stage.ts';
import { bestEmbedderName } from '../nlp/embeddings/best-embedder.ts';
import type { Scorecard } from '../scoring-models/scorecard.ts';
import { stableStringify } from '../core/stable-json.ts';
import { type CallRecord, sha256 } from './record-store.ts';

/** Outputs gathered so far for one call, by stage name. */
export type Outputs = { transcribe?: TranscribeOutput; analyze?: AnalyzeOutput; score?: unknown };

export type StageName = 'transcribe' | 'analyze' | 'score';

export type Step = {
  stage: Stage<any, any>;
  /** The earlier stages whose outputs this step reads. */
  after: StageName[];
  /** What the step reads from the call record itself. */
  own(call: CallRecord): unknown;
  /** Builds the stage input from the call and the outputs of the stages before it. */
  input(call: CallRecord, out: Outputs): unknown;
};

/**
 * A step's cache key (the `inputHash` of its stored output). A step that reads earlier outputs is
 * keyed by their keys, not by their content (a Merkle key): outputs are determined by their stage
 * version and input, so nothing large is ever re-hashed — which is what lets re-scoring run at
 * thousands of calls a second. A first step is keyed by its own input, as it always was.
 */
export function stepKey(step: Step, call: CallRecord, keys: Partial<Record<StageName, string>>): string {
  const own = step.own(call);
  if (step.after.length === 0) return sha256(stableStringify(own));
  return sha256(stableStringify({ own, after: step.after.map((n) => keys[n]) }));
}

/** The identity of a stored output: stage, version and input key. */
export function outputKey(stage: string, version: string, inputHash: string): string {
  return sha256(`${stage}@${version}:${inputHash}`);
}

/** The step whose output is a call's grades: re-scoring re-runs only it (CallStore.putGrades). */
export const GRADE_STAGE: StageName = 'score';

/**
 * The index document's fingerprint: everything it is built from (its outputs by their keys), in two
 * parts — `<base>.<grade>`. The base covers all but the grades, so a store can tell that new grades
 * belong to the document it holds (CallStore.putGrades).
 */
export function docKey(
  call: CallRecord,
  keys: Partial<Record<StageName, string>>,
  warnings: { before: string[]; grade: string[] },
): { docHash: string; baseHash: string } {
  const { [GRADE_STAGE]: grade, ...rest } = keys;
  const baseHash = sha256(stableStringify({ call, outputs: rest, warnings: warnings.before }));
  return { baseHash, docHash: `${baseHash}.${sha256(stableStringify({ grade: grade ?? null, warnings: warnings.grade }))}` };
}

/** The grade step's input, kept (in the record store's table) so re-grading reads one small record. */
export const GRADE_INPUT = { stage: 'score-input', version: '1' } as const;
export type GradeInput = { input: unknown; warnings: string[] };

/**
 * The pipeline graph, in one place: transcribe → analyze → score, then the runner indexes the
 * assembled document. Each step has a cache key (stepKey): a step re-runs only when its input or
 * its version changed, so a new scorecard re-scores without re-running ASR.
 */
export function pipelineSteps(scorecards: Scorecard[], modelsDir: string): Step[] {
  const embedder = bestEmbedderName(modelsDir);
  return [
    {
      stage: transcribeStage,
      after: [],
      own: (call) => ({ audioFile: call.audioFile, transcriptFile: call.transcriptFile }),
      input: (call) => ({ audioFile: call.audioFile, transcriptFile: call.transcriptFile }),
    },
    {
      // Embeddings (call vector, taxonomy similarity) depend on the embedder: its name is part of the version.
      stage: { ...analyzeStage, version: `${analyzeStage.version}:${embedder}` },
      after: ['transcribe'],
      own: () => null,
      input: (_call, out) => ({ segments: out.transcribe!.segments }),
    },
    {
      stage: createScoreStage(scorecards, embedder),
      after: ['transcribe', 'analyze'],
      own: (call) => call.meta,
      input: (call: CallRecord, out) =>
        scoringInputOf({
          segments: out.analyze!.segments,
          nlp: out.analyze!.nlp,
          meta: call.meta,
          durationSec: out.transcribe!.durationSec,
          speech: out.transcribe!.speech,
          acoustics: out.transcribe!.acoustics,
        }),
    },
  ];
}
