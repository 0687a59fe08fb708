import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/** The Chinese corpora of the shared data folder that train the LSA embedder, and the THUCNews held-out part. */
export const TRAINING_CORPORA = [
  'thucnews_titles',
  'chnsenticorp_hotel',
  'waimai_10k',
  'online_shopping_10_cats',
  'smp2020_ewect_emotion',
  'stc3_helpdesk_dialogues',
] as const;

const TextRow = z.object({ id: z.string(), text: z.string(), label: z.union([z.string(), z.number()]).optional() });
const DialogueRow = z.object({ id: z.string(), turns: z.array(z.object({ utterances: z.array(z.string()) })) });

/** Deterministic half of THUCNews kept out of training, for the clustering check. */
export function isHeldOut(corpus: string, id: string): boolean {
  if (corpus !== 'thucnews_titles') return false;
  return createHash('sha1').update(`callscope-embeddings-heldout:${id}`).digest().readUInt32BE(0) / 2 ** 32 < 0.5;
}

function readJsonl(file: string): unknown[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as unknown);
}

export interface LabelledText {
  id: string;
  text: string;
  label: string;
}

/** Texts of one corpus (dialogues give one text per non-empty utterance). */
export function corpusTexts(dataDir: string, corpus: string): LabelledText[] {
  const rows = readJsonl(path.join(dataDir, `${corpus}.jsonl`));
  if (corpus === 'stc3_helpdesk_dialogues') {
    return rows.flatMap((r) => {
      const d = DialogueRow.parse(r);
      return d.turns.flatMap((t, ti) =>
        t.utterances.filter((u) => u.trim()).map((u, ui) => ({ id: `${d.id}:${ti}:${ui}`, text: u, label: '' })),
      );
    });
  }
  return rows.map((r) => {
    const t = TextRow.parse(r);
    return { id: t.id, text: t.text, label: String(t.label ?? '') };
  });
}

export function trainingTexts(dataDir: string): { corpus: string; texts: string[] }[] {
  return TRAINING_CORPORA.map((corpus) => ({
    corpus,
    texts: corpusTexts(dataDir, corpus)
      .filter((t) => !isHeldOut(corpus, t.id))
      .map((t) => t.text),
  }));
}

export function thucnewsSplit(dataDir: string): { train: LabelledText[]; heldOut: LabelledText[] } {
  const all = corpusTexts(dataDir, 'thucnews_titles');
  return {
    train: all.filter((t) => !isHeldOut('thucnews_titles', t.id)),
    heldOut: all.filter((t) => isHeldOut('thucnews_titles', t.id)),
  };
}

