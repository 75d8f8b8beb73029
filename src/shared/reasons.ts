import type { Language } from "./language.ts";

/** A machine-readable reason that details carry, worded in a language (the reason itself when unknown). */
export function reasonText(reason: string, lang: Language): string {
  return REASONS[reason]?.[lang] ?? reason;
}

/** People's wording of the machine-readable reasons that details carry. */
export const REASONS: Record<string, Record<Language, string>> = {
  id_card_length: {
    zh: "读卡器返回的信息不完整，请重新放置身份证",
    en: "the reader's record is incomplete; place the card again",
  },
  unknown_province: { zh: "未登记的省份", en: "the province is not registered with the hub" },
  signature: { zh: "签名不符", en: "the signature does not match" },
  time: {
    zh: "请求时间与平台时间相差超过 5 分钟",
    en: "the request's time is more than 5 minutes from the hub's",
  },
  component_not_hex: {
    zh: "应为十六进制数（0–9、A–F，偶数位）",
    en: "it must be hex (0–9, A–F, an even number of digits)",
  },
  component_length: {
    zh: "长度与该算法的密钥不符（SM4 为 32 位十六进制字符）",
    en: "its length is not the algorithm's key length (SM4: 32 hex characters)",
  },
  components_cancel_out: {
    zh: "各分量相互抵消（异或结果为零），请重新生成分量",
    en: "the components cancel out (their XOR is zero); generate new components",
  },
  id_card_id_number: { zh: "身份证号码无效", en: "the ID number is not valid" },
  id_card_birth_differs: { zh: "出生日期与身份证号码不符", en: "the birth date differs from the ID number" },
  id_card_sex_differs: { zh: "性别与身份证号码不符", en: "the sex differs from the ID number" },
  id_card_dates: { zh: "有效期限无法识别", en: "the validity dates cannot be read" },
  id_card_expired: { zh: "身份证已过有效期", en: "the ID card has expired" },
  payment_bad_signature: { zh: "签名验证失败", en: "the signature does not verify" },
  payment_unknown_order: { zh: "订单不存在", en: "no such order" },
  payment_already_paid: { zh: "订单已由另一笔交易支付", en: "the order was paid by another transaction" },
  payment_amount_differs: { zh: "支付金额与订单金额不符", en: "the amount differs from the order's" },
  new_card_collected: {
    zh: "新卡已领取，临时就医凭证随之作废，请使用新社会保障卡",
    en: "the new card was collected and the temporary certificate ended with it; use the new card",
  },
  slip_reported_lost: { zh: "领卡时登记领卡凭证遗失", en: "reported lost when the card was collected" },
  not_this_card: { zh: "凭证号与这张卡的领卡凭证不符", en: "its number is not this card's slip" },
  BAD_SIGNATURE: {
    zh: "二维码签名验证失败（凭证可能被伪造或篡改）",
    en: "the QR code's signature does not verify (forged or altered)",
  },
  MALFORMED: { zh: "不是有效的凭证号或凭证二维码", en: "not a slip number or a certificate's QR code" },
  card_collected: { zh: "新卡已凭此凭证领取", en: "the card was collected with this slip" },
  expired: { zh: "已过有效期", en: "past its end date" },
  revoked: { zh: "已撤销", en: "revoked" },
  superseded: { zh: "已被新凭证取代", en: "superseded by a newer certificate" },
  holder_id: {
    zh: "本人申请注销须核验持卡人身份证件（代办时另需代办人身份证件）",
    en: "a holder's request needs the holder's ID checked (and the agent's, for an agent)",
  },
  record_ref: {
    zh: "死亡、出国（境）定居或转出注销须登记证明材料编号",
    en: "a death, emigration or transfer out needs the reference of its record",
  },
  holder_pays_self: {
    zh: "本人只能缴纳本人的灵活就业参保费",
    en: "a holder pays only their own contribution",
  },
  operator_pays_for_own_employer: {
    zh: "单位经办人只能以本单位名义缴费",
    en: "an employer's operator pays only as its own employer",
  },
  length: { zh: "长度应为 18 位", en: "it must have 18 characters" },
  format: { zh: "前 17 位应为数字，末位为数字或 X", en: "17 digits then a digit or X" },
  region: {
    zh: "地址码不是有效的行政区划代码",
    en: "the first 6 digits are not an administrative division code",
  },
  date: { zh: "出生日期不是有效日期或晚于今天", en: "the birth date is not a real date or is in the future" },
  check: { zh: "校验码不正确", en: "wrong check character" },
  credit_length: { zh: "长度应为 18 位", en: "it must have 18 characters" },
  credit_character: { zh: "含有不允许的字符", en: "a character outside the code's alphabet" },
  credit_check: { zh: "校验码不正确", en: "wrong check character" },
  credit_region: {
    zh: "登记管理机关行政区划码无效",
    en: "the region code is not an administrative division",
  },
  not_six_digits: { zh: "须为 6 位数字", en: "it must be 6 digits" },
  same_digit: { zh: "不能是同一个数字", en: "all digits are the same" },
  sequence: { zh: "不能是连续递增或递减的数字", en: "an ascending or descending run" },
  id_number: { zh: "不能是身份证号码的后 6 位", en: "the last 6 digits of the ID number" },
  birth_date: { zh: "不能是出生日期", en: "the birth date" },
  initial: { zh: "不能与初始密码相同", en: "the same as the initial password" },
  "not a city or province": { zh: "只能是省级或地市级地区", en: "only a province or a city can issue cards" },
  "parent must be the province of this city": {
    zh: "地市的上级必须是其所在省份，且该省须已登记",
    en: "the province of this city must be registered first",
  },
};
