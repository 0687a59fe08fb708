import { createInterface } from 'node:readline';
import { z } from 'zod';
import { loadConfig } from '../core/config.ts';
import { CallScopeError } from '../core/errors.ts';
import { Role } from '../core/schemas.ts';
import pino from 'pino';
import { analyzeStage } from '../nlp/analyze-stage.ts';

const InputLine = z.object({ id: z.union([z.string(), z.number()]).transform(String), role: Role.default('customer'), text: z.string() });
type InputLine = z.infer<typeof InputLine>;

/**
 * The NLP stage on one text at a time, exactly as the pipeline runs it: lexicon authors try their
 * edits here. One JSON line out per line in, with the same id (see docs/nlp-output.md).
 */
export async function analyzeLine(line: InputLine): Promise<Record<string, unknown>> {
  const ctx = { config: loadConfig(), log: pino({ level: 'silent' }), callId: `nlp:${line.id}` };
  const result = await analyzeStage.run({ segments: [{ start: 0, end: 0, text: line.text, role: line.role }] }, ctx);
  if (!result.ok) throw new CallScopeError(result.code, result.reason);
  const seg = result.output.segments[0]!;
  return {
    id: line.id,
    role: seg.role,
    textMasked: seg.textMasked,
    tokens: seg.tokens,
    hits: seg.hits,
    piiFound: seg.pii ?? [],
    emotion: seg.emotion ?? null,
    tags: result.output.nlp.tags.map(({ id, path, confidence }) => ({ id, path, confidence })),
  };
}

export async function runNlpCommand(texts: string[], role: z.infer<typeof Role>): Promise<number> {
  if (texts.length > 0) {
    console.log(JSON.stringify(await analyzeLine({ id: '1', role, text: texts.join(' ') })));
    return 0;
  }
  let bad = 0;
  let n = 0;
  for await (const raw of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    n++;
    if (!raw.trim()) continue;
    let parsed;
    try {
      parsed = InputLine.safeParse(JSON.parse(raw));
    } catch {
      parsed = null;
    }
    if (!parsed?.success) {
      bad++;
      console.error(`error: line ${n}: expected {"id", "role"?, "text"}${parsed ? `: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}` : ' (not JSON)'}`);
      continue;
    }
    console.log(JSON.stringify(await analyzeLine(parsed.data)));
  }
  return bad > 0 ? 2 : 0;
}
