import { mulberry32 } from '../core/prng.ts';
import type { CallDoc } from '../core/schemas.ts';
import { textCall, type Line } from './text-call.ts';

/** Four customer topics with disjoint vocabularies: clustering them has a known answer. */
export const TOPICS: Record<string, string[]> = {
  card: ['信用卡', '年费', '减免', '额度', '账单', '分期', '还款', '逾期', '利息', '提额'],
  transfer: ['转账', '汇款', '到账', '手续费', '跨行', '限额', '网银', '失败', '退回', '延迟'],
  loan: ['贷款', '房贷', '利率', '审批', '抵押', '放款', '公积金', '月供', '征信', '首付'],
  wealth: ['理财', '基金', '收益', '赎回', '亏损', '风险', '净值', '定投', '保本', '到期'],
};
const FILLERS = ['我想问一下', '请问', '麻烦帮我看看', '你好', '就是'];

/** `perTopic` utterances per topic, each a filler and four words of its topic; ids `<topic>-<n>`. */
export function topicTexts(perTopic: number, seed: number, topics = Object.keys(TOPICS)): Array<{ id: string; text: string; label: string }> {
  const rnd = mulberry32(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)]!;
  return topics.flatMap((t) =>
    Array.from({ length: perTopic }, (_, i) => ({
      id: `${t}-${seed}-${i}`,
      label: t,
      text: `${pick(FILLERS)}，${[0, 1, 2, 3].map(() => pick(TOPICS[t]!)).join('')}的问题`,
    })),
  );
}

export const hex = (n: number) => n.toString(16).padStart(64, '0');
const BRANCHES = ['上海分行', '北京分行'];

/** Call n: the customer raises one topic (two utterances), the agent answers; days 1–10 May, branches alternate. */
function call(n: number, topic: { text: string; label: string }, second: string): CallDoc {
  const day = String(1 + (n % 10)).padStart(2, '0');
  const lines: Line[] = [
    ['agent', '您好，很高兴为您服务'],
    ['customer', topic.text],
    ['customer', second],
    ['customer', '嗯'],
  ];
  return textCall(hex(n), `2026-05-${day}T10:00:00+08:00`, lines, { ingestedAt: '2026-05-20T00:00:00.000Z', meta: { branch: BRANCHES[n % 2]!, product: topic.label, custom: {} } });
}

/** 4 × perTopic calls numbered from `from`; each customer says two utterances of the call's topic. */
export function topicCalls(from: number, perTopic: number, seed: number): CallDoc[] {
  const a = topicTexts(perTopic, seed);
  const b = topicTexts(perTopic, seed + 100);
  return a.map((t, i) => call(from + i, t, b[i]!.text));
}

