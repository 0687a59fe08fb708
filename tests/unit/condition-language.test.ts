import { describe, expect, it } from 'vitest';
import type { CallTag, Segment } from '../../core/schemas.ts';
import { shippedLexicons } from '../../nlp/analyze-stage.ts';
import { inCardScope, scoreCall, type ScoringInput } from '../../scoring-models/evaluate.ts';
import { parseScorecard } from '../../scoring-models/scorecard.ts';

function seg(i: number, role: 'agent' | 'customer', start: number, end: number, text: string, emotion?: { label: string; score: number }): Segment {
  const hits = shippedLexicons().filter((l) => l.roles.has(role)).flatMap((l) => l.match(text));
  return { id: `s${i}`, role, start, end, text, textMasked: text, tokens: [], hits, ...(emotion ? { emotion: { ...emotion, by: 'model' as const } } : {}) };
}

const header = `id: t\nversion: 1\nname: t\npassScore: 0\n`;
const card = (checkpoint: string, extra = '') => parseScorecard(`${header}${extra}checkpoints:\n  - ${checkpoint}\n`);
const input = (segments: Segment[], more: Partial<ScoringInput> = {}): ScoringInput => ({ segments, meta: { custom: {} }, durationSec: 120, ...more });
/** The single checkpoint of a one-checkpoint card on a call. */
const item = (cp: string, i: ScoringInput, extra = '') => scoreCall(card(cp, extra), i).items[0]!;
const absent = (when: string, extra = '') => `{ id: c, name: c, deduct: 5, expect: absent, when: ${when}${extra} }`;
const present = (when: string, extra = '') => `{ id: c, name: c, deduct: 5, expect: present, when: ${when}${extra} }`;

const complaintCall = [
  seg(0, 'agent', 0, 5, '您好，工号1234，请问有什么可以帮您？'),
  seg(1, 'customer', 6, 12, '你们乱扣费，我要投诉你们！', { label: 'angry', score: 0.9 }),
  seg(2, 'agent', 13, 20, '非常抱歉给您带来不便，我马上为您升级处理。'),
  seg(3, 'customer', 21, 24, '好吧。'),
  seg(4, 'agent', 25, 28, '感谢您的来电，再见。'),
];
/** The agent apologises only before the threat, and never escalates. */
const deflectedCall = [
  seg(0, 'agent', 0, 5, '您好，不好意思让您久等了。'),
  seg(1, 'customer', 6, 12, '我要投诉你们！'),
  seg(2, 'agent', 13, 20, '您的意见我记一下。'),
];

describe('all / any / not', () => {
  const both = `{ all: [ { lexicon: required, category: 安抚, role: agent }, { lexicon: required, category: 投诉处理, role: agent } ] }`;
  it('all holds only when every part holds, with the evidence of every part', () => {
    const ok = item(present(both), input(complaintCall));
    expect(ok.passed).toBe(true);
    expect(ok.evidence.map((e) => e.quote)).toEqual(['非常抱歉', '给您带来不便', '为您升级处理']);
    expect(item(present(both), input(deflectedCall)).passed).toBe(false);
  });

  it('not holds when its condition finds nothing, and shows what it found when it fails', () => {
    const disclosure = `{ all: [ { lexicon: risk_disclosure, role: agent }, { not: { lexicon: promise, role: agent } } ] }`;
    const honest = [seg(0, 'agent', 0, 8, '理财非存款，产品有风险，投资需谨慎。')];
    expect(item(present(disclosure), input(honest)).passed).toBe(true);
    const promising = [seg(0, 'agent', 0, 8, '理财非存款，产品有风险，不过这款保本，稳赚不赔。')];
    const failed = item(present(disclosure), input(promising));
    expect(failed.passed).toBe(false);
    expect(failed.evidence.filter((e) => e.kind === 'match').map((e) => e.quote)).toEqual(['保本', '稳赚不赔']);
    expect(failed.reason).toContain('保本');
  });

  it('a disclosure that negates a promise is not a promise (不是保证收益 / 不保本)', () => {
    const negated = [seg(0, 'agent', 0, 8, '百分之四点五是业绩比较基准，不是保证收益；这款产品不保本。')];
    expect(negated[0]!.hits.filter((h) => h.lexicon === 'promise')).toEqual([]);
    expect(negated[0]!.hits.filter((h) => h.lexicon === 'risk_disclosure').map((h) => h.category)).toEqual(['风险揭示', '风险揭示']);
  });

  it('any counts the matches of all its parts (deductEach multiplies them)', () => {
    const cp = `{ id: c, name: c, deduct: 2, deductEach: true, maxDeduct: 5, expect: absent, when: { any: [ { phrase: [投诉] }, { phrase: [不便] } ] } }`;
    const r = item(cp, input(complaintCall));
    expect(r).toMatchObject({ passed: false, points: 1, maxPoints: 5 });
  });
});

describe('sequence and position', () => {
  it('sequence: A before B, within N seconds', () => {
    const seq = (within: number) => present(`{ sequence: [ { lexicon: sensitive, role: customer }, { lexicon: required, category: 投诉处理, role: agent } ], withinSec: ${within} }`);
    expect(item(seq(10), input(complaintCall)).passed).toBe(true);
    // The escalation starts 1 s after the threat ends (12 → 13): a 0.5 s window is too short.
    expect(item(seq(0.5), input(complaintCall)).passed).toBe(false);
    const reversed = [complaintCall[2]!, { ...complaintCall[1]!, start: 21, end: 24 }];
    expect(item(seq(100), input(reversed)).passed).toBe(false);
  });

  it('after: only matches that follow the anchor count', () => {
    const soothing = `{ lexicon: required, category: 安抚, role: agent, after: { match: { lexicon: sensitive, role: customer } } }`;
    expect(item(present(soothing), input(complaintCall)).passed).toBe(true);
    // 不好意思 comes before the threat in this call.
    expect(item(present(soothing), input(deflectedCall)).passed).toBe(false);
    const within = `{ lexicon: required, category: 安抚, role: agent, after: { match: { lexicon: sensitive, role: customer }, withinSec: 0.5 } }`;
    expect(item(present(within), input(complaintCall)).passed).toBe(false);
  });

  it('before: only matches that precede the anchor count', () => {
    const early = `{ lexicon: required, category: 安抚, role: agent, before: { match: { lexicon: sensitive, role: customer } } }`;
    expect(item(present(early), input(deflectedCall)).passed).toBe(true);
    expect(item(present(early), input(complaintCall)).passed).toBe(false);
  });
});

describe('count', () => {
  const sorry = `{ phrase: [抱歉, 不好意思] , role: agent }`;
  const calls = [seg(0, 'agent', 0, 2, '不好意思。'), seg(1, 'agent', 3, 5, '很抱歉。'), seg(2, 'agent', 6, 8, '实在抱歉。')];
  it('atLeast / atMost bound how many times a condition holds', () => {
    expect(item(absent(`{ count: ${sorry}, atLeast: 3 }`), input(calls)).passed).toBe(false);
    expect(item(absent(`{ count: ${sorry}, atLeast: 4 }`), input(calls)).passed).toBe(true);
    expect(item(present(`{ count: ${sorry}, atMost: 2 }`), input(calls)).passed).toBe(false);
    expect(item(present(`{ count: ${sorry}, atLeast: 1, atMost: 3 }`), input(calls)).passed).toBe(true);
  });
  it('atMost holds on a call where the condition never occurs', () => {
    const r = item(present(`{ count: ${sorry}, atMost: 2 }`), input([seg(0, 'agent', 0, 2, '您好。')]));
    expect(r.passed).toBe(true);
    expect(r.evidence[0]!.quote).toMatch(/0 次/);
  });
});

describe('speech rate, silence total, overlap, metadata ranges', () => {
  // 60 characters in 10 s = 360 characters a minute.
  const fast = Array.from({ length: 3 }, (_, i) => seg(i, 'agent', i * 10, i * 10 + 10, '一二三四五六七八九十'.repeat(6)));
  it('speechRate compares characters per minute of the role with the bound, and says the value', () => {
    const r = item(absent(`{ speechRate: { above: 300 }, role: agent }`), input(fast));
    expect(r.passed).toBe(false);
    expect(r.evidence[0]!.quote).toBe('坐席语速 360 字/分钟（> 300）');
    expect(item(absent(`{ speechRate: { above: 400 }, role: agent }`), input(fast)).passed).toBe(true);
    expect(item(absent(`{ speechRate: { below: 400 }, role: agent }`), input(fast)).passed).toBe(false);
  });
  it('speechRate does not judge on under 20 s of speech', () => {
    expect(item(absent(`{ speechRate: { above: 300 }, role: agent }`), input(fast.slice(0, 1))).passed).toBe(true);
  });
  it('punctuation does not count as speech', () => {
    // 6 of every 60 characters become commas: 54 characters in 10 s = 324 a minute, under 330 (360 was not).
    const punctuated = fast.map((s) => ({ ...s, textMasked: s.textMasked.replace(/五/g, '，'), text: s.text.replace(/五/g, '，') }));
    expect(item(absent(`{ speechRate: { above: 330 }, role: agent }`), input(punctuated)).passed).toBe(true);
    expect(item(absent(`{ speechRate: { above: 330 }, role: agent }`), input(fast)).passed).toBe(false);
  });

  it('silence.totalSec adds up the unannounced gaps of 3 s or more', () => {
    const gappy = [seg(0, 'agent', 0, 2, '您好。'), seg(1, 'customer', 6, 8, '嗯。'), seg(2, 'agent', 12, 14, '好的。'), seg(3, 'customer', 15, 16, '嗯。')];
    const r = item(absent(`{ silence: { totalSec: 8 } }`), input(gappy));
    expect(r.passed).toBe(false);
    expect(r.evidence[0]!.quote).toBe('静音合计 8 秒（≥ 8 秒，2 段）');
    expect(item(absent(`{ silence: { totalSec: 8.5 } }`), input(gappy)).passed).toBe(true);
  });

  it('overlap totals the time both sides talk at once', () => {
    const talkover = [seg(0, 'agent', 0, 10, '好的我跟您说一下这个规则'), seg(1, 'customer', 7, 12, '你听我说'), seg(2, 'agent', 11, 13, '嗯')];
    const r = item(absent(`{ overlap: { minTotalSec: 4 } }`), input(talkover));
    expect(r.passed).toBe(false);
    expect(r.evidence[0]!.quote).toBe('双方同时说话合计 4 秒（≥ 4 秒）');
    expect(item(absent(`{ overlap: { minTotalSec: 4.5 } }`), input(talkover)).passed).toBe(true);
  });

  it('metadata ranges compare numbers; durationSec is the call length', () => {
    const long = present(`{ metadata: { field: durationSec, min: 600 } }`);
    expect(item(long, input(complaintCall, { durationSec: 900 })).passed).toBe(true);
    expect(item(long, input(complaintCall, { durationSec: 300 })).passed).toBe(false);
    const vip = present(`{ metadata: { field: tier, min: 3, max: 5 } }`);
    expect(item(vip, input(complaintCall, { meta: { custom: { tier: '4' } } })).passed).toBe(true);
    expect(item(vip, input(complaintCall, { meta: { custom: { tier: 'gold' } } })).passed).toBe(false);
  });
});

describe('tags, emotion, semantic similarity', () => {
  const tags: CallTag[] = [{ id: 'wealth.return_mismatch', path: '理财产品/收益不符', complaint: true, confidence: 0.9, via: 'keywords', segmentIds: ['s1'] }];
  it('tag matches ids, and prefix.* a whole branch of the taxonomy', () => {
    expect(item(present(`{ tag: [wealth.*] }`), input(complaintCall, { tags })).evidence[0]).toMatchObject({ segmentId: 's1', quote: '理财产品/收益不符（wealth.return_mismatch）' });
    expect(item(present(`{ tag: [wealth.return_mismatch] }`), input(complaintCall, { tags })).passed).toBe(true);
    expect(item(present(`{ tag: [fee.*, wealth.return] }`), input(complaintCall, { tags })).passed).toBe(false);
  });

  it('emotion minScore keeps only confident labels; scope end reads the side at the end of the call', () => {
    expect(item(present(`{ emotion: { labels: [angry], minScore: 0.85 }, role: customer }`), input(complaintCall)).passed).toBe(true);
    expect(item(present(`{ emotion: { labels: [angry], minScore: 0.95 }, role: customer }`), input(complaintCall)).passed).toBe(false);
    const end = present(`{ emotion: { labels: [angry, negative], scope: end }, role: customer }`);
    expect(item(end, input(complaintCall, { emotionEnd: { customer: 'negative' } })).evidence[0]).toMatchObject({ segmentId: 's3' });
    expect(item(end, input(complaintCall, { emotionEnd: { customer: 'positive' } })).passed).toBe(false);
    const worse = present(`{ emotion: { labels: [angry, negative], scope: worsened }, role: customer }`);
    expect(item(worse, input(complaintCall, { emotionStart: { customer: 'neutral' }, emotionEnd: { customer: 'angry' } })).evidence[0]!.quote).toBe('客户情绪：neutral → angry');
    // Angry from start to end did not worsen.
    expect(item(worse, input(complaintCall, { emotionStart: { customer: 'angry' }, emotionEnd: { customer: 'angry' } })).passed).toBe(false);
    expect(item(worse, input(complaintCall, { emotionStart: { customer: 'negative' }, emotionEnd: { customer: 'neutral' } })).passed).toBe(false);
  });

  it('semantic compares each segment with the examples through the similarity the stage supplies', () => {
    const seen: string[] = [];
    const similarity = (s: Segment, examples: string[]) => {
      seen.push(...examples);
      return s.id === 's2' ? 0.82 : 0.1;
    };
    const sem = (t: number) => present(`{ semantic: { examples: [给您添麻烦了], threshold: ${t} }, role: agent }`);
    expect(item(sem(0.8), input(complaintCall, { similarity })).evidence.map((e) => e.segmentId)).toEqual(['s2']);
    expect(item(sem(0.9), input(complaintCall, { similarity })).passed).toBe(false);
    expect(seen).toContain('给您添麻烦了');
  });
});

describe('definitions, scope and additive points', () => {
  it('ref uses a named definition, also inside anchors', () => {
    const defs = `definitions:\n  threat: { lexicon: sensitive, role: customer }\n`;
    const cp = present(`{ lexicon: required, category: 投诉处理, role: agent, after: { match: { ref: threat } } }`, `, appliesWhen: { ref: threat }`);
    expect(item(cp, input(complaintCall), defs).passed).toBe(true);
    expect(item(cp, input(deflectedCall), defs).passed).toBe(false);
    expect(item(cp, input(complaintCall.slice(0, 1)), defs)).toMatchObject({ applicable: false, passed: null });
  });

  it('a card grades only the calls in its scope', () => {
    const scoped = card(present(`{ phrase: [您好] }`), `scope: { direction: [inbound], shift: [day, evening] }\n`);
    expect(inCardScope(scoped, { custom: { shift: 'day' }, direction: 'inbound' })).toBe(true);
    expect(inCardScope(scoped, { custom: { shift: 'night' }, direction: 'inbound' })).toBe(false);
    expect(inCardScope(scoped, { custom: {}, direction: 'inbound' })).toBe(false);
    expect(inCardScope(card(present(`{ phrase: [您好] }`)), { custom: {} })).toBe(true);
  });

  it('additive checkpoints earn their points; the total is base + earned − deducted', () => {
    const c = parseScorecard(
      `${header.replace('passScore: 0', 'passScore: 8')}baseScore: 0\ncheckpoints:\n  - { id: a, name: a, points: 6, expect: present, when: { phrase: [您好] } }\n  - { id: b, name: b, points: 4, expect: present, when: { phrase: [再见] } }\n`,
    );
    const s = scoreCall(c, input(complaintCall));
    expect(s).toMatchObject({ total: 10, maxTotal: 10, passed: true });
    const s2 = scoreCall(c, input(deflectedCall));
    expect(s2).toMatchObject({ total: 6, maxTotal: 10, passed: false });
    expect(s2.items[1]).toMatchObject({ passed: false, points: 0, maxPoints: 4 });
  });
});

describe('bad scorecards: a clear error at the YAML line', () => {
  const at = (text: string) => {
    try {
      parseScorecard(text, 'card.yaml');
    } catch (err) {
      return (err as Error).message;
    }
    return 'parsed';
  };
  const one = (when: string) => `${header}checkpoints:\n  - id: c\n    name: c\n    deduct: 5\n    expect: absent\n    when:\n      ${when}\n`;

  it('unknown operator', () => {
    expect(at(one('sounds: [投诉]'))).toMatch(/^card\.yaml:11: checkpoints\.0\.when: Unrecognized key: "sounds"/);
  });
  it('wrong types', () => {
    expect(at(one('phrase: 投诉'))).toMatch(/^card\.yaml:11: checkpoints\.0\.when\.phrase: .*expected array/);
    expect(at(one('silence: { minSec: ten }'))).toMatch(/^card\.yaml:11: checkpoints\.0\.when\.silence\.minSec: .*expected number/);
  });
  it('unknown lexicon and unknown category', () => {
    expect(at(one('lexicon: rude'))).toMatch(/^card\.yaml:11: checkpoints\.0\.when\.lexicon: unknown lexicon "rude" \(known: .*forbidden.*\)/);
    expect(at(one('{ lexicon: required, category: 寒暄 }'))).toMatch(/^card\.yaml:11: .*lexicon "required" has no category "寒暄"/);
    expect(at(one('silence: { minSec: 10, exceptAfter: { lexicon: hold } }'))).toMatch(/unknown lexicon "hold"/);
  });
  it('unknown and circular references', () => {
    expect(at(one('ref: nowhere'))).toMatch(/^card\.yaml:11: checkpoints\.0\.when\.ref: unknown definition "nowhere"/);
    const circular = `${header}definitions:\n  a: { any: [ { phrase: [x] }, { ref: b } ] }\n  b: { not: { ref: a } }\ncheckpoints:\n  - { id: c, name: c, deduct: 1, expect: absent, when: { ref: a } }\n`;
    expect(at(circular)).toMatch(/^card\.yaml:7: definitions\.b\.not\.ref: circular reference: a → b → a/);
    const self = `${header}definitions:\n  a: { all: [ { ref: a } ] }\ncheckpoints:\n  - { id: c, name: c, deduct: 1, expect: absent, when: { phrase: [x] } }\n`;
    expect(at(self)).toMatch(/circular reference: a → a/);
  });
  it('regexes RE2 cannot run are refused; catastrophic ones run in linear time', () => {
    expect(at(one(`regex: '(工号)\\1'`))).toMatch(/^card\.yaml:11: checkpoints\.0\.when\.regex: not a supported regular expression/);
    expect(at(one(`regex: '工号(?=\\d)'`))).toMatch(/not a supported regular expression/);
    // (a+)+$ backtracks exponentially in a JavaScript RegExp; on RE2 it is linear (a hang would time the test out).
    const evil = parseScorecard(one(`regex: '(啊+)+$'`));
    const r = scoreCall(evil, input([seg(0, 'customer', 0, 5, `${'啊'.repeat(50000)}!`), seg(1, 'customer', 6, 7, '啊啊')])).items[0]!;
    expect(r.evidence.map((e) => e.segmentId)).toEqual(['s1']);
  });
  it('thresholds out of range', () => {
    expect(at(one('semantic: { examples: [抱歉], threshold: 1.5 }'))).toMatch(/^card\.yaml:11: checkpoints\.0\.when\.semantic\.threshold: threshold is a cosine similarity in \(0, 1\]/);
    expect(at(one('emotion: { labels: [angry], minScore: -1 }'))).toMatch(/minScore is a probability in \[0, 1\]/);
    expect(at(one('{ count: { phrase: [x] }, atLeast: 3, atMost: 1 }'))).toMatch(/atLeast is more than atMost/);
    expect(at(one('silence: { minSec: 10, totalSec: 30 }'))).toMatch(/exactly one of minSec/);
    expect(at(one('speechRate: {}'))).toMatch(/speechRate needs above or below/);
  });
  it('a checkpoint with both points and deduct, or a sequence of one step', () => {
    expect(at(`${header}checkpoints:\n  - { id: c, name: c, deduct: 1, points: 2, expect: absent, when: { phrase: [x] } }\n`)).toMatch(/either deduct .* or points/);
    expect(at(one('{ sequence: [ { phrase: [x] } ] }'))).toMatch(/a sequence needs at least two steps/);
  });
});
