import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { CallScopeError } from '../../core/errors.ts';
import { fnv1a } from '../../nlp/emotion/features.ts';
import { normaliseDialogueText } from './model.ts';

/**
 * The lines with roles that train the agent/customer classifier: STC-3's helpdesk dialogues (real
 * Weibo exchanges between customers and service accounts, the sender of every turn known). One
 * example per utterance; dialogues split 80/20 by a hash of their id, the 20 % never trained on.
 */
export const ROLE_CORPUS = 'stc3_helpdesk_dialogues';
export const HELD_OUT_FRACTION = 0.2;
export const isHeldOutDialogue = (id: string) => fnv1a(`role-split:${ROLE_CORPUS}:${id}`) / 2 ** 32 < HELD_OUT_FRACTION;

const Dialogue = z.object({
  id: z.string(),
  turns: z.array(z.object({ sender: z.enum(['customer', 'helpdesk']), utterances: z.array(z.string()) })),
});
export type RoleExample = { dialogue: string; text: string; agent: boolean };

export function roleCorpusFile(dataDir: string): string {
  return path.join(dataDir, `${ROLE_CORPUS}.jsonl`);
}

export function loadRoleExamples(dataDir: string): { raw: Buffer; examples: RoleExample[] } {
  let raw: Buffer;
  try {
    raw = readFileSync(roleCorpusFile(dataDir));
  } catch {
    throw new CallScopeError('FILE_NOT_FOUND', `corpus ${roleCorpusFile(dataDir)} not found`);
  }
  const examples: RoleExample[] = [];
  for (const line of raw.toString('utf8').split('\n')) {
    if (!line.trim()) continue;
    const d = Dialogue.parse(JSON.parse(line));
    for (const t of d.turns) {
      for (const u of t.utterances) {
        const text = normaliseDialogueText(u);
        if (/[\p{L}\p{N}]/u.test(text)) examples.push({ dialogue: d.id, text, agent: t.sender === 'helpdesk' });
      }
    }
  }
  return { raw, examples };
}
