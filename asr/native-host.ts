/**
 * The ASR host: a child process that runs the native engines (whisper.cpp, its VAD). Native code
 * writes to stderr and can abort the process on bad input; here that costs one request, not the
 * pipeline. Requests and replies travel over the IPC channel.
 */
import { isCallScopeError, messageOf } from '../core/errors.ts';
import { analyzeAudio, type AudioAnalysisRequest } from './audio-analysis.ts';

type Request = { reqId: number; req: AudioAnalysisRequest };

process.on('message', (msg: Request) => {
  analyzeAudio(msg.req).then(
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
