import { surnameLength } from './surnames.ts';
import type { PiiSegment, PiiSpan } from './types.ts';

/** Cues after which a speaker states a person's name (我叫…, 收款人叫…, 户名是…). */
const NAME_CUE =
  /(?:我叫|我的名字(?:是|叫)|我名字(?:是|叫)|名字叫|姓名是|姓名叫|收款人(?:的名字|的姓名|姓名|名字)?(?:叫|是|为)?|收款方(?:叫|是)|(?<![用账帐])户名(?:是|叫|为)?|开户人(?:是|叫)?|持卡人(?:是|叫)?)[：:\s　]*/g;
const HAN = /[\u3400-\u9fff]/;
/** A name cannot start with these (我叫什么…, 收款人的姓名和账号…). */
const NOT_NAME_START = new Set([...'什啥谁的一这那你您他她我个了过不和跟及与账卡号是都也还就要想在做错']);
/** Words that end a name read without punctuation (我叫王芳身份证…). */
const AFTER_NAME = [
  '身份证', '身份', '证件', '卡号', '账号', '帐号', '账户', '手机', '电话', '号码', '地址', '住在', '今年', '先生', '女士',
  '小姐', '我', '是', '的', '在', '想', '要', '啊', '呀', '吧', '呢', '嗯', '哦', '就', '来', '打', '给', '和', '跟', '办',
  '有', '这', '那', '今天', '从', '去', '请', '帮', '麻烦', '对', '吗', '了', '也', '还', '已经', '现在', '不', '没',
];
const MAX_NAME = 4;

function nameAt(text: string, from: number): string | null {
  let end = from;
  while (end < text.length && HAN.test(text[end]!)) end++;
  const run = text.slice(from, end);
  if (run.length < 2 || NOT_NAME_START.has(run[0]!) || surnameLength(run) === 0) return null;
  let len = Math.min(run.length, MAX_NAME);
  for (let k = 2; k < len; k++) {
    if (AFTER_NAME.some((w) => run.startsWith(w, k))) {
      len = k;
      break;
    }
  }
  // A long run with no boundary word is most likely a 3-character name followed by speech.
  if (run.length > MAX_NAME && len === MAX_NAME && !AFTER_NAME.some((w) => run.startsWith(w, MAX_NAME))) len = 3;
  return run.slice(0, len);
}

/** Cues after which an address follows; it runs to the end of the clause. */
const ADDRESS_CUE =
  /(?:地址(?:是|为|在|改成|改为|改到|更新为|更新成|变更为|换成|：|:)|住址(?:是|在|：|:)|住在|我家在|家住|寄到|邮寄到|改成|改为|改到|搬到|搬去)[：:\s　]*/g;
// A clause ends at punctuation; an ASCII full stop only when it is not a decimal point/house no.
const CLAUSE_END = /[，,。！!？?；;\n（(]|\.(?!\d)/;
// An address names an administrative unit or a street early on (北京市…, 建国路88号…).
const ADDRESS_START = /^[\u4e00-\u9fffA-Za-z0-9]{0,11}?(?<![城都])(?:省|市|区|县|镇|乡|村|路|街|道|巷|弄|胡同|小区)/;
const NOT_ADDRESS_START = /^(?:这|那|哪|什么|多少|一个|同一|另|其他|每|我|你|他|她|不)/;
const ADDRESS_TAIL = /(?:对吗|是吗|对吧|没错|吗|呢|吧|啊|呀|的)+$/;
const MAX_ADDRESS = 40;

// House numbers read digit by digit (幺零零号, 二单元) are compared as digits (100号, 2单元).
const SPOKEN_HOUSE_NUMBER = /(?<![十百千万])[幺一二三四五六七八九零〇两]+(?=号|室|栋|幢|楼|单元|层)/g;
const DIGIT: Record<string, string> = { 幺: '1', 一: '1', 二: '2', 两: '2', 三: '3', 四: '4', 五: '5', 六: '6', 七: '7', 八: '8', 九: '9', 零: '0', 〇: '0' };

function normaliseHouseNumbers(address: string): string {
  return address.replace(SPOKEN_HOUSE_NUMBER, (m) => [...m].map((c) => DIGIT[c]).join(''));
}

function addressAt(text: string, from: number): { end: number; value: string } | null {
  const rest = text.slice(from);
  const stop = rest.search(CLAUSE_END);
  let clause = (stop < 0 ? rest : rest.slice(0, stop)).slice(0, MAX_ADDRESS);
  clause = clause.replace(ADDRESS_TAIL, '').trimEnd();
  if (clause.length < 4 || NOT_ADDRESS_START.test(clause) || !ADDRESS_START.test(clause)) return null;
  return { end: from + clause.length, value: normaliseHouseNumbers(clause.replace(/[\s　]/g, '')) };
}

const EMAIL = /[A-Za-z0-9._%+-]+[@＠][A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;

export function announcedTextSpans(segments: PiiSegment[]): PiiSpan[] {
  const spans: PiiSpan[] = [];
  const add = (type: PiiSpan['type'], segmentIndex: number, start: number, end: number, value: string) => {
    const part = { segmentIndex, start, end };
    spans.push({ type, value, ...part, parts: [part] });
  };
  segments.forEach((seg, i) => {
    const text = seg.text;
    for (const m of text.matchAll(NAME_CUE)) {
      const from = m.index + m[0].length;
      const name = nameAt(text, from);
      if (name) add('person_name', i, from, from + name.length, name);
    }
    for (const m of text.matchAll(ADDRESS_CUE)) {
      const from = m.index + m[0].length;
      const addr = addressAt(text, from);
      if (addr) add('address', i, from, addr.end, addr.value);
    }
    for (const m of text.matchAll(EMAIL)) {
      add('email', i, m.index, m.index + m[0].length, m[0].replace('＠', '@').toLowerCase());
    }
  });
  return spans;
}
