import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ComplaintTagger, type TagSegment } from '../../nlp/taxonomy/tagger.ts';
import { tempDir } from '../helpers.ts';

const tagger = ComplaintTagger.load();
const tmp = tempDir();
afterAll(() => tmp.cleanup());
const call = (...lines: Array<[TagSegment['role'], string]>): TagSegment[] => lines.map(([role, textMasked], i) => ({ id: `s${i}`, role, textMasked }));

describe('complaint taxonomy', () => {
  it.each([
    [[['customer', '我上个月的账单里怎么多了一笔手续费？乱收费！']], '费用争议/手续费', true],
    [[['customer', '我的卡昨天突然被冻结了，什么都用不了']], '账户/冻结', true],
    [[['customer', '手机银行一直登录不了，一打开就闪退']], '电子渠道/APP故障', true],
    [[['customer', '你好，我的卡丢了，想挂失一下']], '卡片挂失/挂失补卡', false],
  ] as Array<[Array<[TagSegment['role'], string]>, string, boolean]>)('%j → %s', async (lines, pathZh, complaint) => {
    const [top] = await tagger.tag(call(...lines));
    expect(top).toMatchObject({ path: pathZh, complaint, via: 'keywords' });
    expect(top!.evidence[0]!.segmentId).toBe('s0');
  });

  it('reads only the roles a node names: the customer, unless the node says otherwise', async () => {
    expect(await tagger.tag(call(['agent', '您的年费已经为您免除了']))).toEqual([]);
    const [top] = await tagger.tag(call(['agent', '您好，这边是信用卡中心回访，给您介绍一下账单分期'], ['customer', '不用了']));
    expect(top!.id).toBe('marketing.installment');
  });

  it('puts the reason stated first ahead of later mentions at equal confidence', async () => {
    const tags = await tagger.tag(call(['customer', '我转账的钱对方还没到账'], ['customer', '另外你们态度能不能好一点']));
    expect(tags.map((t) => t.id)).toEqual(['transfer.delay', 'service.attitude']);
  });

  it('tags by similarity to exemplars when no keyword matches', async () => {
    const similarity = async (texts: string[], exemplars: string[]) =>
      texts.map(() => exemplars.map((e) => (e.includes('养老金') ? 0.9 : e.includes('余额') ? 0.79 : 0.1)));
    const tags = await tagger.tag(call(['customer', '我父亲每月那笔钱这次没打过来']), similarity);
    // 0.79 is under the bar; 0.9 counts at 0.55 × 0.9.
    expect(tags).toEqual([
      { id: 'elderly.assistance', path: '适老服务/到账查询', complaint: false, via: 'exemplar', confidence: 0.5, evidence: [{ segmentId: 's0', term: '' }] },
    ]);
  });

  it('ranks a keyword tag above an exemplar-only tag', async () => {
    const similarity = async (texts: string[], exemplars: string[]) => texts.map(() => exemplars.map((e) => (e.includes('养老金') ? 0.95 : 0)));
    const tags = await tagger.tag(call(['customer', '我想查一下余额']), similarity);
    expect(tags.map((t) => t.id)).toEqual(['inquiry.balance', 'elderly.assistance']);
  });

  it('rejects a malformed taxonomy with the path of the problem', () => {
    const f = path.join(tmp.dir, 'bad.yaml');
    writeFileSync(f, 'id: t\nversion: 1\nnodes:\n  - name: 费用\n    children:\n      - { id: Fee, name: 年费, complaint: true, keywords: [年费] }\n');
    expect(() => ComplaintTagger.load(f)).toThrow(/nodes\.0\.children\.0\.id: leaf ids are category\.sub_category/);
  });
});
