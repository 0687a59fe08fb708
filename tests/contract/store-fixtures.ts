import type { CallDoc, CheckpointResult } from '../../core/schemas.ts';

/**
 * Six hand-made calls for the store contract. Every expected value in the contract is worked out
 * by hand from this table, never by a store:
 *
 * | id | branch   | product  | agent | recorded (+08:00) | score | passed | vetoed | tags                             | flags                        | custEnd | custom                |
 * | c1 | 上海分行 | 信用卡   | A1    | 03-02 10:00       | 90    | yes    | no     | fee.annual                       | –                            | neutral | queue Q1, vip, wait 30 |
 * | c2 | 上海分行 | 个人贷款 | A2    | 03-03 07:00 (= 03-02 23:00Z) | 55 | no | no  | fee.installment, service.attitude | complaint_threat            | angry   | queue Q2, wait 120     |
 * | c3 | 北京分行 | 信用卡   | A3    | 03-09 09:00       | 75    | yes    | no     | card.limit                       | –                            | neutral | queue Q1              |
 * | c4 | 北京分行 | 理财     | A3    | 03-16 14:00       | 40    | no     | yes    | wealth.loss                      | complaint_threat, regulator_escalation | sad | –                |
 * | c5 | 广州分行 | –        | –     | 03-05 12:00       | –     | –      | –      | – (failed call, no text)         | –                            | –       | –                     |
 * | c6 | 广州分行 | 信用卡   | A4    | 04-01 11:00       | 88    | yes    | no     | –                                | –                            | happy   | –                     |
 *
 * Checkpoints: greeting passed on c1 c3 c4 c6, failed on c2; empathy passed c1 c6, failed c2 c4,
 * not applicable c3; risk_disclosure failed on c4, not applicable elsewhere.
 * Vectors: c1 [1,0,0], c2 [0.1,1,0], c3 [0.9,0.1,0], c4 [-0.1,0,1], c6 [0.7,0.7,0]; c5 none.
 */

type Spec = {
  id: string;
  branch: string;
  product?: string;
  agentId?: string;
  team?: string;
  recordedAt: string;
  score?: { total: number; passed: boolean; vetoed: boolean; checkpoints: Record<string, boolean | null> };
  tags?: string[];
  flags?: Array<'complaint_threat' | 'regulator_escalation' | 'negative_end_emotion' | 'vulnerable_customer'>;
  customerEnd?: string;
  custom?: Record<string, unknown>;
  vector?: number[];
  segments?: Array<['agent' | 'customer', string]>;
  failed?: boolean;
};

function build(s: Spec): CallDoc {
  const items: CheckpointResult[] = Object.entries(s.score?.checkpoints ?? {}).map(([checkpointId, passed]) => ({
    checkpointId,
    name: checkpointId,
    applicable: passed !== null,
    passed,
    points: passed ? 10 : 0,
    maxPoints: 10,
    veto: false,
    reason: '',
    evidence: [],
  }));
  return {
    id: s.id,
    status: s.failed ? 'failed' : 'ok',
    ingestedAt: '2026-04-02T00:00:00.000Z',
    recordedAt: s.recordedAt,
    durationSec: s.failed ? null : 60,
    language: 'zh',
    source: { file: `${s.id}.wav`, sha256: s.id, kind: 'audio' },
    meta: {
      branch: s.branch,
      ...(s.product ? { product: s.product } : {}),
      ...(s.agentId ? { agentId: s.agentId } : {}),
      ...(s.team ? { team: s.team } : {}),
      custom: s.custom ?? {},
    },
    transcriptSource: s.failed ? null : 'vendor:test',
    segments: (s.segments ?? []).map(([role, text], i) => ({ id: `s${i}`, role, start: i * 5, end: i * 5 + 4, text, textMasked: text, tokens: [], hits: [] })),
    speech: [],
    acoustics: null,
    nlp: s.failed
      ? null
      : {
          tags: (s.tags ?? []).map((id) => ({ id, path: id, complaint: false, confidence: 0.9, via: 'keywords' as const, segmentIds: [] })),
          forbiddenHits: 0,
          sensitiveHits: 0,
          piiFound: [],
          customerEmotion: s.customerEnd ? { start: 'neutral', end: s.customerEnd, worst: { label: s.customerEnd, score: 0.9, segmentStart: 0, text: '' } } : null,
          ...(s.vector ? { embedding: { model: 'test-3d', vector: s.vector } } : {}),
        },
    scores: s.score ? [{ scorecardId: 'card', version: '1', total: s.score.total, maxTotal: 100, passed: s.score.passed, vetoed: s.score.vetoed, items }] : [],
    review: { status: 'none', flags: s.flags ?? [] },
    ...(s.failed ? { error: { stage: 'ingest', code: 'AUDIO_UNDECODABLE', message: 'not audio' } } : {}),
    warnings: [],
    versions: {},
  };
}

export const contractCalls: CallDoc[] = [
  build({
    id: 'c1', branch: '上海分行', product: '信用卡', agentId: 'A1', team: 'T1', recordedAt: '2026-03-02T10:00:00+08:00',
    score: { total: 90, passed: true, vetoed: false, checkpoints: { greeting: true, empathy: true, risk_disclosure: null } },
    tags: ['fee.annual'], customerEnd: 'neutral', custom: { queue: 'Q1', vip: true, waitSec: 30 }, vector: [1, 0, 0],
    segments: [['agent', '您好很高兴为您服务'], ['customer', '我的信用卡年费怎么又扣了'], ['agent', '非常抱歉给您带来不便']],
  }),
  build({
    id: 'c2', branch: '上海分行', product: '个人贷款', agentId: 'A2', team: 'T1', recordedAt: '2026-03-03T07:00:00+08:00',
    score: { total: 55, passed: false, vetoed: false, checkpoints: { greeting: false, empathy: false, risk_disclosure: null } },
    tags: ['fee.installment', 'service.attitude'], flags: ['complaint_threat'], customerEnd: 'angry', custom: { queue: 'Q2', waitSec: 120 }, vector: [0.1, 1, 0],
    segments: [['customer', '提前还款还要收违约金吗'], ['agent', '按照规定这个费用是需要收取的'], ['customer', '你们客服态度太差了我要投诉']],
  }),
  build({
    id: 'c3', branch: '北京分行', product: '信用卡', agentId: 'A3', team: 'T2', recordedAt: '2026-03-09T09:00:00+08:00',
    score: { total: 75, passed: true, vetoed: false, checkpoints: { greeting: true, empathy: null, risk_disclosure: null } },
    tags: ['card.limit'], customerEnd: 'neutral', custom: { queue: 'Q1' }, vector: [0.9, 0.1, 0],
    segments: [['customer', '我想提高信用额度'], ['agent', '如果您不满意可以投诉']],
  }),
  build({
    id: 'c4', branch: '北京分行', product: '理财', agentId: 'A3', team: 'T2', recordedAt: '2026-03-16T14:00:00+08:00',
    score: { total: 40, passed: false, vetoed: true, checkpoints: { greeting: true, empathy: false, risk_disclosure: false } },
    tags: ['wealth.loss'], flags: ['complaint_threat', 'regulator_escalation'], customerEnd: 'sad', vector: [-0.1, 0, 1],
    segments: [['customer', '理财产品亏了这么多我要向银保监会投诉'], ['agent', '非常抱歉']],
  }),
  build({ id: 'c5', branch: '广州分行', recordedAt: '2026-03-05T12:00:00+08:00', failed: true }),
  build({
    id: 'c6', branch: '广州分行', product: '信用卡', agentId: 'A4', team: 'T3', recordedAt: '2026-04-01T11:00:00+08:00',
    score: { total: 88, passed: true, vetoed: false, checkpoints: { greeting: true, empathy: true, risk_disclosure: null } },
    customerEnd: 'happy', vector: [0.7, 0.7, 0],
    segments: [['customer', '年费能不能减免一下'], ['agent', '可以为您申请年费减免']],
  }),
];
