import { z } from "zod";
import { NATIONAL } from "../../shared/auth.ts";
import type { RegionTable } from "../regions/regions.ts";

/** The medical insurance rules of an area (money in fen, rates in basis points: 100 bp = 1%). */
export const medicalPolicySchema = z.strictObject({
  /** The area's average monthly wage: contribution bases and grades are percentages of it. */
  averageMonthlyWageFen: z.number().int().min(100_000).max(10_000_000),
  /** The grades a flexible worker chooses from, as percentages of the average wage. */
  contributionGradesPercent: z.array(z.number().int().min(40).max(500)).min(1).max(10),
  /** An employee's declared base is kept within these percentages of the average wage. */
  baseFloorPercent: z.number().int().min(10).max(100),
  baseCeilingPercent: z.number().int().min(100).max(1000),
  employerRateBp: z.number().int().min(0).max(3000),
  personalRateBp: z.number().int().min(0).max(3000),
  /** A flexible worker's whole rate (they pay both parts). */
  flexibleRateBp: z.number().int().min(0).max(3000),
  /** The share of the base credited to the personal account each month after payment. */
  accountShareBp: z.number().int().min(0).max(3000),
  /** Months of unpaid contributions tolerated before the medical function is suspended. */
  arrearsGraceMonths: z.number().int().min(0).max(12),
  /** Whether a card settlement needs the card's password (an e-card payment code never does). */
  settlementPasswordRequired: z.boolean(),
  /** Days after a settlement in which the same institution may refund it. */
  refundWindowDays: z.number().int().min(0).max(366),
});
export type MedicalPolicy = z.infer<typeof medicalPolicySchema>;

export const NATIONAL_MEDICAL_POLICY: MedicalPolicy = {
  averageMonthlyWageFen: 900_000,
  contributionGradesPercent: [60, 100, 150, 200, 300],
  baseFloorPercent: 60,
  baseCeilingPercent: 300,
  employerRateBp: 800,
  personalRateBp: 200,
  flexibleRateBp: 1000,
  accountShareBp: 300,
  arrearsGraceMonths: 3,
  settlementPasswordRequired: true,
  refundWindowDays: 30,
};

/** The regional rules of a card-issuing area; each version is complete and takes effect on a date. */
export const policySchema = z.strictObject({
  initialPassword: z.discriminatedUnion("rule", [
    z.strictObject({ rule: z.literal("card_number_last6") }),
    z.strictObject({ rule: z.literal("fixed"), value: z.string().regex(/^\d{6}$/) }),
  ]),
  lockout: z.strictObject({
    mode: z.enum(["consecutive", "daily"]),
    threshold: z.number().int().min(1).max(20),
  }),
  queryOnlyUntilPasswordChanged: z.boolean(),
  /** Whether an agent with both IDs may have a password unlocked or reset. */
  agentMayResetPassword: z.boolean().default(false),
  cardValidityYears: z.number().int().min(1).max(30),
  renewalLeadDays: z.number().int().min(0).max(365),
  replacementReadyWorkingDays: z.number().int().min(0).max(60),
  preLossAutoCancelDays: z.number().int().min(1).max(365).nullable(),
  ecardWhileTemporarilyLost: z.enum(["with_holder_authorisation", "unavailable"]),
  familyServiceSlots: z.number().int().min(0).max(20),
  /**
   * Days after a replacement's ready date the temporary medical certificate stays valid when the new
   * card is not collected (it ends at once when it is), and days the collection slip stays valid.
   */
  temporaryCertificateGraceDays: z.number().int().min(0).max(365).default(30),
  collectionSlipValidDays: z.number().int().min(1).max(730).default(180),
  /** Days a rights record or an enrolment certificate is valid for whoever it is shown to (their facts date fast). */
  recordCertificateValidDays: z.number().int().min(1).max(365).default(90),
  /** Replacement fee in fen (0.01 yuan); money is never a float. */
  replacementFeeFen: z.number().int().min(0).max(100_000),
  /** Versions stored before the medical rules existed read the national ones. */
  medical: medicalPolicySchema.default(NATIONAL_MEDICAL_POLICY),
});

export type Policy = z.infer<typeof policySchema>;

/** The national defaults, seeded as version 1 of the national scope by the first migration. */
export const NATIONAL_DEFAULT_POLICY: Policy = {
  initialPassword: { rule: "card_number_last6" },
  lockout: { mode: "consecutive", threshold: 6 },
  queryOnlyUntilPasswordChanged: false,
  agentMayResetPassword: false,
  cardValidityYears: 10,
  renewalLeadDays: 60,
  replacementReadyWorkingDays: 5,
  preLossAutoCancelDays: null,
  ecardWhileTemporarilyLost: "with_holder_authorisation",
  familyServiceSlots: 8,
  temporaryCertificateGraceDays: 30,
  collectionSlipValidDays: 180,
  recordCertificateValidDays: 90,
  replacementFeeFen: 0,
  medical: NATIONAL_MEDICAL_POLICY,
};

export type PolicyVersion = Readonly<{
  areaCode: string;
  version: number;
  effectiveFrom: string;
  policy: Policy;
}>;

/**
 * The version in force on `date` along an area's chain (the area first, then its parents up to the
 * national scope): the latest effective date not after `date`, the higher version on the same date.
 */
export function policyInForce(
  chain: readonly (readonly PolicyVersion[])[],
  date: string,
): PolicyVersion | undefined {
  for (const versions of chain) {
    let best: PolicyVersion | undefined;
    for (const v of versions) {
      if (v.effectiveFrom > date) continue;
      if (
        !best ||
        v.effectiveFrom > best.effectiveFrom ||
        (v.effectiveFrom === best.effectiveFrom && v.version > best.version)
      ) {
        best = v;
      }
    }
    if (best) return best;
  }
  return undefined;
}

export type AreaLevel = "province" | "city" | "county";

/** What an area's region code makes it: level and parent; or why it cannot be a card-issuing area. */
export function classifyAreaCode(
  code: string,
  regions: RegionTable,
):
  | { ok: true; level: AreaLevel; parentCode: string; name: string }
  | { ok: false; problem: "region" | "level" } {
  const region = regions.get(code);
  if (!region) return { ok: false, problem: "region" };
  if (region.level === "province")
    return { ok: true, level: "province", parentCode: NATIONAL, name: region.name };
  if (region.level === "city") {
    return { ok: true, level: "city", parentCode: `${code.slice(0, 2)}0000`, name: region.name };
  }
  // A county (district) is an area under its city, with its outlets; the city issues its cards.
  if (region.level === "county")
    return { ok: true, level: "county", parentCode: `${code.slice(0, 4)}00`, name: region.name };
  return { ok: false, problem: "level" };
}
