import type { Language } from "../../shared/language.ts";

/**
 * Benefits paid to the card (seed 001): "If you receive employment subsidies, pensions and other
 * benefits through the social security card, you need to activate the financial function." Pure:
 * the kinds, which card a payment goes to, whether that card can receive it, and the remedy told to
 * the office and the holder when it cannot.
 */
export const BENEFIT_KINDS = {
  pension: { zh: "养老金", en: "pension" },
  unemployment_benefit: { zh: "失业保险金", en: "unemployment benefit" },
  employment_subsidy: { zh: "就业补贴", en: "employment subsidy" },
  work_injury_benefit: { zh: "工伤保险待遇", en: "work injury benefit" },
  other_subsidy: { zh: "其他惠民补贴", en: "other subsidy" },
} as const satisfies Record<string, Record<Language, string>>;
export type BenefitKind = keyof typeof BENEFIT_KINDS;
export const BENEFIT_KIND_CODES = Object.keys(BENEFIT_KINDS) as [BenefitKind, ...BenefitKind[]];

export const BENEFIT_STATES = ["pending", "sent", "paid", "failed"] as const;
export type BenefitState = (typeof BENEFIT_STATES)[number];

/** Why a payment did not reach the card: found by sscard before sending, or answered by the bank. */
export const BENEFIT_FAILURES = ["no_card", "not_activated", "account_closed", "card_cancelled"] as const;
export type BenefitFailure = (typeof BENEFIT_FAILURES)[number];

/** What a partner bank's return file may say of one payment. */
export const BANK_RESULTS = ["paid", "not_activated", "account_closed", "card_cancelled"] as const;
export type BankResult = (typeof BANK_RESULTS)[number];

/** The partner banks' names (a code not listed is shown as itself). */
const BANK_NAMES: Record<string, Record<Language, string>> = {
  ICBC: { zh: "中国工商银行", en: "Industrial and Commercial Bank of China" },
  ABC: { zh: "中国农业银行", en: "Agricultural Bank of China" },
  BOC: { zh: "中国银行", en: "Bank of China" },
  CCB: { zh: "中国建设银行", en: "China Construction Bank" },
  BOCOM: { zh: "交通银行", en: "Bank of Communications" },
  PSBC: { zh: "中国邮政储蓄银行", en: "Postal Savings Bank of China" },
};
export const bankName = (code: string | null, lang: Language): string =>
  code ? (BANK_NAMES[code]?.[lang] ?? code) : lang === "zh" ? "合作银行" : "the partner bank";

/** What the office and the holder are told to do, per failure ({bank}: the card's partner bank). */
const REMEDIES: Record<BenefitFailure, Record<Language, string>> = {
  no_card: {
    zh: "尚未领取社会保障卡。请到社会保障卡服务网点申领，领卡并激活金融功能后，待遇将发放到卡。",
    en: "No social security card has been issued. Apply for one at a card service outlet; once it is collected and its financial function activated, the benefit is paid to it.",
  },
  not_activated: {
    zh: "社会保障卡金融功能未激活，待遇无法发放到卡。请本人携带身份证和社会保障卡到{bank}任一网点激活金融功能，激活后待遇将重新发放。",
    en: "The card's financial function is not activated, so the benefit cannot be paid to it. Bring your ID card and social security card to any branch of {bank} to activate it; the benefit is then paid again.",
  },
  account_closed: {
    zh: "社会保障卡的银行账户已销户。请本人携带身份证和社会保障卡到{bank}网点恢复账户，或到社会保障卡服务网点办理，办理后待遇将重新发放。",
    en: "The card's bank account is closed. Bring your ID card and social security card to a branch of {bank} to restore it, or to a card service outlet; the benefit is then paid again.",
  },
  card_cancelled: {
    zh: "社会保障卡已注销。请到社会保障卡服务网点申领新卡，新卡启用并激活金融功能后，待遇将重新发放。",
    en: "The social security card is cancelled. Apply for a new card at a card service outlet; once it is active and its financial function activated, the benefit is paid again.",
  },
};

export function benefitRemedy(failure: BenefitFailure, bankCode: string | null, lang: Language): string {
  return REMEDIES[failure][lang].replace("{bank}", bankName(bankCode, lang));
}

type CardLike = Readonly<{
  card_number: string;
  state: string;
  financial_function: "not_activated" | "activated" | "cancelled";
  bank_code: string | null;
  created_at: string;
}>;

/**
 * Where a payment goes: the person's newest card that is not cancelled (a lost card's account still
 * receives; a replacement's new card does once its own financial function is activated). The card it
 * goes to, or why none can receive it.
 */
export function benefitTarget<C extends CardLike>(
  cards: readonly C[],
): { card: C; failure: null } | { card: C | null; failure: BenefitFailure } {
  const newest = [...cards].sort((a, b) => (a.created_at < b.created_at ? 1 : -1));
  const live = newest.find((c) => c.state !== "cancelled");
  if (!live) return { card: newest[0] ?? null, failure: newest.length ? "card_cancelled" : "no_card" };
  if (live.financial_function === "cancelled") return { card: live, failure: "account_closed" };
  if (live.financial_function !== "activated" || !live.bank_code)
    return { card: live, failure: "not_activated" };
  return { card: live, failure: null };
}

/** An amount in fen on a row of an office's file: 1 fen to 1,000,000 yuan, digits only. */
export function amountFen(text: string): number | null {
  if (!/^[1-9][0-9]{0,8}$/.test(text)) return null;
  const fen = Number(text);
  return fen <= 100_000_000 ? fen : null;
}

/** The columns of a partner bank's payment file, in order (format in docs/benefits.md). */
export const PAYMENT_FILE_COLUMNS = [
  "payment_id",
  "card_number",
  "name",
  "amount_fen",
  "kind",
  "period",
] as const;
