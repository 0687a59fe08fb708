import path from 'node:path';
import { Command, Option } from 'commander';
import { z } from 'zod';
import { type KeywordSpec, keywordsFromLexicons, parseKeywordList } from '../asr/kws/keywords.ts';
import { DEFAULT_KWS_LEXICONS, searchKeywords } from '../asr/kws/search.ts';
import { asrHost } from '../asr/asr-host-client.ts';
import { loadConfig } from '../core/config.ts';
import { CallScopeError } from '../core/errors.ts';
import { progressReporter } from './progress.ts';

const Options = z.object({
  keywords: z.string().min(1).optional(),
  lexicon: z.array(z.string().min(1)).optional(),
  threshold: z.coerce.number().gt(0).lt(1).optional(),
  minScore: z.coerce.number().min(0).max(1).default(0),
  json: z.boolean().optional(),
});

/** Builds the keyword list: --keywords (forms a lexicon knows keep its term) or the lexicons' terms. */
export function kwsKeywords(opts: { keywords?: string; lexicon?: string[] }): KeywordSpec[] {
  const fromLexicons = keywordsFromLexicons(opts.lexicon?.length ? opts.lexicon : DEFAULT_KWS_LEXICONS);
  return opts.keywords ? parseKeywordList(opts.keywords, fromLexicons) : fromLexicons;
}

function fmt(sec: number): string {
  const m = Math.floor(sec / 60);
  return `${m}:${(sec - m * 60).toFixed(2).padStart(5, '0')}`;
}

async function run(files: string[], raw: unknown): Promise<number> {
  const parsed = Options.safeParse(raw);
  if (!parsed.success) throw new CallScopeError('BAD_REQUEST', parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; '));
  const opts = parsed.data;
  const config = loadConfig();
  const keywords = kwsKeywords(opts);
  const progress = progressReporter();
  const search: Parameters<typeof searchKeywords>[1] = { modelsDir: config.modelsDir, keywords, threads: 1 };
  if (opts.threshold !== undefined) search.threshold = opts.threshold;
  let outcomes;
  try {
    outcomes = await searchKeywords(files.map((f) => path.resolve(f)), search, (p) => progress.update(p));
  } finally {
    progress.finish();
    asrHost().stop();
  }
  let failed = 0;
  for (const o of outcomes) {
    if (o.status === 'failed') {
      failed++;
      console.error(`error: ${o.file}: ${o.error.code}: ${o.error.message}`);
      continue;
    }
    const hits = o.hits.filter((h) => h.score >= opts.minScore);
    if (opts.json) {
      console.log(JSON.stringify({ file: o.file, durationSec: o.durationSec, channels: o.channels, hits }));
      continue;
    }
    console.log(`${o.file}  (${o.durationSec.toFixed(1)} s, ${o.channels === 2 ? 'stereo' : 'mono'}): ${hits.length} hit${hits.length === 1 ? '' : 's'}`);
    for (const h of hits) {
      const said = h.form === h.term ? h.term : `${h.term} (${h.form})`;
      console.log(`  ${fmt(h.start)}–${fmt(h.end)}  ${h.role.padEnd(8)} ch${h.channel}  ${said}  score ${h.score.toFixed(2)}  [${h.tokens.join(' ')}]`);
    }
  }
  return failed > 0 ? 2 : 0;
}

export function kwsCommand(): Command {
  return new Command('kws')
    .description('phonetic search of recordings: find spoken keywords (投诉, 12378, 银保监会…) straight from the audio, no transcript needed')
    .argument('<files...>', 'audio files (any format ffmpeg reads)')
    .option('--keywords <list>', 'comma-separated keywords, each optionally with its own threshold: 投诉,12378#0.15 (default: the lexicon terms)')
    .addOption(new Option('--lexicon <id...>', `lexicons (nlp/lexicons/<id>.yaml) whose terms and synonyms are spotted (default: ${DEFAULT_KWS_LEXICONS.join(', ')})`))
    .option('--threshold <t>', 'default trigger threshold, 0–1 (default 0.25): lower finds more, with more false alarms')
    .option('--min-score <s>', 'only print hits whose phonetic verification score is at least this (0–1)')
    .option('--json', 'one JSON line per file: { file, durationSec, channels, hits: [{ term, form, channel, role, start, end, score, threshold, tokens }] }')
    .addHelpText(
      'after',
      `
Uses the sherpa-onnx zipformer keyword spotter (pinyin tokens) under CALLSCOPE_MODELS/asr; keywords are
converted to pinyin with pinyin-pro (digits are read one by one; 1 as 一 or 幺). Stereo: left = agent,
right = customer; mono: role unknown. Each hit's score (0–1) is how well an unconstrained phonetic decoding
of the span agrees with the keyword. Measured recall and false alarms: bench/asr/kws.ts.
Exit code 2 when some files could not be read.`,
    )
    .action(async (files: string[], opts: unknown) => {
      process.exitCode = await run(files, opts);
    });
}
