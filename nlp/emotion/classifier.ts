import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { CallScopeError } from '../../core/errors.ts';
import { EMOTION_LABELS, unhappiness, type EmotionLabel } from './labels.ts';
import { EmotionModelFile, LinearEmotionModel } from './model.ts';

export const DEFAULT_EMOTION_MODEL = path.join(path.dirname(fileURLToPath(import.meta.url)), 'model-v1.json');

export type EmotionScores = Record<EmotionLabel, number>;
export type Emotion = { label: EmotionLabel; score: number; scores: EmotionScores };

export const EmotionSegment = z.object({ role: z.string().min(1), start: z.number(), text: z.string() });
export type EmotionSegment = z.infer<typeof EmotionSegment>;

export type RoleEmotion = {
  segments: number;
  /** Mean scores over the first third of the role's segments (at least one). */
  start: Emotion;
  /** Mean scores over the last third. */
  end: Emotion;
  /** The segment with the highest p(negative) + p(angry). */
  worst: Emotion & { start: number; text: string };
  trajectory: EmotionLabel[];
};

function toEmotion(scores: EmotionScores): Emotion {
  let label: EmotionLabel = 'neutral';
  for (const l of EMOTION_LABELS) if (scores[l] > scores[label]) label = l;
  return { label, score: scores[label], scores };
}

function meanEmotion(list: Emotion[]): Emotion {
  const scores = Object.fromEntries(EMOTION_LABELS.map((l) => [l, list.reduce((s, e) => s + e.scores[l], 0) / list.length])) as EmotionScores;
  return toEmotion(scores);
}

export class EmotionClassifier {
  constructor(readonly model: LinearEmotionModel) {}

  get version(): string {
    return this.model.version;
  }

  /** Text without a letter or digit (silence, noise, punctuation) carries no evidence: neutral, certain. */
  classify(text: string): Emotion {
    if (!/[\p{L}\p{N}]/u.test(text)) return toEmotion({ negative: 0, neutral: 1, positive: 0, angry: 0 });
    return toEmotion(this.model.scores(text));
  }

  /** Per role, in time order: how the speaker started, how they ended, their worst moment. Empty segments are skipped. */
  callEmotion(segments: EmotionSegment[]): Record<string, RoleEmotion> {
    const byRole = new Map<string, EmotionSegment[]>();
    for (const s of z.array(EmotionSegment).parse(segments)) {
      if (!s.text.trim()) continue;
      byRole.set(s.role, [...(byRole.get(s.role) ?? []), s]);
    }
    const out: Record<string, RoleEmotion> = {};
    for (const [role, list] of byRole) {
      const ordered = [...list].sort((a, b) => a.start - b.start);
      const emotions = ordered.map((s) => this.classify(s.text));
      const third = Math.max(1, Math.ceil(emotions.length / 3));
      let worst = 0;
      emotions.forEach((e, i) => {
        if (unhappiness(e.scores) > unhappiness(emotions[worst]!.scores)) worst = i;
      });
      out[role] = {
        segments: emotions.length,
        start: meanEmotion(emotions.slice(0, third)),
        end: meanEmotion(emotions.slice(-third)),
        worst: { ...emotions[worst]!, start: ordered[worst]!.start, text: ordered[worst]!.text },
        trajectory: emotions.map((e) => e.label),
      };
    }
    return out;
  }
}

/** Loads and validates a model file; a missing or corrupt file is a CallScopeError, never a silent default. */
export function loadEmotionModel(file: string = DEFAULT_EMOTION_MODEL): EmotionClassifier {
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch {
    throw new CallScopeError('FILE_NOT_FOUND', `emotion model ${file} not found (train it: node --import tsx nlp/emotion/train.ts)`);
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (err) {
    throw new CallScopeError('CONFIG_INVALID', `emotion model ${file} is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = EmotionModelFile.safeParse(json);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new CallScopeError('CONFIG_INVALID', `emotion model ${file}: ${i?.path.join('.')}: ${i?.message}`);
  }
  try {
    return new EmotionClassifier(LinearEmotionModel.fromFile(parsed.data));
  } catch (err) {
    throw new CallScopeError('CONFIG_INVALID', `emotion model ${file}: ${(err as Error).message}`);
  }
}

let defaultClassifier: EmotionClassifier | undefined;
function shared(): EmotionClassifier {
  return (defaultClassifier ??= loadEmotionModel());
}

/** Classifies one utterance with the bundled model. */
export function classify(text: string): Emotion {
  return shared().classify(text);
}

/** Call-level emotion per role with the bundled model. */
export function callEmotion(segments: EmotionSegment[]): Record<string, RoleEmotion> {
  return shared().callEmotion(segments);
}
