import { mulberry32 } from '../core/prng.ts';

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
