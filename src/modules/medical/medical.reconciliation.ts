import { type Actor, authorize } from "../../shared/auth.ts";
import { DomainError } from "../../shared/errors.ts";
import type { MedicalContext } from "./medical.context.ts";
import { MEDICAL_PERMISSIONS } from "./medical.permissions.ts";
import { totalsOf } from "./medical.rules.ts";

/** An institution's day: totals by class, its settlements and refunds. */
export function medicalReconciliation(ctx: MedicalContext) {
  const { db, repo, operatorOf } = ctx;
  return {
    /** An institution's day: totals by catalogue class and by account, refunds, and each settlement. */
    async reconciliation(actor: Actor, code: string, day: string) {
      authorize(actor, MEDICAL_PERMISSIONS.reconcile);
      const institution = await repo.institutionByCode(db, code);
      if (!institution) throw new DomainError("INSTITUTION_NOT_FOUND", { code });
      operatorOf(actor, MEDICAL_PERMISSIONS.reconcile, institution);
      const [byClass, settlements, refunds] = await Promise.all([
        repo.dayByClass(db, institution.id, day),
        repo.daySettlements(db, institution.id, day),
        repo.dayRefunds(db, institution.id, day),
      ]);
      const classes = (["A", "B", "none"] as const).map((c) => {
        const r = byClass.find((b) => b.class === c);
        return {
          class: c,
          amountFen: Number(r?.amount ?? 0),
          coveredFen: Number(r?.covered ?? 0),
          accountFen: Number(r?.account ?? 0),
          selfFen: Number(r?.self ?? 0),
        };
      });
      const totals = totalsOf(classes);
      return {
        institution: { code: institution.code, name: institution.name },
        day,
        count: settlements.length,
        byClass: classes,
        byAccount: {
          personalAccountFen: totals.accountFen,
          selfPaidFen: totals.selfFen,
          totalFen: totals.totalFen,
        },
        refunds: {
          count: Number(refunds?.n ?? 0),
          accountFen: Number(refunds?.account ?? 0),
          selfFen: Number(refunds?.self ?? 0),
        },
        settlements: settlements.map((s) => ({
          settlementId: s.id,
          idempotencyKey: s.idempotency_key,
          terminalNo: s.terminal_no,
          medium: s.medium,
          totalFen: Number(s.total_fen),
          accountFen: Number(s.account_fen),
          selfFen: Number(s.self_fen),
          state: s.state,
          at: s.at,
        })),
      };
    },
  };
}
