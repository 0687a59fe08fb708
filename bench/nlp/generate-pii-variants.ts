/**
 * Writes tests/fixtures/pii-variants.jsonl: deterministic (seeded) spoken-number PII variants for
 * the PII detector, with positives (Luhn cards, GB 11643 IDs, mobiles, landlines, announced
 * CVV / codes / accounts, e-mail, names, addresses) in digit, numeral, mixed and full-width forms,
 * split by pauses and across segments, and negatives (amounts, dates, counts, 尾号, 工号, 12378,
 * hotlines, bad checksums). Expected values are built here from what was generated; the checksum
 * helpers below are independent of nlp/pii.
 *
 *   node --import tsx bench/nlp/generate-pii-variants.ts [count=600] [seed=20261126]
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../core/config.ts';
import { mulberry32 } from '../../core/prng.ts';

type Seg = { role: 'agent' | 'customer'; text: string };
type Expected = { type: string; segmentIndex: number; value: string };
type Variant = { id: string; segments: Seg[]; expected: Expected[] };

const rand = mulberry32(Number(process.argv[3] ?? 20261126));
const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const digitsOf = (n: number) => Array.from({ length: n }, () => String(int(0, 9))).join('');

// ---- checksums (independent implementations) ----
function luhnSum(s: string): number {
  return [...s].reverse().reduce((acc, ch, i) => {
    const d = Number(ch) * (i % 2 ? 2 : 1);
    return acc + (d > 9 ? d - 9 : d);
  }, 0);
}
const luhnOk = (s: string) => luhnSum(s) % 10 === 0;
function withLuhn(body: string): string {
  for (let c = 0; c < 10; c++) if (luhnOk(body + c)) return body + c;
  throw new Error('unreachable');
}
function idCheck(first17: string): string {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((acc, ch, i) => acc + Number(ch) * w[i]!, 0);
  return '10X98765432'[sum % 11]!;
}

// ---- number generators ----
function validCard(): string {
  const len = pick([16, 16, 16, 17, 19, 19]);
  const prefix = pick(['622848', '621700', '622588', '625911', '436742', '524047', '622202', '621483']);
  return withLuhn(prefix + digitsOf(len - prefix.length - 1));
}
function invalidCard(): string {
  const good = validCard().slice(0, 16).replace(/.$/, '');
  const body = good.length === 15 ? good : withLuhn(good).slice(0, 15);
  for (;;) {
    const c = String(int(0, 9));
    if (!luhnOk(body + c)) return body + c;
  }
}
const REGIONS = ['110105', '310104', '440106', '440305', '330106', '510107', '420102', '320102', '610113', '210102'];
function idBody(): string {
  const y = int(1950, 2005);
  const m = int(1, 12);
  const d = int(1, 28);
  return pick(REGIONS) + String(y) + String(m).padStart(2, '0') + String(d).padStart(2, '0') + digitsOf(3);
}
function validId(wantX = false): string {
  for (;;) {
    const body = idBody();
    const c = idCheck(body);
    if (wantX && c !== 'X') continue;
    if (!wantX && c === 'X' && rand() < 0.7) continue;
    if (c !== 'X' && luhnOk(body + c)) continue; // would also read as an 18-digit card
    return body + c;
  }
}
function wrongId(): string {
  for (;;) {
    const body = idBody();
    const c = String(int(0, 9));
    if (c !== idCheck(body) && !luhnOk(body + c)) return body + c;
  }
}
const phone = () => '1' + pick(['3', '5', '7', '8', '9']) + digitsOf(9);
const AREA3 = ['010', '020', '021', '022', '023', '024', '025', '027', '028', '029'];
const AREA4 = ['0755', '0571', '0512', '0371', '0531', '0731', '0591', '0898', '0431', '0851'];
function landline(): { digits: string; groups: string[] } {
  if (rand() < 0.5) {
    const a = pick(AREA3);
    const local = String(int(2, 8)) + digitsOf(7);
    return { digits: a + local, groups: rand() < 0.5 ? [a, local] : [a, local.slice(0, 4), local.slice(4)] };
  }
  const a = pick(AREA4);
  const local = String(int(2, 8)) + digitsOf(pick([6, 7]));
  return { digits: a + local, groups: [a, local] };
}
function accountNumber(): string {
  for (;;) {
    const n = pick([12, 13, 15, 16, 17, 20]);
    const s = String(int(3, 9)) + digitsOf(n - 1);
    if (!luhnOk(s)) return s;
  }
}

// ---- rendering spoken forms ----
type Form = 'digits' | 'numerals' | 'mixed' | 'fullwidth';
const ZH = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
function renderDigit(ch: string, form: 'digits' | 'numerals' | 'fullwidth', yao: boolean): string {
  if (ch === 'X') return form === 'numerals' && rand() < 0.5 ? '叉' : 'X';
  if (form === 'digits') return ch;
  if (form === 'fullwidth') return String.fromCharCode(0xff10 + Number(ch));
  if (ch === '1' && yao) return '幺';
  if (ch === '0' && rand() < 0.1) return '〇';
  if (ch === '2' && rand() < 0.1) return '两';
  return ZH[Number(ch)]!;
}
function renderGroups(groups: string[], form: Form, sep: () => string): string {
  const yao = rand() < 0.8;
  return groups
    .map((g) => {
      const f = form === 'mixed' ? pick(['digits', 'numerals'] as const) : form;
      return [...g].map((ch) => renderDigit(ch, f, yao)).join('');
    })
    .join(sep());
}
function chunk(s: string, sizes: number[]): string[] {
  const out: string[] = [];
  let i = 0;
  for (const n of sizes) {
    if (i >= s.length) break;
    out.push(s.slice(i, i + n));
    i += n;
  }
  if (i < s.length) out.push(s.slice(i));
  return out;
}
function groupsFor(s: string): string[] {
  const style = int(0, 3);
  if (style === 0) return [s];
  if (style === 1) return chunk(s, Array(10).fill(4));
  if (style === 2) return s.length === 11 ? chunk(s, [3, 4, 4]) : s.length === 18 ? chunk(s, [6, 8, 4]) : chunk(s, [4, 4, 4, 4]);
  return chunk(s, [int(2, 5), int(2, 5), int(3, 6), int(3, 6), 9]);
}
const SEPS = [' ', ' ', '，', '、', '…', '-', '，嗯，', '……', '　'];
function sepFn(): () => string {
  const fixed = pick(SEPS);
  return rand() < 0.7 ? () => fixed : () => pick(SEPS);
}
const randomForm = (): Form => pick(['digits', 'numerals', 'numerals', 'mixed', 'fullwidth']);
function speak(s: string, form = randomForm()): string {
  return renderGroups(groupsFor(s), form, sepFn());
}

// ---- names / addresses ----
const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '徐', '孙', '马', '胡', '郭', '林', '何', '高', '罗', '郑'];
const COMPOUND = ['欧阳', '司马', '上官', '诸葛'];
const GIVEN = [...'伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国海峰晓东佳怡德志'];
function personName(): string {
  if (rand() < 0.1) return pick(COMPOUND) + pick(GIVEN) + pick(GIVEN);
  return pick(SURNAMES) + (rand() < 0.3 ? pick(GIVEN) : pick(GIVEN) + pick(GIVEN));
}
const CITIES = ['北京市朝阳区', '上海市浦东新区', '广东省深圳市南山区', '浙江省杭州市西湖区', '四川省成都市武侯区', '湖北省武汉市洪山区'];
const ROADS = ['建国路', '科技园路', '文三路', '人民南路', '珞喻路', '世纪大道'];
/** An address as said, and its expected value (house numbers read digit by digit compare as digits). */
function address(): { said: string; value: string } {
  const [numSaid, numValue] = pick([[String(int(1, 300)), null], ['十八', null], ['八十八', null], ['一百二十', null], ['六', '6'], ['幺零八', '108']] as const);
  const [restSaid, restValue] = rand() < 0.6 ? pick([['3栋502室', null], ['二单元1101', '2单元1101'], ['幸福小区5号楼', null], ['7幢301', null]] as const) : ['', null];
  const head = pick(CITIES) + pick(ROADS);
  return { said: `${head}${numSaid}号${restSaid}`, value: `${head}${numValue ?? numSaid}号${restValue ?? restSaid}` };
}

// ---- case builders ----
const AGENT_ASK = ['请问您的卡号是多少？', '请您提供一下相关信息。', '好的，请讲。', '麻烦您说一下。'];
type Build = () => { segments: Seg[]; expected: Expected[] };
const C = (text: string): Seg => ({ role: 'customer', text });
const A = (text: string): Seg => ({ role: 'agent', text });

const builders: Array<[string, number, Build]> = [
  ['card', 12, () => {
    const card = validCard();
    const cue = pick(['卡号是', '我的卡号是', '银行卡号：', '账号是', '就是这张，', '', '卡号是，嗯，']);
    return { segments: [A(pick(AGENT_ASK)), C(`${cue}${speak(card)}。`)], expected: [{ type: 'card_number', segmentIndex: 1, value: card }] };
  }],
  ['card-agent-readback', 4, () => {
    const card = validCard();
    return { segments: [A(`跟您确认一下，卡号${speak(card)}，对吗？`), C('对。')], expected: [{ type: 'card_number', segmentIndex: 0, value: card }] };
  }],
  ['id', 10, () => {
    const id = validId(rand() < 0.3);
    const cue = pick(['身份证号是', '我的身份证号码是', '证件号', '']);
    return { segments: [A('请提供一下您的身份证号码。'), C(`${cue}${speak(id)}。`)], expected: [{ type: 'id_number', segmentIndex: 1, value: id }] };
  }],
  ['phone', 10, () => {
    const p = phone();
    const cue = pick(['我手机号是', '电话是', '你打', '联系方式：', '']) + (rand() < 0.15 ? '+86 ' : '');
    return { segments: [C(`${cue}${speak(p)}，${pick(['谢谢', '有事打这个', '好吧'])}。`)], expected: [{ type: 'phone_number', segmentIndex: 0, value: p }] };
  }],
  ['landline', 7, () => {
    const l = landline();
    const form = randomForm();
    const text = renderGroups(l.groups, form, () => pick(['-', ' ', '，', '']));
    return { segments: [C(`${pick(['座机是', '家里电话', '单位座机：', '打'])}${text}${pick(['。', '，白天有人。'])}`)], expected: [{ type: 'landline', segmentIndex: 0, value: l.digits }] };
  }],
  ['cvv', 4, () => {
    const v = digitsOf(3);
    return { segments: [C(`${pick(['安全码是', '卡背面的CVV是', 'CVV2：'])}${speak(v, pick(['digits', 'numerals'] as const))}。`)], expected: [{ type: 'cvv', segmentIndex: 0, value: v }] };
  }],
  ['verification', 5, () => {
    const v = digitsOf(pick([4, 6, 6]));
    return { segments: [A('请报一下您收到的验证码。'), C(`${pick(['验证码是', '动态码：', '收到了，验证码是'])}${speak(v)}。`)], expected: [{ type: 'verification_code', segmentIndex: 1, value: v }] };
  }],
  ['account', 5, () => {
    const a = accountNumber();
    return { segments: [C(`${pick(['账号是', '收款账户是', '对方账号：'])}${speak(a)}。`)], expected: [{ type: 'account_number', segmentIndex: 0, value: a }] };
  }],
  ['invalid-card-announced-as-card', 2, () => {
    const a = invalidCard();
    return { segments: [C(`卡号是${speak(a)}。`)], expected: [{ type: 'account_number', segmentIndex: 0, value: a }] };
  }],
  ['email', 3, () => {
    const user = pick(['zhang.san', 'li_na88', 'wangfang', 'chen-xd2020']);
    const dom = pick(['example.com', 'mail.example.cn', 'qq.com', '163.com']);
    return { segments: [C(`我的邮箱是${user}@${dom}，发这个就行。`)], expected: [{ type: 'email', segmentIndex: 0, value: `${user}@${dom}` }] };
  }],
  ['name', 8, () => {
    const n = personName();
    const cue = pick(['我叫', '我的名字是', '收款人叫', '收款人是', '户名是', '持卡人是']);
    const after = pick(['，身份证后四位是', '身份证后四位是', '。', '，我想问一下。']);
    const tail = after.includes('后四位') ? speak(digitsOf(4), pick(['digits', 'numerals'] as const)) + '。' : '';
    return { segments: [A('请问您的姓名？'), C(`${cue}${n}${after}${tail}`)], expected: [{ type: 'person_name', segmentIndex: 1, value: n }] };
  }],
  ['address', 6, () => {
    const a = address();
    const cue = pick(['地址是', '新地址是', '我住在', '寄到']);
    return { segments: [C(`${cue}${a.said}${pick(['，谢谢。', '。', '，麻烦改一下。'])}`)], expected: [{ type: 'address', segmentIndex: 0, value: a.value }] };
  }],
  ['cross-segment', 10, () => {
    const kind = pick(['card', 'id', 'phone'] as const);
    const v = kind === 'card' ? validCard() : kind === 'id' ? validId() : phone();
    const type = kind === 'card' ? 'card_number' : kind === 'id' ? 'id_number' : 'phone_number';
    const cut = kind === 'phone' ? pick([3, 7]) : pick([4, 8, 12]);
    const form = randomForm();
    const first = C(`${pick(['卡号是', '号码是', '我念一下，', ''])}${speak(v.slice(0, cut), form)}${pick(['…', '，', '', '……'])}`);
    const between = pick([[], [], [A('嗯')], [A('好的')], [A('嗯，您说')]]);
    const second = C(`${pick(['', '然后是', '嗯，'])}${speak(v.slice(cut), form)}${pick(['。', '，就这个。'])}`);
    return { segments: [A(pick(AGENT_ASK)), first, ...between, second], expected: [{ type, segmentIndex: 1, value: v }] };
  }],
  ['mixed-with-negatives', 5, () => {
    const card = validCard();
    const last4 = card.slice(-4);
    const n = personName();
    return {
      segments: [
        A(`您好，工号${speak(String(int(1000, 9999)), 'numerals')}，请问有什么可以帮您？`),
        C(`我叫${n}，尾号${speak(last4, 'numerals')}的卡被扣了${pick(['六百块钱', '1500元', '二十万'])}，卡号是${speak(card)}。`),
      ],
      expected: [
        { type: 'person_name', segmentIndex: 1, value: n },
        { type: 'card_number', segmentIndex: 1, value: card },
      ],
    };
  }],
  ['negative', 14, () => {
    const text = pick([
      () => `多了一笔${pick(['六百块钱', '1500元', '二十万', '一万二千三百四十五元六角', '三千八', '1,500,000元'])}的${pick(['年费', '支出', '转账'])}。`,
      () => `${pick(['下个月十号', '2026年3月15日', '二零二六年三月十五号', '十五号那天', '下午两点十五分'])}还款。`,
      () => `一年刷卡满${pick(['十二次', '十二次', '二十四次'])}，请您${pick(['五天内', '三到五个工作日', '七到十个工作日'])}办理。`,
      () => `是尾号${speak(digitsOf(4), pick(['digits', 'numerals'] as const))}的这张卡吗？`,
      () => `身份证${pick(['后四位', '最后四位'])}是${speak(digitsOf(3) + pick(['1', 'X']), pick(['digits', 'numerals'] as const))}。`,
      () => `我要打${pick(['12378', '一二三七八', '幺二三七八'])}投诉你们。`,
      () => `您可以拨打${pick(['95588', '九五五八八', '95566'])}客服热线。`,
      () => `您好，星河银行，工号${speak(String(int(1000, 9999)), pick(['digits', 'numerals'] as const))}，很高兴为您服务。`,
      () => `这个号${speak(invalidCard())}是什么？`,
      () => `${speak(wrongId())}。`,
      () => `请问您叫什么名字，身份证后四位是多少？`,
      () => `请问收款人的姓名和账号能提供一下吗？`,
      () => `请问您的地址是？验证码是多少？`,
      () => `${pick(['账号后四位是', '卡号尾号', '手机尾号是', '后四位是'])}${speak(digitsOf(4), pick(['digits', 'numerals'] as const))}，对吗？`,
      () => `${pick(['2026', '二零二六'])}年${pick(['1', '十二', '3'])}月，订单号${pick(['20260315', '二零二六零三幺五'])}。`,
      () => `我住在这边很多年了，一一核对过了，三三两两的。`,
      () => `年化百分之${pick(['四点五', '二点八', '十三'])}，每期费率零点六。`,
    ])();
    return { segments: [pick([A, C])(text)], expected: [] };
  }],
];

const NUMBER_CASES = new Set(['card', 'card-agent-readback', 'id', 'phone', 'landline', 'verification', 'account', 'cross-segment']);
const count = Number(process.argv[2] ?? 600);
const totalWeight = builders.reduce((a, [, w]) => a + w, 0);
const variants: Variant[] = [];
for (let i = 0; i < count; i++) {
  let r = rand() * totalWeight;
  const [name, , build] = builders.find(([, w]) => (r -= w) < 0) ?? builders[0]!;
  const v = { id: `pii-${String(i).padStart(4, '0')}-${name}`, ...build() };
  // ASR output often has no punctuation at all: drop it from a share of the number cases.
  if (NUMBER_CASES.has(name) && rand() < 0.25) {
    v.id += '-nopunct';
    for (const seg of v.segments) seg.text = seg.text.replace(/[，。、？！：]/g, '');
  }
  variants.push(v);
}
const out = path.join(repoRoot, 'tests', 'fixtures', 'pii-variants.jsonl');
writeFileSync(out, variants.map((v) => JSON.stringify(v)).join('\n') + '\n');
console.log(`wrote ${variants.length} variants to ${path.relative(repoRoot, out)}`);
