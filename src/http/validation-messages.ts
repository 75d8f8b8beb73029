import type { Language } from "../shared/messages.ts";

/**
 * The rules route schemas state in their own words (the message of a `.regex()` or `.refine()`), in
 * both languages. A schema's message is its English text; a new one without an entry here fails the
 * validation-language test.
 */
export const FIELD_RULES: Readonly<Record<string, Readonly<Record<Language, string>>>> = {
  "16 bytes hex": { zh: "应为 16 字节的十六进制数", en: "16 bytes hex" },
  "16 or 32 hex characters": { zh: "应为 16 或 32 位十六进制字符", en: "16 or 32 hex characters" },
  "3-64 lower-case letters, digits, _ . -": {
    zh: "应为 3–64 位小写字母、数字或 _ . -",
    en: "3-64 lower-case letters, digits, _ . -",
  },
  "6 digits": { zh: "应为 6 位数字", en: "6 digits" },
  "8–64 letters, digits or _.:-": { zh: "应为 8–64 位字母、数字或 _.:-", en: "8–64 letters, digits or _.:-" },
  "9 characters": { zh: "应为 9 位字符", en: "9 characters" },
  YYYYMMDD: { zh: "应为 YYYYMMDD 格式的日期", en: "YYYYMMDD" },
  "a 16-digit personal number": { zh: "应为 16 位个人编号", en: "a 16-digit personal number" },
  "a 6-digit administrative division code": {
    zh: "应为 6 位行政区划代码",
    en: "a 6-digit administrative division code",
  },
  "a GB 3304 ethnicity code (01 Han ... 56 Jino, 97, 98)": {
    zh: "应为 GB 3304 民族代码（01 汉族 … 56 基诺族，97、98）",
    en: "a GB 3304 ethnicity code (01 Han ... 56 Jino, 97, 98)",
  },
  "a month YYYY-MM": { zh: "应为月份，格式 YYYY-MM", en: "a month YYYY-MM" },
  "give either pin or pinBlock": { zh: "请提供 pin 或 pinBlock 之一", en: "give either pin or pinBlock" },
  "a card identification code": { zh: "应为卡识别码", en: "a card identification code" },
  "a date of the calendar, YYYY-MM-DD": {
    zh: "应为日历上存在的日期，格式 YYYY-MM-DD",
    en: "a date of the calendar, YYYY-MM-DD",
  },
  "a phone number": { zh: "应为电话号码", en: "a phone number" },
  hhmmss: { zh: "应为 hhmmss 格式的时间", en: "hhmmss" },
  "the card's 8-byte challenge (GET CHALLENGE)": {
    zh: "应为卡片的 8 字节随机数（GET CHALLENGE）",
    en: "the card's 8-byte challenge (GET CHALLENGE)",
  },
  "the issuer identification number allocated by the ministry": {
    zh: "应为人社部分配的发卡机构标识号",
    en: "the issuer identification number allocated by the ministry",
  },
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
  const rule = FIELD_RULES[message];
  if (rule) return rule[lang];
  if (lang === "en") return message;
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
