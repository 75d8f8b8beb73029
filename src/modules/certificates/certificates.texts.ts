import type { Database } from "../../db/schema.ts";
import { chinaDate } from "../../shared/clock.ts";
import { type ContributionYear, type EnrolmentFact, monthRanges, schemeName } from "./certificates.facts.ts";
import type { CertificateDocument } from "./certificates.pdf.ts";
import type { CertificateKind, CertificateStatus } from "./certificates.rules.ts";

export type Lang = "zh" | "en";
type T = { zh: string; en: string };

const TITLES: Record<CertificateKind, T> = {
  rights_record: { zh: "个人权益记录", en: "Personal rights record" },
  enrolment_certificate: { zh: "社会保险参保证明", en: "Social insurance enrolment certificate" },
  temporary_medical: {
    zh: "社会保障卡临时就医凭证",
    en: "Temporary medical certificate (social security card replacement)",
  },
  collection_slip: { zh: "社会保障卡领卡凭证", en: "Social security card collection slip" },
  application_form: { zh: "社会保障卡申领登记表", en: "Social security card application form" },
};

const LABELS: Record<string, T> = {
  name: { zh: "姓名", en: "Name" },
  idNumberMasked: { zh: "公民身份号码", en: "ID number" },
  lostCardNumber: { zh: "挂失卡号", en: "Lost card" },
  replacementCardNumber: { zh: "补领卡号", en: "Replacement card" },
  readyDate: { zh: "预计领卡日期", en: "Ready on" },
  outlet: { zh: "受理网点", en: "Outlet" },
  feeFen: { zh: "补卡工本费（元）", en: "Fee (yuan)" },
  validUntil: { zh: "有效期至", en: "Valid until" },
  asOf: { zh: "截止日期", en: "As of" },
  coordinationArea: { zh: "参保统筹区", en: "Coordination area" },
  purpose: { zh: "开具用途", en: "Purpose" },
  paidMonths: { zh: "本统筹区累计缴费月数", en: "Months paid in this area" },
  arrearsMonths: { zh: "欠缴月数", en: "Months in arrears" },
  cardNumber: { zh: "社会保障卡卡号", en: "Card number" },
  areaCode: { zh: "申领地区", en: "Area" },
  applicationKind: { zh: "申领类型", en: "Application" },
  bankCode: { zh: "合作银行", en: "Partner bank" },
  appliedOn: { zh: "申领日期", en: "Applied on" },
  photo: { zh: "照片", en: "Photo" },
  status: { zh: "状态", en: "Status" },
};

const STATEMENTS: Record<CertificateKind, T> = {
  temporary_medical: {
    zh: "持卡人社会保障卡已正式挂失并申请补领。补卡期间，本凭证与本人身份证件、社会保障卡密码一同使用，可在定点医疗机构和定点零售药店就医购药；新卡领取后本凭证自动作废。",
    en: "The holder's card is formally lost and a replacement is on its way. Until it is collected this certificate, with the holder's ID document and card password, serves at designated hospitals and pharmacies; it ends when the new card is collected.",
  },
  collection_slip: {
    zh: "请持本凭证和本人身份证件，于预计领卡日期后到受理网点领取新卡。凭证遗失的，凭本人身份证件领取。",
    en: "Bring this slip and your ID document to the outlet from the ready date to collect the new card. If the slip is lost, the ID document suffices.",
  },
  rights_record: {
    zh: "以上为截至出具日的个人社会保险权益记录。",
    en: "The above is the holder's social insurance record as of the date of issue.",
  },
  enrolment_certificate: {
    zh: "兹证明上述人员在本统筹区参加社会保险，情况如上。",
    en: "This certifies that the person above is insured in this coordination area as shown.",
  },
  application_form: {
    zh: "本人确认以上申领信息真实有效。申领人签字：",
    en: "I confirm that the information above is true. Signature of the applicant:",
  },
};

/** Words for the values of the facts (application kinds, photo, enrolment statuses). */
const VALUES: Record<string, T> = {
  new: { zh: "首次申领", en: "first card" },
  replacement: { zh: "补领/换领", en: "replacement" },
  renewal: { zh: "到期换领", en: "renewal" },
  on_file: { zh: "已采集", en: "on file" },
  missing: { zh: "未采集", en: "missing" },
  active: { zh: "正常参保", en: "active" },
  suspended: { zh: "暂停", en: "suspended" },
  transferred_out: { zh: "已转出", en: "transferred out" },
  terminated: { zh: "已终止", en: "terminated" },
  sealed: { zh: "封存", en: "sealed" },
};
const word = (value: unknown, lang: Lang) => VALUES[String(value)]?.[lang] ?? String(value ?? "—");

const STATUS: Record<CertificateStatus, T> = {
  valid: { zh: "有效", en: "valid" },
  superseded: { zh: "已使用", en: "used" },
  revoked: { zh: "已作废", en: "revoked" },
  expired: { zh: "已过期", en: "expired" },
};

export const kindName = (kind: CertificateKind, lang: Lang) => TITLES[kind][lang];
export const statusName = (status: CertificateStatus, lang: Lang) => STATUS[status][lang];

type Tables = NonNullable<CertificateDocument["tables"]>;

/** The tables of a rights record or an enrolment certificate. */
function tablesOf(
  row: Database["certificates"],
  facts: Facts,
  lang: Lang,
  areaName: (code: string) => string,
): Tables {
  const tables: Tables[number][] = [];
  if (facts.enrolments)
    tables.push({
      caption: lang === "en" ? "Enrolments" : "参保情况",
      header:
        lang === "en"
          ? ["Scheme", "Where", "Personal number", "From", "Status"]
          : ["险种", "参保地", "个人编号", "参保日期", "状态"],
      rows: facts.enrolments.map((e) => [
        schemeName(e.scheme, lang),
        areaName(e.areaCode),
        e.personalNumber,
        e.startDate,
        word(e.status, lang),
      ]),
    });
  if (row.kind === "rights_record" && facts.contributions)
    tables.push({
      caption: lang === "en" ? "Contributions by year" : "缴费记录（按年度）",
      header:
        lang === "en" ? ["Area", "Year", "Paid", "In arrears"] : ["统筹区", "年度", "已缴月份", "欠缴月份"],
      rows: facts.contributions.map((c) => [
        areaName(c.coordinationArea),
        c.year,
        monthRanges(c.paid, lang),
        monthRanges(c.arrears, lang),
      ]),
    });
  if (facts.account) {
    const a = facts.account;
    tables.push({
      caption: lang === "en" ? `Medical personal account, ${a.year}` : `医保个人账户（${a.year} 年度）`,
      header:
        lang === "en"
          ? ["Balance (yuan)", "Credited this year", "Paid out this year", "Settlements"]
          : ["当前余额（元）", "本年划入（元）", "本年结算支出（元）", "结算笔数"],
      rows: [[yuan(a.balanceFen), yuan(a.creditsFen), yuan(a.settlementsFen), String(a.settlementCount)]],
    });
  }
  return tables;
}

const yuan = (fen: number) => (fen / 100).toFixed(2);

type Facts = Record<string, unknown> & {
  enrolments?: EnrolmentFact[];
  contributions?: ContributionYear[];
  account?: {
    year: string;
    balanceFen: number;
    creditsFen: number;
    settlementsFen: number;
    settlementCount: number;
  };
};

/** Fields shown one per line, in this order, when the facts have them. */
const FIELD_ORDER = [
  "lostCardNumber",
  "replacementCardNumber",
  "cardNumber",
  "applicationKind",
  "areaCode",
  "bankCode",
  "appliedOn",
  "photo",
  "readyDate",
  "outlet",
  "feeFen",
  "coordinationArea",
  "purpose",
  "asOf",
  "paidMonths",
  "arrearsMonths",
];

/** The printed page of a certificate from its register row, in a language. */
export function documentOf(
  row: Database["certificates"],
  input: {
    lang: Lang;
    name: string;
    agency: string;
    status: CertificateStatus;
    qr: string;
    /** Area names by code (the areas the facts name); a code without a name is shown as the code. */
    areaNames?: Readonly<Record<string, string>>;
  },
): CertificateDocument {
  const { lang } = input;
  const facts = JSON.parse(row.facts) as Facts;
  const areaName = (code: string) => input.areaNames?.[code] ?? code;
  const fields: [string, string][] = [
    [LABELS.name[lang], input.name],
    [LABELS.idNumberMasked[lang], String(facts.idNumberMasked ?? "")],
  ];
  for (const key of FIELD_ORDER) {
    const value = facts[key];
    if (value === undefined || value === null) continue;
    const shown =
      key === "feeFen"
        ? yuan(Number(value))
        : key === "areaCode" || key === "coordinationArea"
          ? areaName(String(value))
          : word(value, lang);
    fields.push([LABELS[key][lang], shown]);
  }
  if (row.valid_until) fields.push([LABELS.validUntil[lang], row.valid_until]);
  fields.push([LABELS.status[lang], STATUS[input.status][lang]]);
  return {
    title: TITLES[row.kind][lang],
    fields,
    tables: tablesOf(row, facts, lang, areaName),
    statement: STATEMENTS[row.kind][lang],
    agency: input.agency,
    issuedOn: chinaDate(new Date(row.issued_at)),
    serialLabel: lang === "en" ? "Serial" : "编号",
    serial: row.serial,
    qrText: input.qr,
    qrCaption: lang === "en" ? "Scan to verify" : "扫码核验真伪",
    banner: input.status === "valid" ? undefined : STATUS[input.status][lang],
  };
}

/** The area codes a certificate's facts name (their names are looked up before it is printed). */
export function areaCodesOf(row: Database["certificates"]): string[] {
  const facts = JSON.parse(row.facts) as Facts;
  return [
    ...new Set([
      ...(facts.enrolments ?? []).map((e) => e.areaCode),
      ...(facts.contributions ?? []).map((c) => c.coordinationArea),
      ...[facts.areaCode, facts.coordinationArea].filter((c): c is string => typeof c === "string"),
    ]),
  ];
}
