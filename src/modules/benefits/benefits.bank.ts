import type { Kysely, Transaction } from "kysely";
import type { CardRow, Database } from "../../db/schema.ts";
import { type Actor, authorize, type Grant } from "../../shared/auth.ts";
import type { Clock } from "../../shared/clock.ts";
import { parseCsv } from "../../shared/csv.ts";
import { DomainError } from "../../shared/errors.ts";
import { timeOrderedId } from "../../shared/ids.ts";
import type { RowReason } from "../../shared/row-reasons.ts";
import { BENEFIT_PERMISSIONS } from "./benefits.permissions.ts";
import type { BenefitsRepository } from "./benefits.repository.ts";
import { BANK_RESULTS, type BankResult, type BenefitFailure, benefitTarget } from "./benefits.rules.ts";

type Payment = Database["benefit_payments"];
export type BenefitRowReport = {
  line: number;
  status: "accepted" | "rejected";
  paymentId?: string;
  replayed?: boolean;
  reasonCode?: RowReason;
  reasonParams?: Record<string, string>;
};

/** A batch as the office sees it: what it lists, and its payments by state and failure. */
export type BatchSummary = {
  batchId: string;
  areaCode: string;
  reference: string;
  kind: Database["benefit_batches"]["kind"];
  period: string;
  paymentCount: number;
  totalFen: number;
  paidFen: number;
  byState: Record<string, number>;
  byFailure: Record<string, number>;
  createdAt: string;
  replayed?: boolean;
};

/** What the bank side shares with the rest of the benefits service. */
export type BenefitsContext = {
  db: Kysely<Database>;
  repo: BenefitsRepository;
  clock: Clock;
  cardsInProvince: (q: Kysely<Database>, personId: string, province: string) => Promise<CardRow[]>;
  batchFor: (actor: Actor, batchId: string) => Promise<{ batch: Database["benefit_batches"]; grant: Grant }>;
  summary: (batch: Database["benefit_batches"]) => Promise<BatchSummary>;
  fileCsv: (fileId: string) => Promise<{ csv: string; paymentCount: number; totalFen: number }>;
  record: (
    trx: Transaction<Database>,
    actor: Actor,
    grant: Grant,
    areaCode: string,
    p: Payment,
    action: string,
    after: object,
  ) => Promise<void>;
};

/** The partner banks' side of benefits paid to the card: the payment files and their return files. */
export function benefitBank(ctx: BenefitsContext) {
  const { db, repo, clock, batchFor, summary, fileCsv, record } = ctx;
  const now = () => clock.now().toISOString();
  return {
    /**
     * The partner banks' payment files of a batch: every payment not yet sent, or failed and perhaps
     * remedied since, is looked at again in one transaction. A card that can receive it puts it in its
     * bank's file; otherwise it is failed with the reason (each change audited). Made twice at once, a
     * payment goes in one file only.
     */
    async makePaymentFiles(actor: Actor, batchId: string) {
      const { batch, grant } = await batchFor(actor, batchId);
      const province = batch.area_code.slice(0, 2);
      const made = await db.transaction().execute(async (trx) => {
        const at = now();
        const files = new Map<string, string>();
        let unpayable = 0;
        for (const p of await repo.toSend(trx, batchId)) {
          const target = benefitTarget(await ctx.cardsInProvince(trx, p.person_id, province));
          const card = target.card;
          if (target.failure) {
            // Nothing changed since it last failed: no new attempt, no new record.
            if (
              p.state === "failed" &&
              p.failure === target.failure &&
              p.card_number === (card?.card_number ?? null)
            )
              continue;
            const moved = await repo.move(trx, p, {
              state: "failed",
              failure: target.failure,
              card_number: card?.card_number ?? null,
              bank_code: card?.bank_code ?? null,
              updated_at: at,
            });
            if (!moved) continue;
            unpayable += 1;
            await record(trx, actor, grant, batch.area_code, p, "benefit.unpayable", {
              failure: target.failure,
              cardNumber: card?.card_number ?? null,
            });
            continue;
          }
          const bank = target.card.bank_code as string;
          let fileId = files.get(bank);
          if (!fileId) {
            fileId = timeOrderedId(clock.now().getTime());
            await repo.insertFile(trx, {
              id: fileId,
              batch_id: batchId,
              bank_code: bank,
              created_at: at,
              returned_at: null,
            });
            files.set(bank, fileId);
          }
          const moved = await repo.move(trx, p, {
            state: "sent",
            failure: null,
            card_number: target.card.card_number,
            bank_code: bank,
            file_id: fileId,
            updated_at: at,
          });
          if (moved)
            await record(trx, actor, grant, batch.area_code, p, "benefit.send", {
              fileId,
              bank,
              cardNumber: target.card.card_number,
            });
        }
        return { files, unpayable };
      });
      const files = [];
      for (const [bankCode, fileId] of made.files) {
        const f = await fileCsv(fileId);
        files.push({ fileId, bankCode, paymentCount: f.paymentCount, totalFen: f.totalFen, csv: f.csv });
      }
      return {
        ...(await summary(batch)),
        files: files.filter((f) => f.paymentCount > 0),
        newlyUnpayable: made.unpayable,
      };
    },

    /** A payment file again, as the bank received it. */
    async paymentFile(actor: Actor, fileId: string) {
      authorize(actor, BENEFIT_PERMISSIONS.disburse);
      const file = await repo.file(db, fileId);
      if (!file) throw new DomainError("BENEFIT_FILE_NOT_FOUND");
      await batchFor(actor, file.batch_id);
      const f = await fileCsv(fileId);
      return {
        fileId,
        batchId: file.batch_id,
        bankCode: file.bank_code,
        createdAt: file.created_at,
        returnedAt: file.returned_at,
        ...f,
      };
    },

    /**
     * The partner bank's return file (`payment_id,result,bank_txn_no,reason`): per payment of the file,
     * paid (with the bank's transaction number) or why not. Each row is one transaction with its audit
     * record; the same row again is accepted as `replayed`, another result for a settled payment is refused.
     */
    async importBankReturn(actor: Actor, fileId: string, csv: string) {
      authorize(actor, BENEFIT_PERMISSIONS.disburse);
      const file = await repo.file(db, fileId);
      if (!file) throw new DomainError("BENEFIT_FILE_NOT_FOUND");
      const { batch, grant } = await batchFor(actor, file.batch_id);
      const parsed = parseCsv(csv);
      if ("error" in parsed) throw new DomainError("CSV_INVALID", { reason: parsed.error });
      const missing = ["payment_id", "result"].filter((c) => !parsed.columns.includes(c));
      if (missing.length)
        throw new DomainError("CSV_INVALID", { reason: `missing columns: ${missing.join(", ")}` });
      const rows: BenefitRowReport[] = [];
      for (const { line, values } of parsed.rows) {
        const reject = (reasonCode: RowReason, reasonParams?: Record<string, string>) =>
          rows.push({ line, status: "rejected", reasonCode, ...(reasonParams ? { reasonParams } : {}) });
        if (values.__extra) {
          reject("more_fields");
          continue;
        }
        const result = values.result as BankResult;
        if (!BANK_RESULTS.includes(result)) {
          reject("bank_result_invalid");
          continue;
        }
        const txn = values.bank_txn_no ?? "";
        if (result === "paid" && !/^[A-Za-z0-9-]{1,64}$/.test(txn)) {
          reject("bank_txn_missing");
          continue;
        }
        const payment = /^[0-9a-f-]{36}$/.test(values.payment_id)
          ? await repo.payment(db, values.payment_id)
          : undefined;
        if (payment?.file_id !== fileId) {
          reject("not_in_file");
          continue;
        }
        const failure: BenefitFailure | null = result === "paid" ? null : result;
        const at = now();
        const settled = await db.transaction().execute(async (trx) => {
          const ok = await repo.settle(trx, payment.id, fileId, {
            state: result === "paid" ? "paid" : "failed",
            failure,
            bank_txn_no: result === "paid" ? txn : null,
            paid_at: result === "paid" ? at : null,
            updated_at: at,
          });
          if (ok)
            await record(
              trx,
              actor,
              grant,
              batch.area_code,
              payment,
              result === "paid" ? "benefit.paid" : "benefit.failed",
              {
                fileId,
                ...(result === "paid"
                  ? { bankTxnNo: txn }
                  : { failure, bankReason: (values.reason ?? "").slice(0, 200) }),
              },
            );
          return ok;
        });
        if (settled) {
          rows.push({ line, status: "accepted", paymentId: payment.id });
          continue;
        }
        // Already settled from this file: the same result again is the same row; another is refused.
        const now_ = await repo.payment(db, payment.id);
        const same =
          now_?.file_id === fileId &&
          (result === "paid"
            ? now_.state === "paid" && now_.bank_txn_no === txn
            : now_.state === "failed" && now_.failure === failure);
        if (same) rows.push({ line, status: "accepted", paymentId: payment.id, replayed: true });
        else
          reject("payment_settled", {
            state: now_?.state === "failed" ? `failed: ${now_.failure}` : String(now_?.state),
          });
      }
      await db.transaction().execute((trx) => repo.markFileReturned(trx, fileId, now()));
      const accepted = rows.filter((r) => r.status === "accepted").length;
      return { fileId, accepted, rejected: rows.length - accepted, rows };
    },
  };
}
