import { describe, expect, it } from 'vitest';
import type { Role } from '../../core/schemas.ts';
import { shippedLexicons } from '../../nlp/analyze-stage.ts';
import { callFlags } from '../../scoring-models/flags.ts';

const seg = (i: number, role: Role, text: string) => ({
  id: `s${i}`,
  role,
  hits: shippedLexicons().filter((l) => l.roles.has(role)).flatMap((l) => l.match(text)),
});

describe('call-level flags', () => {
  it.each([
    [[seg(0, 'customer', '再不解决我就去投诉你们！')], null, ['complaint_threat']],
    [[seg(0, 'customer', '我要打12378找银保监会')], null, ['complaint_threat', 'regulator_escalation']],
    [[{ ...seg(0, 'customer', '你们这是什么服务！'), emotion: { label: 'angry', score: 0.8, by: 'model' as const } }], 'angry', ['negative_end_emotion']],
    // Ending angry on average, but nothing said with confidence: not flagged.
    [[{ ...seg(0, 'customer', '那我再考虑考虑吧'), emotion: { label: 'angry', score: 0.46, by: 'model' as const } }], 'angry', []],
    [[seg(0, 'customer', '我年纪大了，手机上也看不清')], 'neutral', ['vulnerable_customer']],
    [[seg(0, 'agent', '如果您不满意可以投诉，也可以拨打12378')], 'positive', []],
  ] as const)('%j with customer ending %s → %j', (segments, end, flags) => {
    expect(callFlags({ segments: [...segments], customerEmotionEnd: end })).toEqual(flags);
  });
});
