import type { Language } from "./language.ts";
import { reasonText } from "./reasons.ts";

/**
 * The rules route schemas state in their own words (the message of a `.regex()` or `.refine()`): the
 * message is the English wording, this table gives the Chinese. A schema message without an entry here
 * fails the validation-language test.
 */
export const FIELD_RULES: Readonly<Record<string, string>> = {
  "16 bytes hex": "应为 16 字节的十六进制数",
  "16 or 32 hex characters": "应为 16 或 32 位十六进制字符",
  "64 lowercase hex digits": "应为 64 位小写十六进制字符",
  "an SM2 public key (hex)": "应为 SM2 公钥（十六进制）",
  "9 characters": "应为 9 位字符",
  "3-64 lower-case letters, digits, _ . -": "应为 3–64 位小写字母、数字或 _ . -",
  "6 digits": "应为 6 位数字",
  "at least one change": "至少包含一项变更",
  "province:number pairs, comma-separated": "应为“省份代码:序号”，多个以逗号分隔",
  "the switch's call identifier: 1 to 64 letters, digits, . _ : -":
    "应为交换机的通话标识：1–64 位字母、数字或 . _ : -",
  "1 to 24 of 0-9, * and #": "应为 1–24 个按键（0–9、* 和 #）",
  "the caller's number: 3 to 20 digits": "应为来电号码：3–20 位数字",
  "12 digits": "应为 12 位数字",
  "8–64 letters, digits or _.:-": "应为 8–64 位字母、数字或 _.:-",
  "9 capital letters or digits": "应为 9 位大写字母或数字",
  YYYYMMDD: "应为 YYYYMMDD 格式的日期",
  YYYY: "应为 4 位年份（YYYY）",
  "a 16-digit personal number": "应为 16 位个人编号",
  "a 6-digit administrative division code": "应为 6 位行政区划代码",
  "a certificate serial number": "应为凭证编号（2 位字母加 22 位数字）",
  "a payment order number (PO and 24 digits)": "应为缴费订单号（PO 加 24 位数字）",
  "the ID card reader's 256-byte record, base64": "应为身份证读卡器返回的 256 字节信息（Base64）",
  "a temporary medical certificate number (LS and 22 digits)": "应为临时就医凭证号（LS 加 22 位数字）",
  "a GB 3304 ethnicity code (01 Han ... 56 Jino, 97, 98)":
    "应为 GB 3304 民族代码（01 汉族 … 56 基诺族，97、98）",
  "a month YYYY-MM": "应为月份，格式 YYYY-MM",
  "text without control characters": "不能包含控制字符",
  "a PSAM serial (PSAM and 16 hex characters)": "应为 PSAM 序列号（PSAM 加 16 位十六进制字符）",
  "the office's reference: 1 to 64 letters, digits, _, / or -":
    "经办机构的批次编号：1 至 64 位字母、数字、_、/ 或 -",
  "give either pin or pinBlock": "请提供 pin 或 pinBlock 之一",
  "give either cardNumber or ecardCode": "请提供 cardNumber 或 ecardCode 之一",
  "a card identification code": "应为卡识别码",
  "a date of the calendar, YYYY-MM-DD": "应为日历上存在的日期，格式 YYYY-MM-DD",
  "a phone number": "应为电话号码",
  hhmmss: "应为 hhmmss 格式的时间",
  "the card's 8-byte challenge (GET CHALLENGE)": "应为卡片的 8 字节随机数（GET CHALLENGE）",
  "the issuer identification number allocated by the ministry": "应为人社部分配的发卡机构标识号",
};

const LOCATIONS: Readonly<Record<string, string>> = {
  body: "请求正文",
  querystring: "查询参数",
  params: "路径参数",
  headers: "请求头",
};

const TYPES: Readonly<Record<string, string>> = {
  string: "字符串",
  number: "数字",
  int: "整数",
  boolean: "布尔值",
  object: "对象",
  array: "数组",
  null: "空值",
};

type Issue = { keyword: string; message?: string; params?: Record<string, unknown> };

/** Where an issue is, as the caller reads it: `body`, or 请求正文 in Chinese. */
export const locationText = (location: string, lang: Language) =>
  lang === "zh" ? (LOCATIONS[location] ?? location) : location;

/**
 * A validation issue's message in the caller's language: a schema's own rule from FIELD_RULES, else
 * the standard check (zod's issue code and parameters) worded in Chinese; in English, zod's words.
 */
export function issueText(issue: Issue, lang: Language): string {
  const message = issue.message ?? "invalid";
  if (lang === "en") return message;
  const rule = FIELD_RULES[message];
  if (rule) return rule;
  const p = issue.params ?? {};
  const n = (key: string) => String(p[key]);
  const origin = String(p.origin ?? "");
  switch (issue.keyword) {
    case "invalid_type":
      if (/received undefined/.test(message)) return "必填";
      return `类型应为${TYPES[String(p.expected)] ?? String(p.expected)}`;
    case "too_small":
      if (origin === "string") return `至少 ${n("minimum")} 个字符`;
      if (origin === "array" || origin === "set") return `至少 ${n("minimum")} 项`;
      return `不能小于 ${n("minimum")}`;
    case "too_big":
      if (origin === "string") return `最多 ${n("maximum")} 个字符`;
      if (origin === "array" || origin === "set") return `最多 ${n("maximum")} 项`;
      return `不能大于 ${n("maximum")}`;
    case "invalid_format":
      return p.format === "uuid" ? "应为 UUID" : `格式不正确（${String(p.format ?? "")}）`;
    case "invalid_value":
      return `应为以下之一：${(Array.isArray(p.values) ? p.values : []).map(String).join("、")}`;
    case "unrecognized_keys":
      return `不允许的字段：${(Array.isArray(p.keys) ? p.keys : []).map(String).join("、")}`;
    case "not_multiple_of":
      return `应为 ${n("divisor")} 的倍数`;
    default:
      return "不符合要求";
  }
}

/**
 * The services' own findings (`VALIDATION_FAILED` with a `summary` of `field: rule` parts, joined by
 * "; "), worded in Chinese: each rule by the first pattern that matches it; `{1}`… are its groups, and
 * a `{reason:1}` is worded from the reasons table. The summaries stay English in the details.
 */
const SUMMARY_RULES: readonly (readonly [RegExp, string])[] = [
  [/^needed for a person not yet registered$/, "尚未登记的人员须提供"],
  [/^provinces of the mainland, each once$/, "应为内地省份代码，每个省份只能出现一次"],
  [/^required for this kind of ceremony$/, "此类密钥仪式必须提供"],
  [
    /^a province code \(XX0000\) for the ministry's transport key$/,
    "与部级共享的传输密钥须为省级代码（XX0000）",
  ],
  [/^1 to 24 of 0-9, \* and #$/, "应为 1–24 个按键（0–9、* 和 #）"],
  [/^invalid ID number: (\w+)$/, "公民身份号码无效：{reason:1}"],
  [/^a date YYYY-MM-DD$/, "应为日期，格式 YYYY-MM-DD"],
  [/^in the future \(today is (\S+)\)$/, "不能晚于今天（{1}）"],
  [/^not a GB\/T 2260 region code$/, "不是 GB/T 2260 行政区划代码"],
  [/^(\S+) is not an employee scheme$/, "{1} 不是职工险种"],
  [/^empty$/, "不能为空"],
  [/^a county issues no cards, its city does$/, "县区不发卡，由所在城市发卡"],
  [/^more fields than columns$/, "字段数多于列数"],
  [/^the same ID number appears earlier in the file$/, "该身份证号码在文件前面的行中已出现"],
  [/^unknown ethnicity code$/, "民族代码无效"],
  [/^pin or pinBlock is required$/, "须提供 pin 或 pinBlock"],
  [/^terminal (\S+) is not registered$/, "终端 {1} 未登记"],
  [/^12 digits beginning with the area's region code$/, "应为 12 位数字，以本地区行政区划代码开头"],
  [/^required when the employer collects$/, "单位代领时必填"],
  [/^only for employer_operator$/, "仅适用于单位经办人（employer_operator）"],
  [/^only for medical_operator and pharmacy_operator$/, "仅适用于医院和药店操作员"],
  [/^an SM2 public key \(hex\)$/, "应为 SM2 公钥（十六进制）"],
  [/^an area of the signing province$/, "应为签名省份的地区"],
  [/^a level-1 channel for a level-2 channel$/, "二级渠道的上级须为一级渠道"],
  [/^only for level-2 channels$/, "仅适用于二级渠道"],
  [/^one of them$/, "须提供其中之一"],
  [/^both needed$/, "两项均须提供"],
  [/^only with a live photo$/, "仅在提供现场照片时适用"],
  [/^someone other than the holder$/, "须为持卡人以外的人"],
  [/^1–32 letters, digits, dots or dashes$/, "应为 1–32 位字母、数字、点或连字符"],
  [/^listed twice$/, "在文件中重复出现"],
  [/^1–200 characters$/, "应为 1–200 个字符"],
  [/^A, B or none$/, "应为 A（甲类）、B（乙类）或 none（目录外）"],
  [/^0–100, up to 2 decimals$/, "应为 0–100，最多两位小数"],
  [/^class B: above 0 and below 100$/, "乙类的自付比例应大于 0 且小于 100"],
  [/^only class B has a ratio$/, "只有乙类有自付比例"],
  [/^no items$/, "文件中没有条目"],
  [/^only for an applicant under 16$/, "仅适用于未满 16 周岁的申领人（16 周岁及以上本人申领）"],
  [/^not the applicant$/, "不能是申领人本人"],
  [/^a child under 16 is added by a guardian \(child\)$/, "16 周岁以下的子女须由监护人添加（child）"],
  [/^not before (\S+)$/, "不能早于 {1}"],
  [/^required for an employer's payment$/, "单位缴费时必填"],
  [/^not in the future$/, "不能是将来的月份"],
  [/^(\S+) is before the person was born \((\S+)\)$/, "{1} 早于出生月份（{2}）"],
  [/^one of (.+)$/, "应为以下之一：{1}"],
  [/^YYYY-MM$/, "应为月份，格式 YYYY-MM"],
  [/^a slot of this terminal$/, "应为本终端的读卡器卡槽"],
  [/^a date not after (\S+)$/, "日期不能晚于 {1}"],
  [/^one of the person's unmerged numbers$/, "应为该人员未合并的个人编号之一"],
  [/^a city code \(XXYY00\)$/, "应为地市级代码（XXYY00）"],
  [/^1 to (\d+) lines$/, "应为 1 至 {1} 行"],
  [/^quantity 1–(\d+) and unitPriceFen 0–(\d+), whole numbers$/, "数量 1–{1}、单价（分）0–{2}，均为整数"],
];

/** One rule (without its field) in Chinese, or undefined when no pattern knows it. */
function ruleInChinese(rule: string, reason: (code: string) => string): string | undefined {
  for (const [pattern, zh] of SUMMARY_RULES) {
    const m = pattern.exec(rule);
    if (!m) continue;
    return zh.replace(/\{(reason:)?(\d)\}/g, (_, isReason: string | undefined, i: string) =>
      isReason ? reason(m[Number(i)]) : m[Number(i)],
    );
  }
  return undefined;
}

/** One `field: rule` part in Chinese, or undefined when no pattern knows its rule. */
function summaryPart(part: string, reason: (code: string) => string): string | undefined {
  const colon = part.indexOf(": ");
  const [field, rule] = colon > 0 ? [part.slice(0, colon), part.slice(colon + 2)] : ["", part];
  const text = ruleInChinese(rule, reason);
  return text === undefined ? undefined : field ? `${field}：${text}` : text;
}

/**
 * Problems a service found (each with its rule in the service's words, `problem`) with their wording in
 * a language added as `text`: the forms and reports show `text`, clients may read `problem`.
 */
export function withProblemText<P extends { problem: string }>(
  problems: readonly P[],
  lang: Language,
): (P & { text: string })[] {
  const reason = (code: string) => reasonText(code, lang);
  return problems.map((p) => ({
    ...p,
    text: lang === "zh" ? (ruleInChinese(p.problem, reason) ?? p.problem) : p.problem,
  }));
}

/** A service's summary in Chinese, part by part; a part no pattern knows stays as it is. */
export function summaryInChinese(summary: string, reason: (code: string) => string): string {
  return summary
    .split("; ")
    .map((part) => summaryPart(part, reason) ?? part)
    .join("；");
}

/** Whether every part of a summary has its Chinese wording (the test walks the sources with it). */
export const summaryKnown = (summary: string) =>
  summary.split("; ").every((part) => summaryPart(part, (c) => c) !== undefined);
