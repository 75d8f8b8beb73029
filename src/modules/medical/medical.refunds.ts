import { isUniqueViolation } from "../../db/database.ts";
import type { Database } from "../../db/schema.ts";
import type { Actor, Grant } from "../../shared/auth.ts";
import { addDays } from "../../shared/clock.ts";
import { DomainError } from "../../shared/errors.ts";
import { timeOrderedId } from "../../shared/ids.ts";
import { coordinationArea } from "../enrolment/enrolment.rules.ts";
import type { MedicalContext, RefundView } from "./medical.context.ts";
import { ledgerAccount } from "./medical.context.ts";
import { refundOfLine } from "./medical.rules.ts";

/** Refunds of a settlement, whole or by item, once per idempotency key. */
export function medicalRefunds(ctx: MedicalContext) {
  const { deps, db, repo, audit, clock, today, medicalPolicy, post, institutionOf } = ctx;

  /**
   * A cross-province settlement this institution made (this province's copy): refunded by the home
   * province that settled it, through the hub (which knows which province that is), under the same rules (its window, the lines left).
   */
  async function refundElsewhere(
    settlementId: string,
    input: {
      terminalNo: string;
      idempotencyKey: string;
      lines?: readonly { line: number; quantity: number }[];
    },
    institution: Database["institutions"],
    mayForward: boolean,
  ) {
    const copy =
      mayForward && deps.remoteRefund ? await repo.remoteSettlementById(db, settlementId) : undefined;
    if (!copy || !deps.remoteRefund) throw new DomainError("SETTLEMENT_NOT_FOUND");
    if (copy.institution_id !== institution.id)
      throw new DomainError("REFUND_NOT_ALLOWED", { reason: "other_institution" });
    return deps.remoteRefund({
      settlementId,
      settlementKey: copy.idempotency_key,
      idempotencyKey: input.idempotencyKey,
      ...(input.lines ? { lines: input.lines } : {}),
      institution: { code: institution.code, name: institution.name },
      terminalNo: input.terminalNo,
    });
  }

  return {
    /**
     * Refunds a settlement, whole or some units of some lines, by the institution that made it within
     * the area's window: the account part goes back to the personal account, the self-paid part to the
     * holder at the till. Idempotent per key.
     */
    async refund(
      actor: Actor,
      settlementId: string,
      input: {
        terminalNo: string;
        idempotencyKey: string;
        lines?: readonly { line: number; quantity: number }[];
      },
      at?: { institution: Database["institutions"]; grant: Grant },
    ): Promise<RefundView> {
      const { institution, grant } = at ?? (await institutionOf(actor, input.terminalNo));
      const s = await repo.settlementById(db, settlementId);
      if (!s) return refundElsewhere(settlementId, input, institution, at === undefined);
      if (s.institution_id !== institution.id)
        throw new DomainError("REFUND_NOT_ALLOWED", { reason: "other_institution" });
      const done = await repo.refundByKey(db, s.id, input.idempotencyKey);
      if (done) return refundView(done, s.id, true);
      const card = await deps.cards.byId(db, s.card_id);
      const policy = await medicalPolicy(card!.area_code);
      const day = today();
      if (day > addDays(s.day, policy.refundWindowDays))
        throw new DomainError("REFUND_NOT_ALLOWED", {
          reason: "window_passed",
          until: addDays(s.day, policy.refundWindowDays),
        });
      try {
        return await db.transaction().execute(async (trx) => {
          const locked = (await repo.lockSettlement(trx, s.id))!;
          // With the settlement held, a retry that raced the first refund sees it and gets its receipt.
          const first = await repo.refundByKey(trx, s.id, input.idempotencyKey);
          if (first) return refundView(first, s.id, true);
          const items = await repo.settlementItems(trx, s.id);
          const wanted =
            input.lines ??
            items
              .map((i) => ({
                line: Number(i.line),
                quantity: Number(i.quantity) - Number(i.refunded_quantity),
              }))
              .filter((l) => l.quantity > 0);
          if (wanted.length === 0) throw new DomainError("REFUND_NOT_ALLOWED", { reason: "nothing_left" });
          let accountFen = 0;
          let selfFen = 0;
          for (const w of wanted) {
            const item = items.find((i) => Number(i.line) === w.line);
            const before = Number(item?.refunded_quantity ?? 0);
            if (
              !item ||
              !Number.isInteger(w.quantity) ||
              w.quantity < 1 ||
              before + w.quantity > Number(item.quantity)
            )
              throw new DomainError("REFUND_NOT_ALLOWED", { reason: "quantity", line: w.line });
            const part = refundOfLine(
              {
                quantity: Number(item.quantity),
                accountFen: Number(item.account_fen),
                selfFen: Number(item.self_fen),
              },
              before,
              w.quantity,
            );
            accountFen += part.accountFen;
            selfFen += part.selfFen;
            await repo.setItemRefunded(trx, s.id, w.line, before + w.quantity);
            item.refunded_quantity = before + w.quantity;
          }
          const journalId = await post(trx, "refund", [
            { account: ledgerAccount.institution(institution.id), amountFen: -accountFen },
            { account: ledgerAccount.personal(s.person_id), amountFen: accountFen },
          ]);
          if (accountFen > 0)
            await repo.addToAccount(
              trx,
              s.person_id,
              coordinationArea(card!.area_code),
              accountFen,
              clock.now().toISOString(),
            );
          const all = items.every((i) => Number(i.refunded_quantity) === Number(i.quantity));
          await repo.setRefunded(trx, s.id, {
            refunded_account_fen: Number(locked.refunded_account_fen) + accountFen,
            refunded_self_fen: Number(locked.refunded_self_fen) + selfFen,
            state: all ? "reversed" : "partly_refunded",
          });
          const row: Database["settlement_refunds"] = {
            id: timeOrderedId(),
            settlement_id: s.id,
            idempotency_key: input.idempotencyKey,
            lines: JSON.stringify(wanted),
            account_fen: accountFen,
            self_fen: selfFen,
            journal_id: journalId,
            day,
            at: clock.now().toISOString(),
          };
          await repo.insertRefund(trx, row);
          await audit.record(trx, actor, grant, {
            action: "medical.refund",
            subjectType: "settlement",
            subjectId: s.id,
            areaCode: institution.area_code,
            after: { accountFen, selfFen, lines: wanted, state: all ? "reversed" : "partly_refunded" },
          });
          return refundView(row, s.id, false, all ? "reversed" : "partly_refunded");
        });
      } catch (err) {
        if (isUniqueViolation(err)) {
          const again = await repo.refundByKey(db, s.id, input.idempotencyKey);
          if (again) return refundView(again, s.id, true);
        }
        throw err;
      }
    },
  };
}

function refundView(
  r: Database["settlement_refunds"],
  settlementId: string,
  replayed: boolean,
  state?: string,
) {
  return {
    refundId: r.id,
    settlementId,
    replayed,
    accountFen: Number(r.account_fen),
    selfFen: Number(r.self_fen),
    lines: JSON.parse(r.lines) as { line: number; quantity: number }[],
    day: r.day,
    state,
  };
}
