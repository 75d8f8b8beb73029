import { type Kysely, sql, type Transaction } from "kysely";
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
import type { CardRow, Database } from "../../db/schema.ts";
import type { CardState } from "./cards.rules.ts";

type Q = Kysely<Database> | Transaction<Database>;

const CARD_COLUMNS = [
  "id",
  "card_number",
  "card_id_code",
  "spec_version",
  "card_type",
  "person_id",
  "area_code",
  "state",
  "state_before_loss",
  "ss_function",
  "financial_function",
  "bank_code",
  "photo_ref",
  "application_kind",
  "application_channel",
  "replaces_card_id",
  "replacement_reason",
  "employer_code",
  "employer_name",
  "batch_id",
  "issue_date",
  "valid_until",
  "issued_to",
  "employer_letter_ref",
  "temp_certificate_no",
  "ready_date",
  "fee_fen",
  "temporarily_lost_at",
  "cancel_reason",
  "version",
  "created_at",
  "updated_at",
] as const satisfies readonly (keyof CardRow)[];

/** SQL for cards, their history, production batches, bank tasks and the working-day calendar. */
export function createCardsRepository(dialect: Dialect) {
  // Prepared queries are compiled for one dialect: each repository instance holds its own.
  const ofPersonLike = preparedQuery((q, personId: string, areaPattern: string) =>
    q
      .selectFrom("cards")
      .selectAll()
      .where("person_id", "=", personId)
      .where("area_code", "like", areaPattern),
  );
  const lockById = preparedLock(dialect, (q, id: string) =>
    q.selectFrom("cards").selectAll().where("id", "=", id),
  );
  const lockFree = preparedLockFree(dialect, (q, ids: ListParam) =>
    q
      .selectFrom("cards")
      .select(["id", "person_id", "card_number", "state", "area_code", "valid_until"])
      .where(inList(dialect, "id", ids)),
  );
  return {
    byId: preparedFirst((q, id: string) => q.selectFrom("cards").selectAll().where("id", "=", id)),

    /**
     * Of the cards `ids`, those no other transaction holds, held until this one ends (FOR UPDATE SKIP
     * LOCKED on PostgreSQL; SQLite's write transaction holds them all): the columns a settlement needs.
     */
    lockFreeByIds: (trx: Transaction<Database>, ids: readonly string[]) =>
      lockFree(trx, listParam(dialect, ids)),

    /** The card, held until the transaction ends on PostgreSQL (SQLite's write transaction already holds it). */
    lockById: (trx: Transaction<Database>, id: string): Promise<CardRow | undefined> => lockById(trx, id),

    byNumber: preparedFirst((q, cardNumber: string) =>
      q.selectFrom("cards").selectAll().where("card_number", "=", cardNumber),
    ),

    /** Records a card's personalisation: the key version its chip was personalised with. */
    recordPersonalisation: (trx: Transaction<Database>, cardIdCode: string, keyVersion: number, at: string) =>
      trx
        .updateTable("cards")
        .set({ key_version: keyVersion, personalised_at: at })
        .where("card_id_code", "=", cardIdCode)
        .execute(),
    byChipSerial: (q: Q, serial: string) =>
      q.selectFrom("cards").select("id").where("chip_serial", "=", serial).executeTakeFirst(),
    byIdCode: (q: Q, code: string) =>
      q.selectFrom("cards").selectAll().where("card_id_code", "=", code).executeTakeFirst(),

    ofPerson: (q: Q, personId: string): Promise<CardRow[]> =>
      q.selectFrom("cards").selectAll().where("person_id", "=", personId).orderBy("created_at").execute(),

    /** The person's cards in one province (area codes starting with its two digits). */
    ofPersonInProvince: (q: Q, personId: string, provincePrefix: string): Promise<CardRow[]> =>
      ofPersonLike(q, personId, `${provincePrefix}%`),

    insert: preparedInsert("cards", CARD_COLUMNS),

    /** Compare-and-set: applies the change only if the card still has `version`; false when it changed. */
    async update(
      trx: Transaction<Database>,
      id: string,
      version: number,
      changes: Partial<CardRow>,
    ): Promise<boolean> {
      const r = await trx
        .updateTable("cards")
        .set({ ...changes, version: version + 1 })
        .where("id", "=", id)
        .where("version", "=", version)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    /**
     * Appends a blacklist change with the next version. Callers write it after the change's audit
     * record, whose lock (the audit chain's) makes versions follow one another without gaps.
     */
    async appendBlacklistChange(
      trx: Transaction<Database>,
      row: Omit<Database["blacklist_changes"], "version">,
    ) {
      const last = await trx
        .selectFrom("blacklist_changes")
        .select((eb) => eb.fn.max("version").as("v"))
        .executeTakeFirst();
      await trx
        .insertInto("blacklist_changes")
        .values({ ...row, version: Number(last?.v ?? 0) + 1 })
        .execute();
    },

    blacklistSince: (q: Q, since: number, limit: number) =>
      q
        .selectFrom("blacklist_changes")
        .selectAll()
        .where("version", ">", since)
        .orderBy("version")
        .limit(limit)
        .execute(),

    insertEvent: preparedInsert("card_events", [
      "card_id",
      "seq",
      "at",
      "action",
      "from_state",
      "to_state",
      "actor_type",
      "actor_id",
      "actor_role",
      "channel",
      "details",
    ]),

    events: (q: Q, cardId: string) =>
      q.selectFrom("card_events").selectAll().where("card_id", "=", cardId).orderBy("seq").execute(),

    /** Cards of an area in a state, oldest first. */
    inState: (q: Q, areaCode: string, state: CardState, limit: number) =>
      q
        .selectFrom("cards")
        .selectAll()
        .where("area_code", "=", areaCode)
        .where("state", "=", state)
        .orderBy("created_at")
        .limit(limit)
        .execute(),

    inBatch: (q: Q, batchId: string) =>
      q.selectFrom("cards").selectAll().where("batch_id", "=", batchId).execute(),

    /** The replacement or renewal under way for a card, if any. */
    pendingSuccessor: (q: Q, cardId: string) =>
      q
        .selectFrom("cards")
        .selectAll()
        .where("replaces_card_id", "=", cardId)
        .where("state", "not in", ["cancelled", "expired"])
        .executeTakeFirst(),

    /** An area's production batches, newest first, with how many of each batch's cards are in each state. */
    async batchesOf(q: Q, areaCode: string, limit: number) {
      const batches = await q
        .selectFrom("production_batches")
        .selectAll()
        .where("area_code", "=", areaCode)
        .orderBy("created_at", "desc")
        .limit(limit)
        .execute();
      const counts = batches.length
        ? await q
            .selectFrom("cards")
            .select((eb) => ["batch_id", "state", eb.fn.countAll<number>().as("n")])
            .where(
              "batch_id",
              "in",
              batches.map((b) => b.id),
            )
            .groupBy(["batch_id", "state"])
            .execute()
        : [];
      return batches.map((b) => ({
        ...b,
        states: Object.fromEntries(
          counts.filter((c) => c.batch_id === b.id).map((c) => [c.state, Number(c.n)]),
        ),
      }));
    },
    insertBatch: (trx: Transaction<Database>, row: Database["production_batches"]) =>
      trx.insertInto("production_batches").values(row).execute(),

    batch: (q: Q, id: string) =>
      q.selectFrom("production_batches").selectAll().where("id", "=", id).executeTakeFirst(),

    markBatchReturned: (trx: Transaction<Database>, id: string, at: string) =>
      trx
        .updateTable("production_batches")
        .set({ status: "returned", returned_at: at })
        .where("id", "=", id)
        .execute(),

    insertBankTask: (trx: Transaction<Database>, row: Database["bank_tasks"]) =>
      trx.insertInto("bank_tasks").values(row).execute(),

    bankTask: (q: Q, id: string) =>
      q.selectFrom("bank_tasks").selectAll().where("id", "=", id).executeTakeFirst(),

    openBankTasks: (q: Q, bankCode: string) =>
      q
        .selectFrom("bank_tasks")
        .innerJoin("cards", "cards.id", "bank_tasks.card_id")
        .select([
          "bank_tasks.id",
          "bank_tasks.card_id",
          "bank_tasks.kind",
          "bank_tasks.reason",
          "bank_tasks.created_at",
          "cards.card_number",
          "cards.area_code",
        ])
        .where("bank_tasks.bank_code", "=", bankCode)
        .where("bank_tasks.status", "=", "open")
        .orderBy("bank_tasks.created_at")
        .execute(),

    async completeBankTask(trx: Transaction<Database>, id: string, by: string, at: string): Promise<boolean> {
      const r = await trx
        .updateTable("bank_tasks")
        .set({ status: "done", done_by: by, done_at: at })
        .where("id", "=", id)
        .where("status", "=", "open")
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    calendar: (q: Q, areaCodes: readonly string[], from: string) =>
      q
        .selectFrom("calendar_days")
        .selectAll()
        .where("area_code", "in", areaCodes)
        .where("date", ">=", from)
        .execute(),

    /** The calendar entries of these areas in a year, by date. */
    calendarOfYear: (q: Q, areaCodes: readonly string[], year: string) =>
      q
        .selectFrom("calendar_days")
        .selectAll()
        .where("area_code", "in", areaCodes)
        .where("date", ">=", `${year}-01-01`)
        .where("date", "<=", `${year}-12-31`)
        .orderBy("date")
        .execute(),

    /** Removes an area's own entry for a date; false when it had none. */
    deleteCalendarDay: async (trx: Transaction<Database>, areaCode: string, date: string) => {
      const r = await trx
        .deleteFrom("calendar_days")
        .where("area_code", "=", areaCode)
        .where("date", "=", date)
        .executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },

    /** Sets an area's entry for a date, replacing the one there (one statement, so two at once cannot collide). */
    upsertCalendarDay: async (trx: Transaction<Database>, row: Database["calendar_days"]) => {
      await trx
        .insertInto("calendar_days")
        .values(row)
        .onConflict((oc) => oc.columns(["area_code", "date"]).doUpdateSet({ kind: row.kind, name: row.name }))
        .execute();
    },

    /** Live cards whose validity ended before `date`. */
    pastValidity: (q: Q, date: string, limit: number) =>
      q
        .selectFrom("cards")
        .selectAll()
        .where("valid_until", "<", date)
        .where("state", "in", ["delivered", "archived", "active", "locked"])
        .limit(limit)
        .execute(),

    /** Live cards whose validity ends in [from, to]. */
    validUntilBetween: (q: Q, from: string, to: string) =>
      q
        .selectFrom("cards")
        .select(["id", "card_number", "area_code", "valid_until", "state"])
        .where("valid_until", ">=", from)
        .where("valid_until", "<=", to)
        .where("state", "in", ["archived", "active", "locked", "temporarily_lost"])
        .orderBy("valid_until")
        .execute(),

    temporarilyLostSince: (q: Q, before: string) =>
      q
        .selectFrom("cards")
        .selectAll()
        .where("state", "=", "temporarily_lost")
        .where("temporarily_lost_at", "<", before)
        .execute(),

    /** Persons holding more than one card in a province that counts against the one-card rule. */
    async personsWithSeveralCards(q: Q, provincePrefix?: string) {
      let query = q
        .selectFrom("cards")
        .select([
          "person_id",
          sql<string>`substr(area_code, 1, 2)`.as("province"),
          (eb) => eb.fn.countAll<number>().as("n"),
        ])
        // The cards that hold the person's one place in the province (see holdsProvinceSlot).
        .where("state", "not in", ["cancelled", "expired", "formally_lost"])
        .groupBy(["person_id", sql`substr(area_code, 1, 2)`])
        .having((eb) => eb.fn.countAll(), ">", 1);
      if (provincePrefix) query = query.where("area_code", "like", `${provincePrefix}%`);
      return query.execute();
    },
  };
}

export type CardsRepository = ReturnType<typeof createCardsRepository>;
