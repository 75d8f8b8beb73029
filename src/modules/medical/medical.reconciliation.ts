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
      const [byClass, settlements, refunds, remote] = await Promise.all([
        repo.dayByClass(db, institution.id, day),
        repo.daySettlements(db, institution.id, day),
        repo.dayRefunds(db, institution.id, day),
        repo.dayRemoteSettlements(db, institution.id, day),
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
        // Holders of other provinces, settled by their home provinces through the national platform: the
        // account money comes through the national netting, not this province's accounts.
        elsewhere: {
          count: remote.length,
          totalFen: remote.reduce((n, r) => n + Number(r.total_fen), 0),
          accountFen: remote.reduce((n, r) => n + Number(r.account_fen), 0),
          selfFen: remote.reduce((n, r) => n + Number(r.self_fen), 0),
          settlements: remote.map((r) => ({
            settlementId: r.id,
            idempotencyKey: r.idempotency_key,
            homeProvince: r.home_province,
            medium: r.medium,
            totalFen: Number(r.total_fen),
            accountFen: Number(r.account_fen),
            selfFen: Number(r.self_fen),
            at: r.at,
          })),
        },
      };
    },
  };
}
