import { CallScopeError, isCallScopeError, messageOf, type ErrorCode } from '../../core/errors.ts';
import { asrHost } from '../asr-host-client.ts';
import { type KeywordSpec, keywordsBuffer, keywordsFromLexicons, readTokenSet } from './keywords.ts';
import { findKwsModel, KWS_MODEL_DIR_NAME } from './model.ts';
import type { KwsResult } from './spotter.ts';

/** Lexicons whose terms are spotted when no keywords are given. */
export const DEFAULT_KWS_LEXICONS = ['sensitive-words'];

export type KwsSearchOptions = {
  modelsDir: string;
  /** Keywords to spot; default: every term and synonym of DEFAULT_KWS_LEXICONS. */
  keywords?: KeywordSpec[];
  threshold?: number;
  threads?: number;
};

export type KwsFileOutcome =
  | ({ file: string; status: 'ok' } & KwsResult)
  | { file: string; status: 'failed'; error: { code: ErrorCode; message: string } };

/**
 * Phonetic search of recordings: which of them contain the keywords, where, on which channel.
 * Each file runs in the ASR host child process (native code), one at a time; a file that cannot
 * be decoded fails alone.
 */
export async function searchKeywords(
  files: string[],
  opts: KwsSearchOptions,
  onProgress?: (p: { done: number; total: number; current: string }) => void,
): Promise<KwsFileOutcome[]> {
  const model = findKwsModel(opts.modelsDir);
  if (!model) {
    throw new CallScopeError('ASR_MODEL_MISSING', `no keyword-spotting model under ${opts.modelsDir}/asr/${KWS_MODEL_DIR_NAME} (see \`callscope models download --engine kws\`)`);
  }
  const keywords = opts.keywords ?? keywordsFromLexicons(DEFAULT_KWS_LEXICONS);
  if (keywords.length === 0) throw new CallScopeError('BAD_REQUEST', 'no keywords to spot');
  keywordsBuffer(keywords, readTokenSet(model.tokens)); // a keyword the model cannot spell fails here, once, not per file
  const out: KwsFileOutcome[] = [];
  for (const [i, file] of files.entries()) {
    onProgress?.({ done: i, total: files.length, current: file });
    try {
      const req: Parameters<ReturnType<typeof asrHost>['spotKeywords']>[0] = { file, model, keywords };
      if (opts.threshold !== undefined) req.threshold = opts.threshold;
      if (opts.threads !== undefined) req.threads = opts.threads;
      out.push({ file, status: 'ok', ...(await asrHost().spotKeywords(req)) });
    } catch (err) {
      // A bad keyword list is the caller's mistake for every file: stop at once.
      if (isCallScopeError(err) && err.code === 'BAD_REQUEST') throw err;
      out.push({ file, status: 'failed', error: { code: isCallScopeError(err) ? err.code : 'ASR_FAILED', message: messageOf(err) } });
    }
  }
  onProgress?.({ done: files.length, total: files.length, current: '' });
  return out;
}
