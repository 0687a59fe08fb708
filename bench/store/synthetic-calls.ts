import { gaussian, mulberry32 } from '../../core/prng.ts';
import type { CallDoc, CallTag, CheckpointResult, Segment } from '../../core/schemas.ts';

/**
 * Synthetic bank contact-centre calls with realistic skew: a few big branches and products take
 * most calls, agents belong to one team and branch, weekdays and office hours dominate, complaint
 * tags pull the customer's words, emotion and score with them. Deterministic for a seed.
 */

const REGIONS = ['华东', '华南', '华北', '华中', '西南', '西北', '东北', '华西'];
const CITIES = ['上海', '杭州', '南京', '苏州', '广州', '深圳', '北京', '天津', '武汉', '长沙', '成都', '重庆', '西安', '兰州', '沈阳', '哈尔滨', '郑州', '济南', '青岛', '厦门'];
export const BRANCHES = CITIES.flatMap((c) => [`${c}分行`, `${c}第二支行`]);
export const PRODUCTS = ['信用卡', '借记卡', '个人贷款', '房贷', '理财', '存款', '手机银行', '外汇', '保险代销', '基金'];
const PRODUCT_WEIGHTS = [30, 18, 12, 8, 9, 7, 8, 2, 3, 3];
const CHANNELS = ['phone', 'app', 'video'];
const CHANNEL_WEIGHTS = [80, 15, 5];
const SEGMENTS = ['普通', '白金', '私人银行', '小微企业'];
const SEGMENT_WEIGHTS = [70, 20, 3, 7];

type TagSpec = { id: string; path: string; complaint: boolean; weight: number; customerLines: string[] };
export const TAGS: TagSpec[] = [
  { id: 'fee.annual', path: '费用/年费', complaint: true, weight: 10, customerLines: ['我的信用卡年费怎么又扣了', '年费能不能减免一下', '你们乱收年费我要投诉'] },
  { id: 'fee.installment', path: '费用/分期手续费', complaint: true, weight: 7, customerLines: ['分期付款的手续费太高了', '提前还款还要收违约金吗'] },
  { id: 'card.lost', path: '卡片/挂失', complaint: false, weight: 8, customerLines: ['我的卡丢了要挂失', '银行卡被吞了怎么办'] },
  { id: 'card.limit', path: '卡片/额度', complaint: false, weight: 9, customerLines: ['我想提高信用额度', '临时额度什么时候到期'] },
  { id: 'loan.early_repayment', path: '贷款/提前还款', complaint: false, weight: 6, customerLines: ['房贷可以提前还款吗', '提前还款需要预约吗'] },
  { id: 'fraud.suspicious', path: '风险/可疑交易', complaint: false, weight: 4, customerLines: ['有一笔交易不是我本人操作的', '我收到诈骗短信了'] },
  { id: 'service.attitude', path: '服务/态度', complaint: true, weight: 5, customerLines: ['你们客服态度太差了', '我要向银保监会投诉'] },
  { id: 'app.login', path: '渠道/手机银行登录', complaint: false, weight: 7, customerLines: ['手机银行登录不上去', '验证码一直收不到'] },
  { id: 'wealth.loss', path: '理财/亏损', complaint: true, weight: 3, customerLines: ['理财产品亏了这么多', '当初说保本的现在亏钱了'] },
];
const AGENT_OPENERS = ['您好，很高兴为您服务，请问有什么可以帮您', '您好，这里是客户服务中心，工号一二三四', '您好，请问您是本人吗'];
const AGENT_LINES = ['请您提供一下身份证后四位', '我帮您查询一下，请稍等', '非常抱歉给您带来不便', '这边已经为您登记了', '您的诉求我会反馈给相关部门', '按照规定这个费用是需要收取的', '我们会在三个工作日内回复您', '您还有其他问题吗'];
const CUSTOMER_LINES = ['好的，谢谢', '嗯，我知道了', '那要等多久', '你听不懂吗', '我上个月已经打过电话了', '为什么这么麻烦'];
const AGENT_CLOSERS = ['感谢您的来电，祝您生活愉快，再见', '请您对本次服务做出评价，再见'];
const EMOTIONS = ['neutral', 'happy', 'sad', 'angry', 'surprise', 'fear'];
export const CHECKPOINTS = ['standard_greeting', 'identity_verification', 'no_forbidden_words', 'empathy', 'hold_notice', 'no_interrupting', 'risk_disclosure', 'no_pii_readout', 'standard_closing'];
const FLAG_NAMES = ['complaint_threat', 'regulator_escalation', 'negative_end_emotion', 'vulnerable_customer'] as const;

/**
 * `chronological`: the calls come in recording-day order (as a live ingest or a date-sorted backfill
 * sends them) with the same day distribution; every other field is what the random order gives the i-th call.
 */
export type SyntheticOptions = { seed?: number; startDate?: string; days?: number; embeddingDims?: number; chronological?: boolean };

/** Each day's share of the calls under the random draw below (weekend days give half their calls to two days later). */
function dayShares(days: number): number[] {
  const weekend = (day: number) => (day + 3) % 7 >= 5;
  const shares = Array.from({ length: days }, (_, d) => (weekend(d) ? 0.5 : 1));
  for (let d = 0; d < days; d++) if (weekend(d)) shares[(d + 2) % days]! += 0.5;
  return shares.map((s) => s / days);
}

/** The day of the i-th of `count` calls in recording order: the day where the cumulative share passes (i + ½) / count. */
function chronologicalDay(shares: number[]): (i: number, count: number) => number {
  let day = 0;
  let below = 0;
  return (i, count) => {
    const q = (i + 0.5) / count;
    while (day < shares.length - 1 && below + shares[day]! < q) below += shares[day++]!;
    return day;
  };
}

function weighted<T>(items: readonly T[], weights: readonly number[], r: number): T {
  const total = weights.reduce((a, b) => a + b, 0);
  let x = r * total;
  for (let i = 0; i < items.length; i++) {
    x -= weights[i]!;
    if (x < 0) return items[i]!;
  }
  return items[items.length - 1]!;
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/** An endless, reproducible stream of calls; the i-th call is the same for the same options. */
export function* syntheticCalls(count: number, opts: SyntheticOptions = {}): Generator<CallDoc> {
  const rand = mulberry32(opts.seed ?? 7);
  const normal = gaussian(rand);
  const start = Date.parse(`${opts.startDate ?? '2026-01-01'}T00:00:00+08:00`);
  const days = opts.days ?? 365;
  const dims = opts.embeddingDims ?? 192;
  const branchWeights = BRANCHES.map((_, i) => 1 / (i + 3));
  const agents = Array.from({ length: 1500 }, (_, i) => {
    const branch = weighted(BRANCHES, branchWeights, rand());
    const b = BRANCHES.indexOf(branch);
    return { id: `A${String(i).padStart(5, '0')}`, name: `坐席${i}`, team: `${branch}-${(i % 3) + 1}组`, branch, region: REGIONS[b % REGIONS.length]! };
  });
  const agentWeights = agents.map((_, i) => 1 + (i % 7));
  const tagWeights = TAGS.map((t) => t.weight);
  const dayOf = opts.chronological ? chronologicalDay(dayShares(days)) : null;

  for (let i = 0; i < count; i++) {
    const agent = weighted(agents, agentWeights, rand());
    let day = Math.floor(rand() * days);
    if ((day + 3) % 7 >= 5 && rand() < 0.5) day = (day + 2) % days; // 2026-01-01 is a Thursday: thinner weekends
    if (dayOf) day = dayOf(i, count);
    const hour = Math.min(21, Math.max(8, Math.round(13 + normal() * 3)));
    const recordedMs = start + day * 86_400_000 + hour * 3_600_000 + Math.floor(rand() * 3_600_000);
    const recordedAt = new Date(recordedMs).toISOString();
    const product = weighted(PRODUCTS, PRODUCT_WEIGHTS, rand());
    const nTags = rand() < 0.25 ? 0 : rand() < 0.8 ? 1 : 2;
    const tagSpecs = [...new Set(Array.from({ length: nTags }, () => weighted(TAGS, tagWeights, rand())))];
    const complaint = tagSpecs.some((t) => t.complaint) && rand() < 0.7;
    const segments: Segment[] = [];
    let t = 0;
    const say = (role: 'agent' | 'customer', text: string) => {
      const dur = Math.max(1, text.length * 0.25 + normal() * 0.5);
      const negative = role === 'customer' && complaint && rand() < 0.5;
      const label = negative ? (rand() < 0.5 ? 'angry' : 'sad') : rand() < 0.85 ? 'neutral' : weighted(EMOTIONS, [0, 5, 1, 1, 1, 1], rand());
      segments.push({
        id: `s${segments.length}`,
        role,
        start: Math.round(t * 100) / 100,
        end: Math.round((t + dur) * 100) / 100,
        text,
        textMasked: text,
        tokens: [],
        emotion: { label, score: Math.round((0.5 + rand() / 2) * 1000) / 1000 },
        hits: [],
      });
      t += dur + Math.max(0.2, 0.8 + normal() * 0.6);
    };
    say('agent', AGENT_OPENERS[Math.floor(rand() * AGENT_OPENERS.length)]!);
    const turns = 3 + Math.floor(rand() * 6);
    for (let k = 0; k < turns; k++) {
      const spec = tagSpecs[k % Math.max(1, tagSpecs.length)];
      const customerLine = spec && rand() < 0.7 ? spec.customerLines[Math.floor(rand() * spec.customerLines.length)]! : CUSTOMER_LINES[Math.floor(rand() * CUSTOMER_LINES.length)]!;
      say('customer', k === 0 ? `${product}${customerLine}` : customerLine);
      say('agent', AGENT_LINES[Math.floor(rand() * AGENT_LINES.length)]!);
    }
    say('agent', AGENT_CLOSERS[Math.floor(rand() * AGENT_CLOSERS.length)]!);
    const durationSec = Math.round(t * 10) / 10;

    const items: CheckpointResult[] = CHECKPOINTS.map((checkpointId, k) => {
      const applicable = !(checkpointId === 'risk_disclosure' && !['理财', '基金', '保险代销'].includes(product)) && !(checkpointId === 'hold_notice' && rand() < 0.6);
      const passed = applicable ? rand() > (complaint ? 0.25 : 0.06) + k * 0.01 : null;
      const maxPoints = 10 + (k % 3) * 5;
      return { checkpointId, name: checkpointId, applicable, passed, points: passed ? maxPoints : 0, maxPoints, veto: checkpointId === 'no_pii_readout', reason: '', evidence: [] };
    });
    const maxTotal = items.reduce((a, it) => a + (it.applicable ? it.maxPoints : 0), 0);
    const total = Math.round((items.reduce((a, it) => a + it.points, 0) / maxTotal) * 1000) / 10;
    const vetoed = items.some((it) => it.veto && it.passed === false);
    const tags: CallTag[] = tagSpecs.map((s) => ({ id: s.id, path: s.path, complaint: s.complaint, confidence: Math.round((0.6 + rand() * 0.4) * 100) / 100, via: 'keywords', segmentIds: ['s1'] }));
    const customerEnd = [...segments].reverse().find((s) => s.role === 'customer')?.emotion?.label ?? 'neutral';
    const flags = FLAG_NAMES.filter((f) => (f === 'negative_end_emotion' ? ['angry', 'sad'].includes(customerEnd) : complaint && rand() < (f === 'complaint_threat' ? 0.6 : 0.1)));
    const vector = Array.from({ length: dims }, () => normal());
    const tagBias = tagSpecs[0] ? TAGS.indexOf(tagSpecs[0]) : -1;
    if (tagBias >= 0) vector[tagBias] = (vector[tagBias] ?? 0) + 6; // calls on one topic sit near each other
    const norm = Math.hypot(...vector);
    const id = hex(i, 8) + hex(Math.floor(rand() * 2 ** 32), 8);

    yield {
      id: id.padEnd(64, '0'),
      status: 'ok',
      ingestedAt: new Date(recordedMs + 3_600_000).toISOString(),
      recordedAt,
      durationSec,
      language: 'zh',
      source: { file: `${id}.wav`, sha256: id.padEnd(64, '0'), kind: 'audio', channels: 2, sampleRate: 8000, format: 'wav' },
      meta: {
        callId: `C${i}`,
        agentId: agent.id,
        agentName: agent.name,
        team: agent.team,
        branch: agent.branch,
        region: agent.region,
        product,
        channel: weighted(CHANNELS, CHANNEL_WEIGHTS, rand()),
        direction: rand() < 0.85 ? 'inbound' : 'outbound',
        recordedAt,
        customerId: hex(Math.floor(rand() * 200_000), 6),
        customerSegment: weighted(SEGMENTS, SEGMENT_WEIGHTS, rand()),
        complaintEscalated: complaint && rand() < 0.3,
        custom: { queue: `Q${1 + Math.floor(rand() * 12)}`, ivrPath: rand() < 0.5 ? 'self-service' : 'direct' },
      },
      transcriptSource: 'vendor:synthetic',
      segments,
      speech: [],
      acoustics: {
        basis: 'transcript',
        silenceSec: Math.round(durationSec * 0.15 * 10) / 10,
        longestSilenceSec: Math.round((1 + rand() * 12) * 10) / 10,
        silenceRatio: 0.15,
        talkRatio: Math.round((0.3 + rand() * 0.4) * 100) / 100,
        speechRateCpm: { agent: Math.round(200 + normal() * 30), customer: Math.round(180 + normal() * 30) },
        overlapSec: Math.round(rand() * 30) / 10,
        interruptions: { agent: Math.floor(rand() * 3), customer: Math.floor(rand() * 4) },
      },
      nlp: {
        tags,
        forbiddenHits: rand() < 0.03 ? 1 : 0,
        sensitiveHits: complaint ? 1 + Math.floor(rand() * 3) : 0,
        piiFound: [],
        customerEmotion: { start: 'neutral', end: customerEnd, worst: { label: customerEnd, score: 0.8, segmentStart: 0, text: '' } },
        agentEmotion: { start: 'neutral', end: 'neutral', worst: { label: 'neutral', score: 0.9, segmentStart: 0, text: '' } },
        embedding: { model: 'synthetic-v1', vector: vector.map((v) => Math.round((v / norm) * 1e4) / 1e4) },
        category: tags[0] ? { id: tags[0].id, path: tags[0].path, complaint: tags[0].complaint, confidence: tags[0].confidence } : null,
      },
      scores: [{ scorecardId: 'bank-service-standard', version: '4', total, maxTotal: 100, passed: total >= 60 && !vetoed, vetoed, items }],
      review: { status: 'none', flags: [...flags] },
      warnings: [],
      versions: { nlp: 'synthetic', scoring: 'synthetic' },
    };
  }
}
