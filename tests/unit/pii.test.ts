import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../core/config.ts';
import { isCallScopeError } from '../../core/errors.ts';
import { detectPii, maskSegments } from '../../nlp/pii/index.ts';

type Seg = { role: string; text: string };
const C = (text: string): Seg => ({ role: 'customer', text });
const A = (text: string): Seg => ({ role: 'agent', text });
const found = (segments: Seg[]) => detectPii(segments).map((s) => [s.type, s.segmentIndex, s.value]);

// Card numbers / IDs / phones below come from the dev calls' truth (Luhn / GB 11643 valid there)
// or are the textbook ID example; invalid ones differ from them in the last digit.
describe('numbers in one segment', () => {
  it.each([
    ['card, digits', '卡号是6225170255716497。', 'card_number', '6225170255716497'],
    ['card, numerals with 幺', '卡号六二二五 幺七零二 五五七幺 六四九七，对吗？', 'card_number', '6225170255716497'],
    ['card, numerals with 一', '六二二五一七零二五五七一六四九七', 'card_number', '6225170255716497'],
    ['card, mixed digits and numerals', '账号是六二二八 7253 六二四零 4472。', 'card_number', '6228725362404472'],
    ['card, full-width digits', '６２１７８７５０９８５１６３８９', 'card_number', '6217875098516389'],
    ['card, commas', '6217，8750，9851，6389', 'card_number', '6217875098516389'],
    ['card, 、', '六二幺七、八七五零、九八五幺、六三八九', 'card_number', '6217875098516389'],
    ['card, pauses …', '6217…8750…9851……6389', 'card_number', '6217875098516389'],
    ['card, hyphens', '6217-8750-9851-6389', 'card_number', '6217875098516389'],
    ['card, filler 嗯 in a pause', '六二幺七，嗯，八七五零 九八五幺 六三八九', 'card_number', '6217875098516389'],
    ['card, no punctuation around', '卡号是6217875098516389那张卡丢了', 'card_number', '6217875098516389'],
    ['resident ID, digits', '身份证号码是440106198711262333，对吗？', 'id_number', '440106198711262333'],
    ['resident ID, spoken in groups', '四四零幺零六 幺九八七幺幺二六 二三三三', 'id_number', '440106198711262333'],
    ['resident ID ending in X', '11010519491231002X', 'id_number', '11010519491231002X'],
    ['resident ID ending in spoken 叉', '幺幺零幺零五幺九四九幺二三幺零零二叉', 'id_number', '11010519491231002X'],
    ['resident ID with X after a pause', '110105 19491231 002-X', 'id_number', '11010519491231002X'],
    ['mobile, digits', '发到您的手机13310982551上了', 'phone_number', '13310982551'],
    ['mobile, numerals', '幺三三 幺零九八 二五五幺', 'phone_number', '13310982551'],
    ['mobile, 两 for 2', '幺三三幺零九八两五五幺', 'phone_number', '13310982551'],
    ['mobile, hyphens', '133-1098-2551', 'phone_number', '13310982551'],
    ['mobile, +86', '+86 133 1098 2551', 'phone_number', '13310982551'],
    ['landline 010', '座机是010-12345678', 'landline', '01012345678'],
    ['landline 0755 with spaces', '0755 1234 5678', 'landline', '075512345678'],
    ['landline, numerals', '零二幺 六二三四 五六七八', 'landline', '02162345678'],
    ['landline announced without area code', '家里座机是8765 4321', 'landline', '87654321'],
    ['CVV announced', '安全码是七三九', 'cvv', '739'],
    ['CVV announced in Latin', '卡背面的CVV是 123。', 'cvv', '123'],
    ['verification code', '验证码是 三八二九一五', 'verification_code', '382915'],
    ['dynamic code', '动态码：482913', 'verification_code', '482913'],
    ['account number failing Luhn, announced', '账号是6225170255716498', 'account_number', '6225170255716498'],
    ['account number, 账户号', '账户号是3301 2345 6789 0', 'account_number', '3301234567890'],
    ['invalid card announced as 卡号 is an account number', '卡号是6225170255716498', 'account_number', '6225170255716498'],
  ])('%s', (_name, text, type, value) => {
    expect(found([C(text)])).toEqual([[type, 0, value]]);
  });

  it.each([
    ['a last-four lead before a card', '尾号9077 6217875098516389', [['card_number', 0, '6217875098516389']]],
    ['a card followed by a short number after a comma', '6217875098516389，12点以前打给我', [['card_number', 0, '6217875098516389']]],
    ['a phone and a card read with the same pauses', '13310982551 6217875098516389', [['phone_number', 0, '13310982551'], ['card_number', 0, '6217875098516389']]],
    ['a phone followed by 两天', '我的联系方式13310982551.两天没人理我', [['phone_number', 0, '13310982551']]],
    ['a phone after another number and a slash', 'no.1624008/13310982551/台福八宝粥', [['phone_number', 0, '13310982551']]],
    ['a wrong-check ID read in comma groups is not mined for a shorter number', '4401，0619，8711，2623，34', []],
    ['a wrong-check ID read in numeral groups', '四四零幺零六 幺九八七幺幺二六 二三三四', []],
  ])('%s', (_name, text, expected) => {
    expect(found([C(text)])).toEqual(expected);
  });

  it('copes with a very long run of digits quickly', () => {
    const text = Array.from({ length: 400 }, (_, i) => String(1000 + i)).join(' ');
    const t0 = performance.now();
    found([C(text)]);
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it('splits a card and a phone read in one breath', () => {
    expect(found([C('6217875098516389，13310982551')])).toEqual([
      ['card_number', 0, '6217875098516389'],
      ['phone_number', 0, '13310982551'],
    ]);
  });
});

describe('announced text', () => {
  it.each([
    ['我叫赵海峰，身份证后四位是9358。', 'person_name', '赵海峰'],
    ['我叫王芳身份证后四位是零七零三', 'person_name', '王芳'],
    ['我的名字是欧阳娜娜。', 'person_name', '欧阳娜娜'],
    ['收款人叫黄静，账号是', 'person_name', '黄静'],
    ['户名是王小明', 'person_name', '王小明'],
    ['地址是北京市朝阳区建国路88号3栋502室，谢谢。', 'address', '北京市朝阳区建国路88号3栋502室'],
    ['我住在上海市浦东新区世纪大道100号。', 'address', '上海市浦东新区世纪大道100号'],
    ['新地址是广东省深圳市南山区科技园路18号对吗', 'address', '广东省深圳市南山区科技园路18号'],
    ['我的邮箱是Zhang.San@example.com，发这个就行', 'email', 'zhang.san@example.com'],
    ['账单地址更新为浙江省杭州市西湖区文三路幺零零号三栋，谢谢', 'address', '浙江省杭州市西湖区文三路100号3栋'],
    ['我想把地址改一下，改成四川省成都市武侯区人民南路二十号。', 'address', '四川省成都市武侯区人民南路二十号'],
  ])('%s', (text, type, value) => {
    expect(found([C(text)]).filter(([t]) => t === type)).toEqual([[type, 0, value]]);
  });
});

describe('numbers across segments of the same speaker', () => {
  it.each([
    ['direct continuation', [C('卡号是六二二五 幺七零二…'), C('五五七幺 六四九七。')]],
    ['agent back-channel 嗯 in between', [C('卡号是六二二五 幺七零二'), A('嗯'), C('五五七幺 六四九七。')]],
    ['agent back-channel 好的，您说 in between', [C('6225 1702，'), A('好的，您说。'), C('然后是5571 6497')]],
  ])('%s', (_name, segments) => {
    const spans = detectPii(segments);
    expect(spans.map((s) => [s.type, s.value])).toEqual([['card_number', '6225170255716497']]);
    expect(spans[0]!.parts.map((p) => p.segmentIndex)).toEqual([0, segments.length - 1]);
  });

  it('joins a phone number split 3 + 8', () => {
    expect(found([C('我手机是幺三三'), C('幺零九八 二五五幺')])).toEqual([['phone_number', 0, '13310982551']]);
  });

  it('does not join across a substantive agent turn', () => {
    expect(found([C('卡号是六二二五 幺七零二'), A('请问是哪张卡？'), C('五五七幺 六四九七。')])).toEqual([]);
  });

  it('does not join halves of different speakers', () => {
    expect(found([C('卡号是六二二五 幺七零二'), A('五五七幺 六四九七')])).toEqual([]);
  });
});

describe('not PII', () => {
  it.each([
    ['amount 六百块钱', '我信用卡账单里多了一笔六百块钱的年费'],
    ['amount 1500元', '每月还1500元，加手续费108元'],
    ['amount 二十万', '已经为您预约提前还款二十万'],
    ['amount with thousands separators', '转了1,500,000元'],
    ['amount 一万二千三百四十五元六角', '活期余额是一万二千三百四十五元六角'],
    ['date 十号 / 下个月', '预约下个月十号提前还款'],
    ['date in digits', '2026年3月15日还款'],
    ['date spoken digit by digit', '二零二六年三月十五号还款'],
    ['count 十二次', '一年刷卡满十二次才能免年费'],
    ['count 五天内', '请您五天内带身份证到网点办理'],
    ['尾号 digits', '您说的是尾号9077的这张白金卡，对吗？'],
    ['尾号 numerals', '您说的是尾号九零七七的这张白金卡'],
    ['后四位', '身份证后四位是5403。'],
    ['后四位 numerals', '身份证最后四位，我看看啊，是幺零幺五。'],
    ['12378 digits', '我就打12378投诉你们。'],
    ['12378 numerals', '我就打一二三七八投诉你们。'],
    ['95588 hotline', '您可以拨打95588客服热线'],
    ['工号 digits', '您好，星河银行，工号4388，很高兴为您服务'],
    ['工号 numerals', '您好，星河银行，工号四三八八，很高兴为您服务'],
    ['invalid-Luhn 16 digits, unannounced', '这个6225170255716498是什么'],
    ['ID with a wrong check digit', '440106198711262334'],
    ['percentages', '年化百分之四点五，每期费率零点六'],
    ['question for the code', '请问您的验证码是多少？'],
    ['question for the name', '请问您叫什么名字，身份证后四位是多少？'],
    ['question for payee name and account', '请问收款人的姓名和账号能提供一下吗？'],
    ['我叫 meaning "I order"', '我叫外卖等了一个小时'],
    ['住在 without an address', '住在这里很方便，住在花园里面一样'],
    ['用户名 is not 户名', '需要设置用户名密码'],
    ['改成 without an address', '我想改成分期还款，改成自动还款'],
  ])('%s', (_name, text) => {
    expect(found([C(text)])).toEqual([]);
  });
});

describe('maskSegments', () => {
  it.each([
    ['卡号是6225170255716497，对吗？', '卡号是【卡号尾号6497】，对吗？'],
    ['我叫赵海峰，手机幺三三 幺零九八 二五五幺。', '我叫【姓名】，手机【手机号】。'],
    ['身份证号码是11010519491231002X，', '身份证号码是【身份证号】，'],
    ['座机是010-12345678，安全码是739', '座机是【座机】，安全码是【安全码】'],
    ['验证码是382915，账号是6225170255716498', '验证码是【验证码】，账号是【账号】'],
    ['邮箱a.b@example.com，地址是北京市朝阳区建国路88号。', '邮箱【邮箱】，地址是【地址】。'],
    ['您说的是尾号9077的这张白金卡，工号4388', '您说的是尾号9077的这张白金卡，工号4388'],
  ])('%s', (text, masked) => {
    expect(maskSegments([C(text)])[0]!.textMasked).toBe(masked);
  });

  it('masks each segment part of a cross-segment number and leaves the rest byte-identical', () => {
    const out = maskSegments([C('卡号是六二二五 幺七零二…'), A('嗯'), C('五五七幺 六四九七。好的 '), A('好的，感谢您的来电。')]);
    expect(out.map((o) => o.textMasked)).toEqual(['卡号是【卡号尾号6497】…', '嗯', '【卡号尾号6497】。好的 ', '好的，感谢您的来电。']);
    expect(out[2]!.spans.map((s) => s.type)).toEqual(['card_number']);
    expect(out[3]!.spans).toEqual([]);
  });

  it('rejects input that is not [{ role, text }]', () => {
    let error: unknown;
    try {
      detectPii([{ role: 'agent' } as unknown as Seg]);
    } catch (e) {
      error = e;
    }
    expect(isCallScopeError(error) && error.code).toBe('BAD_REQUEST');
  });
});

type Variant = { id: string; segments: Seg[]; expected: Array<{ type: string; segmentIndex: number; value: string }> };
const variants: Variant[] = readFileSync(path.join(repoRoot, 'tests', 'fixtures', 'pii-variants.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l));

describe('generated spoken-number variants (bench/nlp/generate-pii-variants.ts)', () => {
  it('has at least 500 variants, negatives included', () => {
    expect(variants.length).toBeGreaterThanOrEqual(500);
    expect(variants.filter((v) => v.expected.length === 0).length).toBeGreaterThan(30);
  });
  const sortKey = (x: { type: string; segmentIndex: number; value: string }) => `${x.segmentIndex}|${x.type}|${x.value}`;
  it.each(variants.map((v) => [v.id, v] as const))('%s', (_id, v) => {
    const got = detectPii(v.segments).map((s) => sortKey(s)).sort();
    expect(got).toEqual(v.expected.map(sortKey).sort());
  });
});
