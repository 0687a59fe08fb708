import type { Stage } from '../core/stage.ts';
import { transcribeStage, type TranscribeOutput } from '../asr/transcribe-stage.ts';
import { analyzeStage, type AnalyzeOutput } from '../nlp/analyze-stage.ts';
import { createScoreStage, scoringInputOf } from '../scoring-models/score-stage.ts';
import type { Scorecard } from '../scoring-models/scorecard.ts';
import type { CallRecord } from './record-store.ts';

/** Outputs gathered so far for one call, by stage name. */
export type Outputs = { transcribe?: TranscribeOutput; analyze?: AnalyzeOutput; score?: unknown };

export type Step = {
  stage: Stage<any, any>;
  /** Builds the stage input from the call and the outputs of the stages before it. */
  input(call: CallRecord, out: Outputs): unknown;
};

/**
 * The pipeline graph, in one place: transcribe → analyze → score, then the runner indexes the
 * assembled document. Each step's input is hashed: a step re-runs only when its input or its
 * version changed, so a new scorecard re-scores without re-running ASR.
 */
export function pipelineSteps(scorecards: Scorecard[]): Step[] {
  return [
    {
      stage: transcribeStage,
      input: (call) => ({ audioFile: call.audioFile, transcriptFile: call.transcriptFile }),
    },
    {
      stage: analyzeStage,
      input: (_call, out) => ({ segments: out.transcribe!.segments }),
    },
    {
      stage: createScoreStage(scorecards),
      input: (call: CallRecord, out) =>
        scoringInputOf({ segments: out.analyze!.segments, nlp: out.analyze!.nlp, meta: call.meta, durationSec: out.transcribe!.durationSec, speech: out.transcribe!.speech }),
    },
  ];
}
