import type { Language } from "./language.ts";
import { reasonText } from "./reasons.ts";

/**
 * Why a row of a CSV file (card applications, the factory's return file, a legacy import) was
 * rejected, in both languages; `{detail}` is worded from REASONS, other `{name}`s are filled as given.
 */
export const ROW_REASONS = {
  more_fields: { zh: "字段数多于列数", en: "more fields than columns" },
  invalid_id_number: { zh: "公民身份号码无效：{detail}", en: "invalid ID number: {detail}" },
  name_empty: { zh: "姓名为空", en: "name is empty" },
  unknown_ethnicity: { zh: "民族代码无效", en: "unknown ethnicity code" },
  invalid_phone: { zh: "联系电话格式不正确", en: "invalid phone" },
  invalid_bank_code: { zh: "银行代码格式不正确", en: "invalid bank code" },
  invalid_employer_code: {
    zh: "单位统一社会信用代码无效：{detail}",
    en: "invalid employer code: {detail}",
  },
  duplicate_in_file: {
    zh: "该身份证号码在文件前面的行中已出现",
    en: "the same ID number appears earlier in the file",
  },
  result_invalid: { zh: "结果只能是 ok 或 failed", en: "result must be ok or failed" },
  not_in_batch: { zh: "该卡不在本批次中", en: "card not in this batch" },
  chip_serial_invalid: {
    zh: "制成的卡须有芯片序列号（16 位十六进制字符）",
    en: "a card made needs its chip serial number (16 hex characters)",
  },
  chip_serial_used: {
    zh: "该芯片序列号已绑定其他卡片",
    en: "this chip serial number is bound to another card",
  },
  card_state: { zh: "卡片当前状态（{state}）不允许此操作", en: "card is {state}" },
  spec_version: { zh: "规范版本只能是 2.00、2.01 或 3.00", en: "spec version must be 2.00, 2.01 or 3.00" },
  card_number_format: { zh: "卡号应为 9 位数字或大写字母", en: "card number must be 9 characters 0-9 A-Z" },
  card_id_code_format: {
    zh: "卡识别码应为地区代码、D156000005 和 16 位十六进制字符",
    en: "card identification code must be the area code, D156000005 and 16 hex characters",
  },
  legacy_state: { zh: "卡片状态只能是：{states}", en: "state must be one of {states}" },
  date_format: { zh: "日期格式应为 YYYY-MM-DD", en: "dates must be YYYY-MM-DD" },
  unknown_area: { zh: "未登记的发卡地区 {area}", en: "unknown area {area}" },
  area_out_of_scope: { zh: "地区 {area} 不在您的管辖范围内", en: "area {area} is outside your scope" },
  card_exists: { zh: "卡号或卡识别码已存在", en: "card number or identification code already exists" },
  already_holds_card: {
    zh: "该人员在本省已持有社会保障卡（{cardNumber}）",
    en: "already holds a card in this province ({cardNumber})",
  },
  name_differs: { zh: "姓名与已登记人员不一致", en: "the name differs from the registered person's" },
  registered_concurrently: {
    zh: "另一请求同时登记了该人员，请重新提交此行",
    en: "registered at the same moment by another request; submit the row again",
  },
  refused: { zh: "被拒绝：{code}", en: "refused: {code}" },
  amount_invalid: {
    zh: "金额应为以分为单位的正整数，最多 100000000 分（100 万元）",
    en: "the amount must be whole fen, 1 to 100,000,000 (1 million yuan)",
  },
  person_unknown: { zh: "未登记的人员", en: "no registered person with this ID number" },
  benefit_listed: {
    zh: "该人员本期的此项待遇已在批次 {batch} 中",
    en: "this person's benefit for this month is already in batch {batch}",
  },
  bank_result_invalid: {
    zh: "结果只能是 paid、not_activated、account_closed 或 card_cancelled",
    en: "result must be paid, not_activated, account_closed or card_cancelled",
  },
  bank_txn_missing: {
    zh: "已发放的行须有银行交易流水号（1 至 64 位字母、数字或连字符）",
    en: "a paid row needs the bank's transaction number (1 to 64 letters, digits or hyphens)",
  },
  not_in_file: { zh: "该笔待遇不在本代发文件中", en: "payment not in this file" },
  payment_settled: {
    zh: "该笔待遇已有银行结果（{state}），与本行不同",
    en: "the bank already gave another result for this payment ({state})",
  },
} as const satisfies Record<string, Record<Language, string>>;
export type RowReason = keyof typeof ROW_REASONS;

/** A rejected row's reason in a language. */
export function rowReasonText(code: RowReason, lang: Language, params: Record<string, string> = {}): string {
  return ROW_REASONS[code][lang].replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name] ?? "";
    return name === "detail" ? reasonText(value, lang) : value;
  });
}

/** A CSV report with each rejected row's reason worded in `lang` (routes and the CLI). */
export function worded<Row extends { reasonCode?: RowReason; reasonParams?: Record<string, string> }, R>(
  report: R & { rows: Row[] },
  lang: Language,
): Omit<R, "rows"> & { rows: (Omit<Row, "reasonParams"> & { reason?: string })[] } {
  return {
    ...report,
    rows: report.rows.map(({ reasonParams, ...row }) =>
      row.reasonCode ? { ...row, reason: rowReasonText(row.reasonCode, lang, reasonParams) } : row,
    ),
  };
}
