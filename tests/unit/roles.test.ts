import { describe, expect, it } from 'vitest';
import type { DiarSegment } from '../../asr/diarise.ts';
import { agentSpeaker } from '../../asr/roles.ts';
import { assignRoles } from '../../asr/transcript.ts';

const d = (speaker: 'S1' | 'S2', start: number, end: number): DiarSegment => ({ speaker, start, end });

describe('which diarised speaker is the agent', () => {
  const segs = [d('S1', 0.5, 4), d('S2', 4.5, 9), d('S1', 9.5, 20)];

  it('takes the speaker heard during the greeting / 工号 line of the vendor transcript', () => {
    const vendor = [
      { start: 0.5, end: 4, text: '喂？' },
      { start: 4.5, end: 9, text: '您好，星河银行，工号4388，请问有什么可以帮您？' },
    ];
    expect(agentSpeaker(segs, vendor)).toEqual({ agent: 'S2', basis: 'greeting' });
  });

  it('otherwise the first speaker', () => {
    expect(agentSpeaker(segs)).toEqual({ agent: 'S1', basis: 'first-speaker' });
  });

  it('otherwise, when the first stretch is too short to trust, whoever talks more', () => {
    expect(agentSpeaker([d('S1', 0, 0.4), d('S2', 1, 12), d('S1', 12.5, 14)])).toEqual({ agent: 'S2', basis: 'more-talk' });
  });

  it('has no answer without speech', () => {
    expect(agentSpeaker([])).toBeNull();
  });
});

describe('roles of a diarised vendor transcript', () => {
  it('makes the speaker of the greeting the agent even when the customer speaks first', () => {
    const t = {
      format: 'callscope-transcript/v1' as const,
      language: 'zh-CN',
      engine: 'vendor',
      segments: [
        { start: 0, end: 1, text: '喂？', role: 'unknown' as const, speaker: 'S2' },
        { start: 1.5, end: 6, text: '您好，很高兴为您服务，工号9054', role: 'unknown' as const, speaker: 'S1' },
      ],
    };
    expect(assignRoles(t).map((s) => s.role)).toEqual(['customer', 'agent']);
  });
});
