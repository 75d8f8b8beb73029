import type { Kysely, Transaction } from "kysely";
import type { Dialect } from "../../db/database.ts";
import {
  inList,
  type ListParam,
  listParam,
  preparedFirst,
  preparedInsert,
  preparedLock,
  preparedLockFree,
  preparedQuery,
} from "../../db/prepared.ts";
import type { Database } from "../../db/schema.ts";

type Q = Kysely<Database>;

const SETTLEMENT_COLUMNS = [
  "id",
  "institution_id",
  "idempotency_key",
  "request_hash",
  "person_id",
  "card_id",
  "terminal_no",
  "medium",
  "catalogue_version",
  "total_fen",
  "covered_fen",
  "account_fen",
  "self_fen",
  "refunded_account_fen",
  "refunded_self_fen",
  "state",
  "journal_id",
  "day",
  "at",
] as const satisfies readonly (keyof Database["settlements"])[];
const ITEM_COLUMNS = [
  "settlement_id",
  "line",
  "code",
  "name",
  "class",
  "quantity",
  "unit_price_fen",
  "amount_fen",
  "covered_fen",
  "account_fen",
  "self_fen",
  "refunded_quantity",
] as const satisfies readonly (keyof Database["settlement_items"])[];

/** SQL for the medical personal account: institutions, the catalogue, accounts and ledger, contributions, settlements. */
export function createMedicalRepository(dialect: Dialect) {
  // Settlements take these on every request: compiled once (see prepared.ts).
  const lockSettlement = preparedLock(dialect, (q, id: string) =>
    q.selectFrom("settlements").selectAll().where("id", "=", id),
  );
  const lockFreeAccounts = preparedLockFree(dialect, (q, personIds: ListParam) =>
    q
      .selectFrom("medical_accounts")
      .select(["person_id", "balance_fen"])
      .where(inList(dialect, "person_id", personIds)),
  );
  const accountsAmong = preparedQuery((q, personIds: ListParam) =>
    q
      .selectFrom("medical_accounts")
      .select("person_id")
      .where(inList(dialect, "person_id", personIds)),
  );
  const addToAccounts = preparedInsert(
    "medical_accounts",
    ["person_id", "area_code", "balance_fen", "updated_at"],
    { key: "person_id", add: ["balance_fen"], set: ["updated_at"] },
  );
  const insertSettlementRows = preparedInsert("settlements", SETTLEMENT_COLUMNS);
  const insertItems = preparedInsert("settlement_items", ITEM_COLUMNS);
  return {
    institutionByCode: (q: Q, code: string) =>
      q.selectFrom("institutions").selectAll().where("code", "=", code).executeTakeFirst(),
    institutionById: (q: Q, id: string) =>
      q.selectFrom("institutions").selectAll().where("id", "=", id).executeTakeFirst(),
    institutionsIn: (q: Q, areaPrefix: string) =>
      q
        .selectFrom("institutions")
        .selectAll()
        .where("area_code", "like", `${areaPrefix}%`)
        .orderBy("code")
        .execute(),
    insertInstitution: (trx: Transaction<Database>, row: Database["institutions"]) =>
      trx.insertInto("institutions").values(row).execute(),
    setAgreement: (trx: Transaction<Database>, id: string, from: string, until: string) =>
      trx
        .updateTable("institutions")
        .set({ agreement_from: from, agreement_until: until })
        .where("id", "=", id)
        .execute(),

    /** The catalogue version in force on a day: the latest effective date not after it. */
    catalogueInForce: (q: Q, day: string) =>
      q
        .selectFrom("catalogue_versions")
        .selectAll()
        .where("effective_from", "<=", day)
        .orderBy("effective_from", "desc")
        .orderBy("version", "desc")
        .limit(1)
        .executeTakeFirst(),
    catalogueVersions: (q: Q) => q.selectFrom("catalogue_versions").selectAll().orderBy("version").execute(),
    /**
     * Items of a version whose code begins with, or whose name contains, `text` (the till's search).
     * LIKE's wildcards are not search terms: a text of nothing but them finds nothing, not everything.
     */
    async catalogueItemsLike(q: Q, version: number, text: string, limit: number) {
      const words = text.trim().replace(/[\\%_]/g, "");
      if (!words) return [];
      return q
        .selectFrom("catalogue_items")
        .selectAll()
        .where("version", "=", version)
        .where((eb) => eb.or([eb("code", "like", `${words}%`), eb("name", "like", `%${words}%`)]))
        .orderBy("code")
        .limit(limit)
        .execute();
    },
    catalogueItems: (q: Q, version: number, codes: readonly string[]) =>
      codes.length === 0
        ? Promise.resolve([])
        : q
            .selectFrom("catalogue_items")
            .selectAll()
            .where("version", "=", version)
            .where("code", "in", codes)
            .execute(),
    async nextCatalogueVersion(trx: Transaction<Database>): Promise<number> {
      const row = await trx
        .selectFrom("catalogue_versions")
        .select((eb) => eb.fn.max("version").as("v"))
        .executeTakeFirst();
      return Number(row?.v ?? 0) + 1;
    },
    async insertCatalogue(
      trx: Transaction<Database>,
      version: Database["catalogue_versions"],
      items: Database["catalogue_items"][],
    ) {
      await trx.insertInto("catalogue_versions").values(version).execute();
      for (let i = 0; i < items.length; i += 500)
        await trx
          .insertInto("catalogue_items")
          .values(items.slice(i, i + 500))
          .execute();
    },

    account: (q: Q, personId: string) =>
      q.selectFrom("medical_accounts").selectAll().where("person_id", "=", personId).executeTakeFirst(),
    /**
     * Of the accounts of `personIds`, the balances of those no other transaction holds, held until this
     * one ends (FOR UPDATE SKIP LOCKED on PostgreSQL), and the persons whose account is held elsewhere.
     * A person without an account is in neither.
     */
    async lockFreeAccounts(
      trx: Transaction<Database>,
      personIds: readonly string[],
    ): Promise<{ balances: Map<string, number>; busy: Set<string> }> {
      const rows = await lockFreeAccounts(trx, listParam(dialect, personIds));
      const balances = new Map(rows.map((r) => [r.person_id, Number(r.balance_fen)]));
      const busy = new Set<string>();
      const missing = personIds.filter((p) => !balances.has(p));
      if (dialect === "postgres" && missing.length)
        for (const r of await accountsAmong(trx, listParam(dialect, missing))) busy.add(r.person_id);
      return { balances, busy };
    },
    /** Adds `deltaFen` to the account's balance, opening the account at the first credit. */
    addToAccount: (
      trx: Transaction<Database>,
      personId: string,
      areaCode: string,
      deltaFen: number,
      at: string,
    ) =>
      addToAccounts(trx, { person_id: personId, area_code: areaCode, balance_fen: deltaFen, updated_at: at }),
    /** Adds each row's `balance_fen` to its person's account (one row per person), opening accounts at the first credit. */
    addToAccounts,
    insertEntries: preparedInsert("ledger_entries", [
      "id",
      "journal_id",
      "account",
      "amount_fen",
      "kind",
      "day",
      "at",
    ]),
    entries: (q: Q, account: string, fromDay: string, toDay: string) =>
      q
        .selectFrom("ledger_entries")
        .selectAll()
        .where("account", "=", account)
        .where("day", ">=", fromDay)
        .where("day", "<=", toDay)
        .orderBy("seq")
        .execute(),
    /** The sum of the ledger's entries: of one account when given, before a day when given (zero: the books balance). */
    async sumOf(q: Q, filter: { account?: string; beforeDay?: string } = {}): Promise<number> {
      let query = q.selectFrom("ledger_entries").select((eb) => eb.fn.sum<number>("amount_fen").as("s"));
      if (filter.account) query = query.where("account", "=", filter.account);
      if (filter.beforeDay) query = query.where("day", "<", filter.beforeDay);
      return Number((await query.executeTakeFirst())?.s ?? 0);
    },

    contribution: (q: Q, personId: string, area: string, month: string) =>
      q
        .selectFrom("contributions")
        .selectAll()
        .where("person_id", "=", personId)
        .where("coordination_area", "=", area)
        .where("month", "=", month)
        .executeTakeFirst(),
    insertContribution: (trx: Transaction<Database>, row: Database["contributions"]) =>
      trx.insertInto("contributions").values(row).execute(),
    /** A person's latest contributions, newest month first. */
    contributionsOf: (q: Q, personId: string, limit: number) =>
      q
        .selectFrom("contributions")
        .select(["month", "coordination_area", "payer", "employer_fen", "personal_fen", "paid_at"])
        .where("person_id", "=", personId)
        .orderBy("month", "desc")
        .limit(limit)
        .execute(),
    paidMonths: (q: Q, personId: string, area: string) =>
      q
        .selectFrom("contributions")
        .select("month")
        .where("person_id", "=", personId)
        .where("coordination_area", "=", area)
        .execute(),
    /** Paid contributions of a month in the areas under a prefix whose account share is not credited yet, `limit` at a time. */
    uncredited: (q: Q, month: string, areaPrefix: string, limit: number) =>
      q
        .selectFrom("contributions as c")
        .leftJoin("account_credits as a", (j) =>
          j.onRef("a.person_id", "=", "c.person_id").onRef("a.month", "=", "c.month"),
        )
        .select(["c.person_id", "c.coordination_area", "c.month", "c.account_share_fen"])
        .where("c.month", "=", month)
        .where("c.coordination_area", "like", `${areaPrefix}%`)
        .where("a.person_id", "is", null)
        .orderBy("c.person_id")
        .limit(limit)
        .execute(),
    insertCredit: (trx: Transaction<Database>, row: Database["account_credits"]) =>
      trx.insertInto("account_credits").values(row).execute(),
    credits: (q: Q, personId: string) =>
      q
        .selectFrom("account_credits")
        .selectAll()
        .where("person_id", "=", personId)
        .orderBy("month", "desc")
        .limit(24)
        .execute(),

    settlementByKey: preparedFirst((q, institutionId: string, key: string) =>
      q
        .selectFrom("settlements")
        .selectAll()
        .where("institution_id", "=", institutionId)
        .where("idempotency_key", "=", key),
    ),
    /**
     * A settlement by card, in one round trip: the card with this number, and whether the institution
     * settled under the idempotency key already (undefined when there is no such card).
     */
    settlementById: (q: Q, id: string) =>
      q.selectFrom("settlements").selectAll().where("id", "=", id).executeTakeFirst(),
    /** The settlement, held until the transaction ends (a refund at a time). */
    lockSettlement: (trx: Transaction<Database>, id: string) => lockSettlement(trx, id),
    settlementItems: (q: Q, id: string) =>
      q.selectFrom("settlement_items").selectAll().where("settlement_id", "=", id).orderBy("line").execute(),
    itemsOf: (q: Q, ids: readonly string[]) =>
      ids.length === 0
        ? Promise.resolve([])
        : q
            .selectFrom("settlement_items")
            .selectAll()
            .where("settlement_id", "in", ids)
            .orderBy("line")
            .execute(),
    /** Settlements with their items (of any number of settlements). */
    async insertSettlements(
      trx: Transaction<Database>,
      rows: readonly Database["settlements"][],
      items: readonly Database["settlement_items"][],
    ) {
      await insertSettlementRows(trx, rows);
      await insertItems(trx, items);
    },
    /** A person's newest settlements with the name of the institution of each. */
    settlementsOfPerson: (q: Q, personId: string, limit: number) =>
      q
        .selectFrom("settlements as s")
        .innerJoin("institutions as i", "i.id", "s.institution_id")
        .selectAll("s")
        .select("i.name as institution_name")
        .where("s.person_id", "=", personId)
        .orderBy("s.at", "desc")
        .limit(limit)
        .execute(),
    /** The copy of a cross-province settlement, once per institution and key (a retry writes nothing). */
    insertRemoteSettlement: (trx: Transaction<Database>, row: Database["remote_settlements"]) =>
      trx
        .insertInto("remote_settlements")
        .values(row)
        .onConflict((oc) => oc.columns(["institution_id", "idempotency_key"]).doNothing())
        .executeTakeFirst()
        .then((r) => Number(r.numInsertedOrUpdatedRows ?? 0)),
    /** An institution's cross-province settlements of a day (this province's copies), in order. */
    dayRemoteSettlements: (q: Q, institutionId: string, day: string) =>
      q
        .selectFrom("remote_settlements")
        .selectAll()
        .where("institution_id", "=", institutionId)
        .where("day", "=", day)
        .orderBy("at")
        .execute(),
    remoteSettlementById: (q: Q, id: string) =>
      q.selectFrom("remote_settlements").selectAll().where("id", "=", id).executeTakeFirst(),
    refundByKey: (q: Q, settlementId: string, key: string) =>
      q
        .selectFrom("settlement_refunds")
        .selectAll()
        .where("settlement_id", "=", settlementId)
        .where("idempotency_key", "=", key)
        .executeTakeFirst(),
    insertRefund: (trx: Transaction<Database>, row: Database["settlement_refunds"]) =>
      trx.insertInto("settlement_refunds").values(row).execute(),
    setRefunded: (trx: Transaction<Database>, id: string, set: Partial<Database["settlements"]>) =>
      trx.updateTable("settlements").set(set).where("id", "=", id).execute(),
    setItemRefunded: (trx: Transaction<Database>, id: string, line: number, quantity: number) =>
      trx
        .updateTable("settlement_items")
        .set({ refunded_quantity: quantity })
        .where("settlement_id", "=", id)
        .where("line", "=", line)
        .execute(),

    /** A day's settlements of an institution by catalogue class (amounts as settled). */
    dayByClass: (q: Q, institutionId: string, day: string) =>
      q
        .selectFrom("settlement_items as i")
        .innerJoin("settlements as s", "s.id", "i.settlement_id")
        .select((eb) => [
          "i.class",
          eb.fn.sum<number>("i.amount_fen").as("amount"),
          eb.fn.sum<number>("i.covered_fen").as("covered"),
          eb.fn.sum<number>("i.account_fen").as("account"),
          eb.fn.sum<number>("i.self_fen").as("self"),
        ])
        .where("s.institution_id", "=", institutionId)
        .where("s.day", "=", day)
        .groupBy("i.class")
        .execute(),
    daySettlements: (q: Q, institutionId: string, day: string) =>
      q
        .selectFrom("settlements")
        .select([
          "id",
          "idempotency_key",
          "terminal_no",
          "medium",
          "total_fen",
          "account_fen",
          "self_fen",
          "state",
          "at",
        ])
        .where("institution_id", "=", institutionId)
        .where("day", "=", day)
        .orderBy("at")
        .execute(),
    dayRefunds: (q: Q, institutionId: string, day: string) =>
      q
        .selectFrom("settlement_refunds as r")
        .innerJoin("settlements as s", "s.id", "r.settlement_id")
        .select((eb) => [
          eb.fn.countAll<number>().as("n"),
          eb.fn.sum<number>("r.account_fen").as("account"),
          eb.fn.sum<number>("r.self_fen").as("self"),
        ])
        .where("s.institution_id", "=", institutionId)
        .where("r.day", "=", day)
        .executeTakeFirst(),
  };
}

export type MedicalRepository = ReturnType<typeof createMedicalRepository>;
