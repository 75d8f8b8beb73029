import type { Database } from "../../db/schema.ts";
import { chinaDate } from "../../shared/clock.ts";
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

const STATUS: Record<CertificateStatus, T> = {
  valid: { zh: "有效", en: "valid" },
  superseded: { zh: "已使用", en: "used" },
  revoked: { zh: "已作废", en: "revoked" },
  expired: { zh: "已过期", en: "expired" },
};

export const kindName = (kind: CertificateKind, lang: Lang) => TITLES[kind][lang];
export const statusName = (status: CertificateStatus, lang: Lang) => STATUS[status][lang];

/** The printed page of a certificate from its register row, in a language. */
export function documentOf(
  row: Database["certificates"],
  input: { lang: Lang; name: string; agency: string; status: CertificateStatus; qr: string },
): CertificateDocument {
  const { lang } = input;
  const facts = JSON.parse(row.facts) as Record<string, unknown>;
  const fields: [string, string][] = [
    [LABELS.name[lang], input.name],
    [LABELS.idNumberMasked[lang], String(facts.idNumberMasked ?? "")],
  ];
  for (const key of ["lostCardNumber", "replacementCardNumber", "readyDate", "outlet", "feeFen"])
    if (facts[key] !== undefined && facts[key] !== null)
      fields.push([
        LABELS[key][lang],
        key === "feeFen" ? (Number(facts[key]) / 100).toFixed(2) : String(facts[key]),
      ]);
  if (row.valid_until) fields.push([LABELS.validUntil[lang], row.valid_until]);
  fields.push([LABELS.status[lang], STATUS[input.status][lang]]);
  return {
    title: TITLES[row.kind][lang],
    fields,
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
