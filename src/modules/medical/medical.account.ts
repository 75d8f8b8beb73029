import { type Actor, holderPersonId } from "../../shared/auth.ts";
import { DomainError } from "../../shared/errors.ts";
import type { MedicalContext } from "./medical.context.ts";
import { ledgerAccount } from "./medical.context.ts";

/** The holder's medical account and statement, and the ledger's sums. */
export function medicalAccount(ctx: MedicalContext) {
  const { db, repo } = ctx;
  return {
    /** The holder's account: balance, monthly credits, and settlements with their items. */
    async holderAccount(actor: Actor) {
      const personId = holderPersonId(actor);
      const [account, credits, settlements, contributions] = await Promise.all([
        repo.account(db, personId),
        repo.credits(db, personId),
        repo.settlementsOfPerson(db, personId, 50),
        repo.contributionsOf(db, personId, 36),
      ]);
      const items = await repo.itemsOf(
        db,
        settlements.map((s) => s.id),
      );
      return {
        balanceFen: Number(account?.balance_fen ?? 0),
        credits: credits.map((c) => ({ month: c.month, amountFen: Number(c.amount_fen), at: c.at })),
        contributions: contributions.map((c) => ({
          month: c.month,
          coordinationArea: c.coordination_area,
          payer: c.payer,
          employerFen: Number(c.employer_fen),
          personalFen: Number(c.personal_fen),
          paidAt: c.paid_at,
        })),
        settlements: settlements.map((s) => ({
          settlementId: s.id,
          institution: s.institution_name,
          day: s.day,
          state: s.state,
          totalFen: Number(s.total_fen),
          accountFen: Number(s.account_fen),
          selfFen: Number(s.self_fen),
          items: items
            .filter((i) => i.settlement_id === s.id)
            .map((i) => ({
              name: i.name,
              class: i.class,
              quantity: Number(i.quantity),
              amountFen: Number(i.amount_fen),
              accountFen: Number(i.account_fen),
              selfFen: Number(i.self_fen),
            })),
        })),
      };
    },

    /** The holder's statement for a period: opening balance, each entry with the running balance, closing. */
    async statement(actor: Actor, from: string, to: string) {
      const personId = holderPersonId(actor);
      if (to < from) throw new DomainError("VALIDATION_FAILED", { summary: "to: not before from" });
      const account = ledgerAccount.personal(personId);
      const opening = await repo.sumOf(db, { account, beforeDay: from });
      const entries = await repo.entries(db, account, from, to);
      let balance = opening;
      return {
        from,
        to,
        openingFen: opening,
        entries: entries.map((e) => {
          balance += Number(e.amount_fen);
          return { day: e.day, at: e.at, kind: e.kind, amountFen: Number(e.amount_fen), balanceFen: balance };
        }),
        closingFen: balance,
      };
    },

    /** For tests and audits: the sum of every ledger entry (zero when the books balance) and of one account. */
    async ledgerSums(personId?: string) {
      return {
        total: await repo.sumOf(db),
        personal: personId ? await repo.sumOf(db, { account: ledgerAccount.personal(personId) }) : 0,
      };
    },
  };
}
