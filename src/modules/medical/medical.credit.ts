import { isUniqueViolation } from "../../db/database.ts";
import { type Actor, areaPrefix, authorize, NATIONAL } from "../../shared/auth.ts";
import { DomainError } from "../../shared/errors.ts";
import type { MedicalContext } from "./medical.context.ts";
import { ledgerAccount } from "./medical.context.ts";
import { MEDICAL_PERMISSIONS } from "./medical.permissions.ts";

/** The monthly credit of the account share of paid contributions. */
export function medicalCredit(ctx: MedicalContext) {
  const { db, repo, audit, clock, post } = ctx;
  return {
    /**
     * The monthly credit of the personal-account share of every paid contribution of `month`, in
     * batches, each one transaction with its journal and audit record. Running it again (or twice at
     * once) credits nothing twice: each person-month is credited once (primary key). An administrator
     * credits the coordination areas their grant covers.
     */
    async transferMonth(
      actor: Actor,
      month: string,
      onProgress?: (done: { credited: number; totalFen: number }) => void,
    ) {
      const grant = authorize(actor, MEDICAL_PERMISSIONS.transfer);
      if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month))
        throw new DomainError("VALIDATION_FAILED", { summary: "month: YYYY-MM" });
      // An administrator credits the accounts of the coordination areas their grant covers.
      const prefix = grant.areaCode === NATIONAL ? "" : areaPrefix(grant.areaCode);
      const report = { month, credited: 0, totalFen: 0, batches: 0 };
      for (let attempts = 0; attempts < 10_000; attempts++) {
        const rows = await repo.uncredited(db, month, prefix, 500);
        if (rows.length === 0) break;
        try {
          await db.transaction().execute(async (trx) => {
            let total = 0;
            for (const r of rows) {
              const amount = Number(r.account_share_fen);
              const journalId = await post(trx, "monthly_credit", [
                { account: ledgerAccount.fund(r.coordination_area), amountFen: -amount },
                { account: ledgerAccount.personal(r.person_id), amountFen: amount },
              ]);
              await repo.insertCredit(trx, {
                person_id: r.person_id,
                month,
                amount_fen: amount,
                journal_id: journalId,
                at: clock.now().toISOString(),
              });
              await repo.addToAccount(
                trx,
                r.person_id,
                r.coordination_area,
                amount,
                clock.now().toISOString(),
              );
              total += amount;
            }
            await audit.record(trx, actor, grant, {
              action: "medical.transfer.batch",
              subjectType: "month",
              subjectId: month,
              areaCode: NATIONAL,
              after: { count: rows.length, totalFen: total },
            });
            report.credited += rows.length;
            report.totalFen += total;
            report.batches++;
          });
        } catch (err) {
          // Another run credited some of these meanwhile: read what is left again.
          if (!isUniqueViolation(err)) throw err;
        }
        onProgress?.({ credited: report.credited, totalFen: report.totalFen });
      }
      return report;
    },
  };
}
