/**
 * The ASR host: a child process that runs the native engines (whisper.cpp, its VAD). Native code
 * writes to stderr and can abort the process on bad input; here that costs one request, not the
 * pipeline. Requests and replies travel over the IPC channel.
 */
import { isCallScopeError, messageOf } from '../core/errors.ts';
import { analyzeAudio, type AudioAnalysisRequest } from './audio-analysis.ts';

import type { KwsRequest, KwsResult } from './kws/spotter.ts';

type Request = { reqId: number; kind?: 'analyze'; req: AudioAnalysisRequest } | { reqId: number; kind: 'kws'; req: KwsRequest };

/** Keyword spotting loads sherpa-onnx only when asked for. */
async function spot(req: KwsRequest): Promise<KwsResult> {
  const { spotKeywordsInFile } = await import('./kws/spotter.ts');
  return spotKeywordsInFile(req);
}

process.on('message', (msg: Request) => {
  (msg.kind === 'kws' ? spot(msg.req) : analyzeAudio(msg.req)).then(
    (result) => process.send?.({ reqId: msg.reqId, ok: true, result }),
    (err: unknown) =>
      process.send?.({
        reqId: msg.reqId,
        ok: false,
        code: isCallScopeError(err) ? err.code : 'ASR_FAILED',
        message: messageOf(err),
        expected: isCallScopeError(err),
      }),
  );
});
process.on('disconnect', () => process.exit(0));
