import { describe, expect, it } from 'vitest';
import { assignRoles, parseTranscript, vendorNeedsDiarisation } from '../../asr/transcript.ts';
import { CallScopeError } from '../../core/errors.ts';

const seg = (o: Record<string, unknown>) => ({ start: 0, end: 1, text: '你好', ...o });

describe('transcript format v1', () => {
  it('accepts a minimal vendor transcript and fills defaults', () => {
    const t = parseTranscript({ format: 'callscope-transcript/v1', segments: [seg({})] });
    expect(t.language).toBe('zh');
    expect(t.engine).toBe('unknown');
    expect(t.segments[0]!.role).toBe('unknown');
  });

  it.each([
    [{ segments: [seg({})] }, /format/],
    [{ format: 'callscope-transcript/v2', segments: [seg({})] }, /format/],
    [{ format: 'callscope-transcript/v1', segments: [] }, /at least one segment/],
    [{ format: 'callscope-transcript/v1', segments: [seg({ start: 5, end: 2 })] }, /end is before its start/],
    [{ format: 'callscope-transcript/v1', segments: [seg({ role: 'boss' })] }, /segments\.0\.role/],
    [{ format: 'callscope-transcript/v1', segments: [seg({ channel: 3 })] }, /segments\.0\.channel/],
  ])('rejects %j with a clear reason', (input, reason) => {
    try {
      parseTranscript(input);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(CallScopeError);
      expect((err as CallScopeError).code).toBe('TRANSCRIPT_INVALID');
      expect((err as Error).message).toMatch(reason);
    }
  });
});

describe('role assignment', () => {
  it('maps stereo channels: left (0) is the agent, right (1) the customer', () => {
    const t = parseTranscript({
      format: 'callscope-transcript/v1',
      segments: [seg({ channel: 1, start: 2, end: 3 }), seg({ channel: 0, start: 0, end: 1 })],
    });
    expect(assignRoles(t).map((s) => s.role)).toEqual(['agent', 'customer']);
  });

  it('makes the first diarised speaker of a mono call the agent', () => {
    const t = parseTranscript({
      format: 'callscope-transcript/v1',
      segments: [
        seg({ speaker: 'S2', start: 4, end: 5 }),
        seg({ speaker: 'S1', start: 0.5, end: 3 }),
        seg({ speaker: 'S2', start: 1, end: 2 }),
      ],
    });
    // Sorted by start: S1 (0.5) speaks first.
    expect(assignRoles(t).map((s) => [s.speaker, s.role])).toEqual([
      ['S1', 'agent'],
      ['S2', 'customer'],
      ['S2', 'customer'],
    ]);
  });

  it('keeps roles the vendor already gave', () => {
    const t = parseTranscript({ format: 'callscope-transcript/v1', segments: [seg({ role: 'customer', channel: 0 })] });
    expect(assignRoles(t)[0]!.role).toBe('customer');
  });
});

describe('when a mono vendor transcript needs our diariser', () => {
  const t = (segments: object[]) => parseTranscript({ format: 'callscope-transcript/v1', language: 'zh', engine: 'vendor', segments });
  it('needs it only when some segment has no role, channel or speaker', () => {
    expect(vendorNeedsDiarisation(t([{ start: 0, end: 1, text: '您好', role: 'unknown' }]))).toBe(true);
    expect(vendorNeedsDiarisation(t([{ start: 0, end: 1, text: '您好', role: 'unknown', speaker: 'S1' }]))).toBe(false);
    expect(vendorNeedsDiarisation(t([{ start: 0, end: 1, text: '您好', role: 'agent' }]))).toBe(false);
    expect(vendorNeedsDiarisation(t([{ start: 0, end: 1, text: '您好', role: 'unknown', channel: 0 }]))).toBe(false);
  });
});
