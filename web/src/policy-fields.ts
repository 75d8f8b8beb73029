import type { TextKey } from "./texts.ts";

/**
 * Every field of a regional policy version (src/modules/areas/areas.rules.ts policySchema) as the
 * administrators' form shows it: where it is in the policy, how it is typed, and its label. Money is
 * typed in yuan and rates in percent, and stored in fen and basis points.
 */
export type PolicyField = Readonly<{
  path: string;
  label: TextKey;
  kind: "int" | "yuan" | "bp" | "bool" | "intOrNever" | "enum" | "intList";
  options?: readonly string[];
}>;

export const POLICY_FIELDS: readonly PolicyField[] = [
  {
    path: "initialPassword.rule",
    label: "initialPasswordRule",
    kind: "enum",
    options: ["card_number_last6", "fixed"],
  },
  { path: "lockout.mode", label: "lockoutMode", kind: "enum", options: ["consecutive", "daily"] },
  { path: "lockout.threshold", label: "lockout", kind: "int" },
  { path: "queryOnlyUntilPasswordChanged", label: "pQueryOnly", kind: "bool" },
  { path: "agentMayResetPassword", label: "pAgentReset", kind: "bool" },
  { path: "cardValidityYears", label: "cardValidityYears", kind: "int" },
  { path: "renewalLeadDays", label: "renewalLeadDays", kind: "int" },
  { path: "replacementReadyWorkingDays", label: "replacementReadyWorkingDays", kind: "int" },
  { path: "replacementFeeFen", label: "replacementFeeYuan", kind: "yuan" },
  { path: "preLossAutoCancelDays", label: "pPreLossCancel", kind: "intOrNever" },
  {
    path: "ecardWhileTemporarilyLost",
    label: "pEcardWhileLost",
    kind: "enum",
    options: ["with_holder_authorisation", "unavailable"],
  },
  { path: "familyServiceSlots", label: "pFamilySlots", kind: "int" },
  { path: "temporaryCertificateGraceDays", label: "pTemporaryGrace", kind: "int" },
  { path: "collectionSlipValidDays", label: "pSlipValid", kind: "int" },
  { path: "recordCertificateValidDays", label: "pRecordValid", kind: "int" },
  { path: "medical.averageMonthlyWageFen", label: "pAverageWage", kind: "yuan" },
  { path: "medical.contributionGradesPercent", label: "pGrades", kind: "intList" },
  { path: "medical.baseFloorPercent", label: "pBaseFloor", kind: "int" },
  { path: "medical.baseCeilingPercent", label: "pBaseCeiling", kind: "int" },
  { path: "medical.employerRateBp", label: "pEmployerRate", kind: "bp" },
  { path: "medical.personalRateBp", label: "pPersonalRate", kind: "bp" },
  { path: "medical.flexibleRateBp", label: "pFlexibleRate", kind: "bp" },
  { path: "medical.accountShareBp", label: "pAccountShare", kind: "bp" },
  { path: "medical.arrearsGraceMonths", label: "pArrearsGrace", kind: "int" },
  { path: "medical.settlementPasswordRequired", label: "pSettlementPassword", kind: "bool" },
  { path: "medical.refundWindowDays", label: "pRefundWindow", kind: "int" },
];

type Json = Record<string, unknown>;
const get = (o: Json, path: string): unknown =>
  path.split(".").reduce<unknown>((v, k) => (v as Json | undefined)?.[k], o);

/** A policy's fields as the form's texts. */
export function formOf(policy: Json): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of POLICY_FIELDS) {
    const v = get(policy, f.path);
    out[f.path] =
      f.kind === "yuan"
        ? (Number(v) / 100).toFixed(2)
        : f.kind === "bp"
          ? String(Number(v) / 100)
          : f.kind === "bool"
            ? String(v === true)
            : f.kind === "intOrNever"
              ? v === null
                ? ""
                : String(v)
              : f.kind === "intList"
                ? (v as number[]).join(", ")
                : String(v);
  }
  const fixed = get(policy, "initialPassword.value");
  out["initialPassword.value"] = typeof fixed === "string" ? fixed : "";
  return out;
}

/** A number typed in the form, or NaN (the server then says what is wrong). */
const num = (text: string) => (text.trim() === "" ? Number.NaN : Number(text.trim()));

/** The complete policy from the form over the policy it started from. */
export function policyOf(base: Json, form: Record<string, string>): Json {
  const out: Json = structuredClone(base);
  for (const f of POLICY_FIELDS) {
    const text = form[f.path] ?? "";
    const value =
      f.kind === "yuan"
        ? Math.round(num(text) * 100)
        : f.kind === "bp"
          ? Math.round(num(text) * 100)
          : f.kind === "bool"
            ? text === "true"
            : f.kind === "intOrNever"
              ? text.trim() === ""
                ? null
                : num(text)
              : f.kind === "intList"
                ? text
                    .split(/[,，、\s]+/)
                    .filter(Boolean)
                    .map(Number)
                : f.kind === "int"
                  ? num(text)
                  : text;
    const keys = f.path.split(".");
    let at = out;
    for (const k of keys.slice(0, -1)) {
      if (typeof at[k] !== "object" || at[k] === null) at[k] = {};
      at = at[k] as Json;
    }
    at[keys.at(-1)!] = value;
  }
  out.initialPassword =
    form["initialPassword.rule"] === "fixed"
      ? { rule: "fixed", value: form["initialPassword.value"] ?? "" }
      : { rule: "card_number_last6" };
  return out;
}
