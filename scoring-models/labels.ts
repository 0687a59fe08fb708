import path from 'node:path';
import { z } from 'zod';
import type { CallDoc } from '../core/schemas.ts';
import type { LabelledCall } from './backtest.ts';
import { scoringInputOf } from './score-stage.ts';

/** A human label line: which call (any one of these keys) and the violations found in it. */
export const LabelLine = z
  .object({
    id: z.string().optional(),
    callId: z.string().optional(),
    audioFile: z.string().optional(),
    file: z.string().optional(),
    violations: z.array(z.string()).optional(),
    truth: z.object({ violations: z.array(z.string()) }).optional(),
  })
  .refine((l) => l.id ?? l.callId ?? l.audioFile ?? l.file, { message: 'needs "id", "callId", "audioFile" or "file"' })
  .refine((l) => l.violations ?? l.truth, { message: 'needs "violations" (an array of violation codes, empty for none)' });

/** One label as read, with where it came from (file:line, or labels[i] in a request) for messages. */
export type LabelInput = { where: string; value: unknown };

/** Matches labels to ingested calls by id, the bank's call id, or the recording's file name. */
export function matchLabels(labels: LabelInput[], docs: CallDoc[]): { calls: LabelledCall[]; problems: string[] } {
  const byKey = new Map<string, CallDoc>();
  for (const d of docs) {
    if (d.status !== 'ok') continue;
    byKey.set(d.id, d);
    if (d.meta.callId) byKey.set(d.meta.callId, d);
    byKey.set(path.basename(d.source.file), d);
  }
  const calls: LabelledCall[] = [];
  const problems: string[] = [];
  for (const { where, value } of labels) {
    const parsed = LabelLine.safeParse(value);
    if (!parsed.success) {
      problems.push(`${where}: ${parsed.error.issues[0]?.message}`);
      continue;
    }
    const l = parsed.data;
    const key = l.id ?? l.callId ?? path.basename(l.audioFile ?? l.file ?? '');
    const doc = byKey.get(key) ?? byKey.get(path.basename(l.audioFile ?? l.file ?? ''));
    if (!doc) {
      problems.push(`${where}: no ingested call matches ${key}`);
      continue;
    }
    calls.push({
      id: doc.id,
      name: doc.meta.callId ?? path.basename(doc.source.file),
      violations: l.violations ?? l.truth!.violations,
      input: scoringInputOf(doc),
    });
  }
  return { calls, problems };
}
