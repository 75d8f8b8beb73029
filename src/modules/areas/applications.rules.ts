import type { Language } from "../../shared/language.ts";

/**
 * Applying to issue social security cards (Measures Art. 6 and 7), pure: the six materials and the
 * checks on each uploaded file, the five conditions, the steps city → province → ministry, and the
 * issuer identification number the ministry allocates.
 */

/** Art. 7: the materials an application submits, and the file types each may be. */
export const ART7_MATERIALS = {
  registration_form: {
    zh: "社会保障卡发行登记申请表",
    en: "the card issuance registration form",
    types: ["application/pdf"],
  },
  preparation_report: {
    zh: "发行社会保障卡准备工作情况说明",
    en: "the report on the preparations",
    types: ["application/pdf"],
  },
  card_file_structures: {
    zh: "卡内应用数据项和文件结构（含地方扩展）",
    en: "the in-card application fields and file structures, local extensions included",
    types: ["application/pdf", "application/json", "text/csv"],
  },
  card_face_design: {
    zh: "按统一要求设计的卡面样式",
    en: "the card face designed to the unified requirements",
    types: ["application/pdf", "image/png", "image/jpeg"],
  },
  administration_measures: {
    zh: "本地区社会保障卡管理办法及实施细则",
    en: "the area's administration measures and implementing rules",
    types: ["application/pdf"],
  },
  other_materials: {
    zh: "人力资源社会保障部要求的其他材料",
    en: "other materials the ministry requires",
    types: ["application/pdf"],
  },
} as const satisfies Record<string, Record<Language, string> & { types: readonly string[] }>;
export type MaterialKind = keyof typeof ART7_MATERIALS;
export const MATERIAL_KINDS = Object.keys(ART7_MATERIALS) as [MaterialKind, ...MaterialKind[]];

/** Art. 6: the conditions an area meets, each with its evidence. */
export const ART6_CONDITIONS = {
  business_system: {
    zh: "建立适应社会保障卡使用的业务管理系统、数据库和信息网络",
    en: "a business system, database and network fit for the card",
  },
  technical_force: {
    zh: "具备支持社会保障卡管理和应用的技术力量（人员和设备）",
    en: "the technical force (staff and equipment) to run the card and its applications",
  },
  implementation_plan: {
    zh: "制定规范可行的实施方案（应用设计、费用、信息采集和发放方案）",
    en: "a feasible implementation plan (application design, costs, data collection, distribution)",
  },
  management_system: {
    zh: "建立科学完善的发行管理制度、内控程序和应急预案",
    en: "issuance management rules, internal controls and an emergency plan",
  },
  ministry_conditions: {
    zh: "人力资源社会保障部规定的其他条件",
    en: "other conditions the ministry sets",
  },
} as const satisfies Record<string, Record<Language, string>>;
export type ConditionCode = keyof typeof ART6_CONDITIONS;
export const CONDITION_CODES = Object.keys(ART6_CONDITIONS) as [ConditionCode, ...ConditionCode[]];
export type Conditions = Partial<Record<ConditionCode, { met: boolean; evidence: string }>>;

export const MAX_MATERIAL_BYTES = 10 * 1024 * 1024;

/** What is wrong with an uploaded material, or null: its type for its kind, its size, and that its bytes are what it says. */
export function materialProblem(
  kind: MaterialKind,
  contentType: string,
  bytes: Buffer,
): "type_not_allowed" | "empty" | "too_large" | "content_mismatch" | null {
  if (!(ART7_MATERIALS[kind].types as readonly string[]).includes(contentType)) return "type_not_allowed";
  if (bytes.length === 0) return "empty";
  if (bytes.length > MAX_MATERIAL_BYTES) return "too_large";
  const starts = (magic: number[]) => magic.every((b, i) => bytes[i] === b);
  if (contentType === "application/pdf")
    return starts([0x25, 0x50, 0x44, 0x46, 0x2d]) ? null : "content_mismatch";
  if (contentType === "image/png")
    return starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) ? null : "content_mismatch";
  if (contentType === "image/jpeg") return starts([0xff, 0xd8, 0xff]) ? null : "content_mismatch";
  const text = new TextDecoder("utf-8", { fatal: false }).decode(bytes);
  if (text.includes("\uFFFD") || text.includes("\u0000")) return "content_mismatch";
  if (contentType === "application/json") {
    try {
      JSON.parse(text);
      return null;
    } catch {
      return "content_mismatch";
    }
  }
  return text.includes(",") ? null : "content_mismatch";
}

/** What an application still lacks before it can be filed: materials not uploaded, conditions not met with evidence. */
export function missingForFiling(
  materials: readonly string[],
  conditions: Conditions,
): { materials: MaterialKind[]; conditions: ConditionCode[] } {
  return {
    materials: MATERIAL_KINDS.filter((k) => !materials.includes(k)),
    conditions: CONDITION_CODES.filter((c) => !conditions[c]?.met || !conditions[c]?.evidence.trim()),
  };
}

export type ApplicationState = "draft" | "at_province" | "at_ministry" | "returned" | "approved";
export type ApplicationAction = "file" | "forward" | "return" | "approve";

/**
 * The step an action takes from a state, and who takes it: the applicant files (a city's application
 * goes to its province, a province's to the ministry); the province forwards or returns; the ministry
 * approves or returns. Null when the action is not open in that state.
 */
export function applicationStep(
  state: ApplicationState,
  action: ApplicationAction,
  level: "province" | "city",
): { to: ApplicationState; by: "applicant" | "province" | "ministry" } | null {
  if (action === "file" && (state === "draft" || state === "returned"))
    return { to: level === "city" ? "at_province" : "at_ministry", by: "applicant" };
  if (action === "forward" && state === "at_province") return { to: "at_ministry", by: "province" };
  if (action === "return" && state === "at_province") return { to: "returned", by: "province" };
  if (action === "return" && state === "at_ministry") return { to: "returned", by: "ministry" };
  if (action === "approve" && state === "at_ministry") return { to: "approved", by: "ministry" };
  return null;
}

/**
 * The issuer identification number the ministry allocates: the area's code and a four-digit sequence,
 * the first not yet taken (`3301000001`, then `3301000002` …).
 */
export function nextIssuerId(areaCode: string, taken: readonly string[]): string {
  for (let n = 1; n < 10_000; n += 1) {
    const id = `${areaCode}${String(n).padStart(4, "0")}`;
    if (!taken.includes(id)) return id;
  }
  throw new Error(`no issuer identification number left for ${areaCode}`);
}
