import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { repoRoot } from '../../core/config.ts';
import { CallScopeError } from '../../core/errors.ts';
import { fnv1a } from './features.ts';
import type { EmotionLabel } from './labels.ts';

/** The shared evaluation data next to the repo (train.ts and the bench take --data to point elsewhere). */
export const DEFAULT_DATA_DIR = path.resolve(repoRoot, '..', 'shared', 'data');

/** Binary sentiment sets: 1 positive, 0 negative. */
export const SENTIMENT_CORPORA = ['chnsenticorp_hotel', 'waimai_10k', 'online_shopping_10_cats'] as const;
export const EMOTION_CORPUS = 'smp2020_ewect_emotion';
export type CorpusName = (typeof SENTIMENT_CORPORA)[number] | typeof EMOTION_CORPUS;
export const CORPORA: CorpusName[] = [...SENTIMENT_CORPORA, EMOTION_CORPUS];

/**
 * SMP2020 six emotions onto our four labels. surprise → neutral: on Weibo it is as often delighted as
 * dismayed, and for call QA a surprised customer is neither satisfied nor upset.
 */
export const SMP_MAP: Record<string, EmotionLabel> = {
  happy: 'positive',
  neutral: 'neutral',
  angry: 'angry',
  sad: 'negative',
  fear: 'negative',
  surprise: 'neutral',
};

export const TEST_FRACTION = 0.2;

export type Item = { corpus: CorpusName; id: string; text: string; label: EmotionLabel; sourceLabel: string };

const Row = z.object({ id: z.string(), text: z.string(), label: z.union([z.number(), z.string()]) });

/** Deterministic held-out part: FNV-1a of "<corpus>:<id>" read as a fraction. */
export function isTestItem(corpus: string, id: string): boolean {
  return fnv1a(`emotion-split:${corpus}:${id}`) / 2 ** 32 < TEST_FRACTION;
}

export function corpusFile(corpus: CorpusName, dataDir = DEFAULT_DATA_DIR): string {
  return path.join(dataDir, `${corpus}.jsonl`);
}

export function loadCorpus(corpus: CorpusName, dataDir = DEFAULT_DATA_DIR): Item[] {
  const file = corpusFile(corpus, dataDir);
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch {
    throw new CallScopeError('FILE_NOT_FOUND', `corpus ${file} not found`);
  }
  const items: Item[] = [];
  for (const line of raw.split('\n')) {
    if (!line.trim()) continue;
    const row = Row.parse(JSON.parse(line));
    const text = row.text.trim();
    if (!text) continue;
    let label: EmotionLabel | undefined;
    if (corpus === EMOTION_CORPUS) label = SMP_MAP[String(row.label)];
    else label = row.label === 1 || row.label === '1' ? 'positive' : 'negative';
    if (!label) throw new CallScopeError('BAD_REQUEST', `${file}: unknown label ${row.label} for ${row.id}`);
    items.push({ corpus, id: row.id, text, label, sourceLabel: String(row.label) });
  }
  return items;
}

/** sha256 over the corpus files, in a fixed order: which data a model was trained on. */
export function dataDigest(dataDir = DEFAULT_DATA_DIR): string {
  const h = createHash('sha256');
  for (const c of CORPORA) {
    h.update(c);
    h.update(readFileSync(corpusFile(c, dataDir)));
  }
  return `sha256:${h.digest('hex')}`;
}
