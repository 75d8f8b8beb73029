import { medicalAccount } from "./medical.account.ts";
import { medicalCatalogue } from "./medical.catalogue.ts";
import { createMedicalContext, type MedicalDeps } from "./medical.context.ts";
import { medicalContributions } from "./medical.contributions.ts";
import { medicalCredit } from "./medical.credit.ts";
import { medicalInstitutions } from "./medical.institutions.ts";
import { MEDICAL_PERMISSIONS } from "./medical.permissions.ts";
import { medicalReconciliation } from "./medical.reconciliation.ts";
import { medicalRefunds } from "./medical.refunds.ts";
import { medicalRemote } from "./medical.remote.ts";
import { medicalSettlement } from "./medical.settlement.ts";

export type { RemoteSettleInput } from "./medical.context.ts";
export type { SettleInput } from "./medical.settlement.ts";

export { MEDICAL_PERMISSIONS };

/**
 * The medical personal account, assembled from one file per use case: designated institutions, the
 * catalogue, contributions, the monthly credit, settlements, refunds, reconciliation
 * and the holder's account. Every change is one transaction with its double-entry journal and its
 * audit record. Shared helpers are in medical.context.ts.
 */
export function createMedicalService(deps: MedicalDeps) {
  const ctx = createMedicalContext(deps);
  const settlement = medicalSettlement(ctx);
  const refunds = medicalRefunds(ctx);
  return {
    ...medicalInstitutions(ctx),
    ...medicalCatalogue(ctx),
    ...medicalContributions(ctx),
    ...medicalCredit(ctx),
    ...settlement,
    ...medicalRemote(ctx, settlement.settle, refunds.refund),
    ...refunds,
    ...medicalReconciliation(ctx),
    ...medicalAccount(ctx),
  };
}

export type MedicalService = ReturnType<typeof createMedicalService>;
