import type { Kysely, Transaction } from "kysely";
import { isUniqueViolation } from "../../db/database.ts";
import type { CardRow, Database, PersonRow } from "../../db/schema.ts";
import { type Actor, authorize, type Grant, holderPersonId } from "../../shared/auth.ts";
import { type Clock, chinaDate } from "../../shared/clock.ts";
import type { PiiCipher } from "../../shared/crypto.ts";
import { csvLine, parseCsv } from "../../shared/csv.ts";
import { DomainError } from "../../shared/errors.ts";
import { timeOrderedId } from "../../shared/ids.ts";
import type { Language } from "../../shared/language.ts";
import { maskName } from "../../shared/mask.ts";
import type { RowReason } from "../../shared/row-reasons.ts";
import type { AuditService } from "../audit/audit.service.ts";
import { parseIdNumber } from "../persons/id-number.rules.ts";
import { readPii } from "../persons/pii.ts";
import type { RegionTable } from "../regions/regions.ts";
import { type BatchSummary, type BenefitRowReport, benefitBank } from "./benefits.bank.ts";
import { BENEFIT_PERMISSIONS } from "./benefits.permissions.ts";
import type { BenefitsRepository } from "./benefits.repository.ts";
import {
  amountFen,
  BENEFIT_KINDS,
  type BenefitKind,
  benefitRemedy,
  PAYMENT_FILE_COLUMNS,
} from "./benefits.rules.ts";

type Payment = Database["benefit_payments"];

/**
 * Benefits paid to the card: an issuing office lists a month's benefit (kind, period, person, amount);
 * sscard puts each payment in its partner bank's payment file when the person's card can receive it
 * (financial function active) and records why not otherwise; the bank's return file says per payment
 * whether it was paid. A failure is shown to the office and to the holder (hall, 12333) with its remedy,
 * and the payment goes in a later file once remedied. One payment per kind, month and person, ever.
 */
export function createBenefitsService(deps: {
  db: Kysely<Database>;
  repo: BenefitsRepository;
  audit: AuditService;
  clock: Clock;
  cipher: PiiCipher;
  regions: RegionTable;
  areaExists: (code: string) => Promise<boolean>;
  findPerson: (q: Kysely<Database>, idNumber: string) => Promise<PersonRow | undefined>;
  person: (q: Kysely<Database>, id: string) => Promise<PersonRow | undefined>;
  /** The person's cards in a province (area codes starting with its two digits). */
  cardsInProvince: (q: Kysely<Database>, personId: string, province: string) => Promise<CardRow[]>;
}) {
  const { db, repo, audit, clock } = deps;
  const now = () => clock.now().toISOString();

  async function batchFor(actor: Actor, batchId: string) {
    authorize(actor, BENEFIT_PERMISSIONS.disburse);
    const batch = await repo.batch(db, batchId);
    if (!batch) throw new DomainError("BENEFIT_BATCH_NOT_FOUND");
    return { batch, grant: authorize(actor, BENEFIT_PERMISSIONS.disburse, batch.area_code) };
  }

  async function summary(batch: Database["benefit_batches"], replayed = false): Promise<BatchSummary> {
    const counts = await repo.countsOf(db, batch.id);
    const byState: Record<string, number> = {};
    const byFailure: Record<string, number> = {};
    let paidFen = 0;
    for (const c of counts) {
      byState[c.state] = (byState[c.state] ?? 0) + Number(c.n);
      if (c.failure) byFailure[c.failure] = (byFailure[c.failure] ?? 0) + Number(c.n);
      if (c.state === "paid") paidFen += Number(c.fen);
    }
    return {
      batchId: batch.id,
      areaCode: batch.area_code,
      reference: batch.reference,
      kind: batch.kind,
      period: batch.period,
      paymentCount: Number(batch.payment_count),
      totalFen: Number(batch.total_fen),
      paidFen,
      byState,
      byFailure,
      createdAt: batch.created_at,
      ...(replayed ? { replayed } : {}),
    };
  }

  /** The CSV a partner bank receives: one row per payment, the card number being the account's key. */
  async function fileCsv(fileId: string) {
    const rows = await repo.paymentsOfFile(db, fileId);
    const lines = [PAYMENT_FILE_COLUMNS.join(",")];
    for (const p of rows) {
      const person = await deps.person(db, p.person_id);
      const name = person ? readPii(deps.cipher, person).name : "";
      lines.push(csvLine([p.id, p.card_number ?? "", name, String(p.amount_fen), p.kind, p.period]));
    }
    return {
      csv: `${lines.join("\n")}\n`,
      paymentCount: rows.length,
      totalFen: rows.reduce((s, p) => s + Number(p.amount_fen), 0),
    };
  }

  const failureView = (p: Payment, lang: Language) => ({
    paymentId: p.id,
    failure: p.failure,
    remedy: p.failure ? benefitRemedy(p.failure, p.bank_code, lang) : null,
  });

  return {
    /**
     * An office's benefit batch from its CSV (`id_number,name,amount_fen`): each row a payment of the
     * batch's kind and month, refused on its row when the person is unknown, the name differs, the
     * amount is not 1 fen to 1,000,000 yuan, or the person already has this benefit for this month (in
     * any batch). The same reference again answers the first batch (`replayed`).
     */
    async createBatch(
      actor: Actor,
      input: { areaCode: string; reference: string; kind: BenefitKind; period: string; csv: string },
    ) {
      const grant = authorize(actor, BENEFIT_PERMISSIONS.disburse, input.areaCode);
      if (!(await deps.areaExists(input.areaCode)))
        throw new DomainError("AREA_NOT_FOUND", { areaCode: input.areaCode });
      const existing = await repo.batchByReference(db, input.areaCode, input.reference);
      if (existing) return { ...(await summary(existing, true)), accepted: 0, rejected: 0, rows: [] };
      const parsed = parseCsv(input.csv);
      if ("error" in parsed) throw new DomainError("CSV_INVALID", { reason: parsed.error });
      const missing = ["id_number", "name", "amount_fen"].filter((c) => !parsed.columns.includes(c));
      if (missing.length)
        throw new DomainError("CSV_INVALID", { reason: `missing columns: ${missing.join(", ")}` });
      if (parsed.rows.length > 100_000)
        throw new DomainError("CSV_INVALID", { reason: "more than 100,000 rows" });

      const rows: BenefitRowReport[] = [];
      const ready: { line: number; personId: string; amount: number }[] = [];
      const seen = new Set<string>();
      const today = chinaDate(clock.now());
      for (const { line, values } of parsed.rows) {
        const reject = (reasonCode: RowReason, reasonParams?: Record<string, string>) =>
          rows.push({ line, status: "rejected", reasonCode, ...(reasonParams ? { reasonParams } : {}) });
        if (values.__extra) {
          reject("more_fields");
          continue;
        }
        const id = parseIdNumber(values.id_number, today, deps.regions);
        if (!id.ok) {
          reject("invalid_id_number", { detail: id.problem });
          continue;
        }
        const amount = amountFen(values.amount_fen);
        if (amount === null) {
          reject("amount_invalid");
          continue;
        }
        const person = await deps.findPerson(db, id.facts.idNumber);
        if (!person) {
          reject("person_unknown");
          continue;
        }
        if (readPii(deps.cipher, person).name !== values.name) {
          reject("name_differs");
          continue;
        }
        if (seen.has(person.id)) {
          reject("duplicate_in_file");
          continue;
        }
        seen.add(person.id);
        ready.push({ line, personId: person.id, amount });
      }

      const write = () =>
        db.transaction().execute(async (trx) => {
          // The same batch sent twice at once: the second finds the first here (or below, once its
          // payments are seen), and answers it.
          const sent = await repo.batchByReference(trx, input.areaCode, input.reference);
          if (sent) return { batch: undefined, report: [], replayOf: sent };
          const at = now();
          const listed = new Map<string, string>();
          for (let i = 0; i < ready.length; i += 500) {
            const ids = ready.slice(i, i + 500).map((r) => r.personId);
            for (const l of await repo.listed(trx, input.kind, input.period, ids))
              listed.set(l.person_id, l.batch_id);
          }
          const batchId = timeOrderedId(clock.now().getTime());
          const report: BenefitRowReport[] = [];
          const payments: Payment[] = [];
          for (const r of ready) {
            const other = listed.get(r.personId);
            if (other) {
              report.push({
                line: r.line,
                status: "rejected",
                reasonCode: "benefit_listed",
                reasonParams: { batch: other },
              });
              continue;
            }
            const paymentId = timeOrderedId(clock.now().getTime());
            report.push({ line: r.line, status: "accepted", paymentId });
            payments.push({
              id: paymentId,
              batch_id: batchId,
              person_id: r.personId,
              kind: input.kind,
              period: input.period,
              amount_fen: r.amount,
              state: "pending",
              failure: null,
              card_number: null,
              bank_code: null,
              file_id: null,
              attempts: 0,
              bank_txn_no: null,
              paid_at: null,
              updated_at: at,
            });
          }
          if (!payments.length) {
            const late = await repo.batchByReference(trx, input.areaCode, input.reference);
            return late ? { batch: undefined, report: [], replayOf: late } : { batch: undefined, report };
          }
          const batch = {
            id: batchId,
            area_code: input.areaCode,
            reference: input.reference,
            kind: input.kind,
            period: input.period,
            payment_count: payments.length,
            total_fen: payments.reduce((s, p) => s + p.amount_fen, 0),
            created_by: actor.id,
            created_at: at,
          };
          await repo.insertBatch(trx, batch);
          await repo.insertPayments(trx, payments);
          await audit.recordMany(trx, [
            {
              actor,
              grant,
              entry: {
                action: "benefit.batch_create",
                subjectType: "benefit_batch",
                subjectId: batchId,
                areaCode: input.areaCode,
                after: {
                  reference: input.reference,
                  kind: input.kind,
                  period: input.period,
                  payments: payments.length,
                  totalFen: batch.total_fen,
                },
              },
            },
            ...payments.map((p) => ({
              actor,
              grant,
              entry: {
                action: "benefit.list",
                subjectType: "person",
                subjectId: p.person_id,
                areaCode: input.areaCode,
                after: { paymentId: p.id, batchId, kind: p.kind, period: p.period, amountFen: p.amount_fen },
              },
            })),
          ]);
          return { batch, report };
        });

      // Two offices' batches listing one person at once: the unique index refuses the second; it is
      // written again and then finds the first's payments.
      let written: Awaited<ReturnType<typeof write>> | undefined;
      for (let attempt = 0; !written; attempt += 1) {
        try {
          written = await write();
        } catch (err) {
          if (!isUniqueViolation(err) || attempt === 2) throw err;
          const same = await repo.batchByReference(db, input.areaCode, input.reference);
          if (same) return { ...(await summary(same, true)), accepted: 0, rejected: 0, rows: [] };
        }
      }
      if ("replayOf" in written && written.replayOf)
        return { ...(await summary(written.replayOf, true)), accepted: 0, rejected: 0, rows: [] };
      rows.push(...written.report);
      rows.sort((a, b) => a.line - b.line);
      const accepted = rows.filter((r) => r.status === "accepted").length;
      const head = written.batch ? await summary(written.batch) : null;
      return { ...(head ?? { batchId: null }), accepted, rejected: rows.length - accepted, rows };
    },

    /** An area's benefit batches, newest first, with their payments by state. */
    async batches(actor: Actor, areaCode: string) {
      authorize(actor, BENEFIT_PERMISSIONS.disburse, areaCode);
      return Promise.all((await repo.batchesOf(db, areaCode, 50)).map((b) => summary(b)));
    },

    /** A batch: its summary, its payment files, and the payments that failed with their remedy (the office's list). */
    async batchDetail(actor: Actor, batchId: string, lang: Language) {
      const { batch } = await batchFor(actor, batchId);
      const files = await repo.filesOf(db, batchId);
      const failed = await repo.paymentsOfBatch(db, batchId, ["failed"], 1000);
      return {
        ...(await summary(batch)),
        files: await Promise.all(
          files.map(async (f) => {
            const { paymentCount, totalFen } = await fileCsv(f.id);
            return {
              fileId: f.id,
              bankCode: f.bank_code,
              paymentCount,
              totalFen,
              createdAt: f.created_at,
              returnedAt: f.returned_at,
            };
          }),
        ),
        failures: await Promise.all(
          failed.map(async (p) => {
            const person = await deps.person(db, p.person_id);
            const pii = person ? readPii(deps.cipher, person) : undefined;
            return {
              ...failureView(p, lang),
              name: pii ? maskName(pii.name) : "",
              idNumber: person?.id_number_masked ?? "",
              cardNumber: p.card_number,
              amountFen: Number(p.amount_fen),
              attempts: Number(p.attempts),
              updatedAt: p.updated_at,
            };
          }),
        ),
      };
    },

    ...benefitBank({ ...deps, batchFor, summary, fileCsv, record }),

    /** The holder's benefits: each month's payment, paid or not, and what to do when not (hall, 12333). */
    async ofHolder(actor: Actor, lang: Language) {
      const personId = holderPersonId(actor);
      return (await repo.paymentsOfPerson(db, personId)).map((p) => ({
        kind: p.kind,
        kindText: BENEFIT_KINDS[p.kind][lang],
        period: p.period,
        amountFen: Number(p.amount_fen),
        state: p.state,
        cardNumber: p.card_number,
        paidAt: p.paid_at,
        ...failureView(p, lang),
      }));
    },
  };

  async function record(
    trx: Transaction<Database>,
    actor: Actor,
    grant: Grant,
    areaCode: string,
    p: Payment,
    action: string,
    after: object,
  ) {
    await audit.record(trx, actor, grant, {
      action,
      subjectType: "person",
      subjectId: p.person_id,
      areaCode,
      before: { paymentId: p.id, state: p.state, failure: p.failure },
      after: {
        paymentId: p.id,
        batchId: p.batch_id,
        kind: p.kind,
        period: p.period,
        amountFen: Number(p.amount_fen),
        ...after,
      },
    });
  }
}

export type BenefitsService = ReturnType<typeof createBenefitsService>;
