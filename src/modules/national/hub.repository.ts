import { type Insertable, type Kysely, sql, type Transaction } from "kysely";
import type { HubDatabase } from "./hub.tables.ts";
import type { NationalCard } from "./national.rules.ts";

type Q = Kysely<HubDatabase> | Transaction<HubDatabase>;

/**
 * The hub's SQL. Every statement on the hot paths names its distribution column (`national_index` or
 * `card_number`), so on Citus each is routed to one shard; a transaction that touches a person and a
 * card route is committed on both shards by Citus's two-phase commit.
 */
export function createHubRepository() {
  const cardOf = (r: HubDatabase["hub_person_cards"]): NationalCard & { nationalIndex: string } => ({
    nationalIndex: r.national_index,
    cardNumber: r.card_number,
    province: r.province,
    state: r.state as NationalCard["state"],
    version: Number(r.version),
  });
  /** A day's settlements between each pair of provinces, one of them `province`. */
  async function settledPairs(q: Q, day: string, province: string) {
    const rows = await q
      .selectFrom("hub_settlements")
      .select((eb) => [
        "treating_province",
        "home_province",
        eb.fn.countAll<number>().as("n"),
        eb.fn.sum<number>("account_fen").as("account_fen"),
        eb.fn.sum<number>("total_fen").as("total_fen"),
      ])
      .where("day", "=", day)
      .where((w) => w.or([w("treating_province", "=", province), w("home_province", "=", province)]))
      .groupBy(["treating_province", "home_province"])
      .orderBy("treating_province")
      .orderBy("home_province")
      .execute();
    return rows.map((r) => ({
      treatingProvince: r.treating_province,
      homeProvince: r.home_province,
      count: Number(r.n),
      accountFen: Number(r.account_fen),
      totalFen: Number(r.total_fen),
    }));
  }
  return {
    /**
     * The person's row, created when first met, held to the end of the transaction: one statement (an
     * upsert takes the row's lock on PostgreSQL; SQLite's write transaction holds the whole file).
     */
    lockPerson: (trx: Transaction<HubDatabase>, nationalIndex: string, at: string) =>
      trx
        .insertInto("hub_persons")
        .values({ national_index: nationalIndex, reserved_province: null, reserved_at: null, updated_at: at })
        .onConflict((oc) =>
          oc.column("national_index").doUpdateSet({ updated_at: (eb) => eb.ref("excluded.updated_at") }),
        )
        .returningAll()
        .executeTakeFirstOrThrow(),

    setReservation: (trx: Q, nationalIndex: string, province: string | null, at: string) =>
      trx
        .updateTable("hub_persons")
        .set({ reserved_province: province, reserved_at: province ? at : null, updated_at: at })
        .where("national_index", "=", nationalIndex)
        .execute(),

    async cardsOf(q: Q, nationalIndex: string) {
      const rows = await q
        .selectFrom("hub_person_cards")
        .selectAll()
        .where("national_index", "=", nationalIndex)
        .orderBy("updated_at")
        .execute();
      return rows.map(cardOf);
    },

    /** Writes a card's state unless the hub has that version or a later one: 1 when written, 0 when stale. */
    async putCard(trx: Q, nationalIndex: string, card: NationalCard, at: string): Promise<number> {
      const r = await trx
        .insertInto("hub_person_cards")
        .values({
          national_index: nationalIndex,
          card_number: card.cardNumber,
          province: card.province,
          state: card.state,
          version: card.version,
          updated_at: at,
        })
        .onConflict((oc) =>
          oc
            .columns(["national_index", "card_number"])
            .doUpdateSet({
              state: (eb) => eb.ref("excluded.state"),
              version: (eb) => eb.ref("excluded.version"),
              updated_at: (eb) => eb.ref("excluded.updated_at"),
            })
            .where("hub_person_cards.version", "<", (eb) => eb.ref("excluded.version")),
        )
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0);
    },

    /** The card's route with its state at the version just written (one row to read for a cross-province request). */
    putRoute: (trx: Q, route: Insertable<HubDatabase["hub_card_routes"]>) =>
      trx
        .insertInto("hub_card_routes")
        .values(route)
        .onConflict((oc) =>
          oc
            .column("card_number")
            .doUpdateSet({
              state: (eb) => eb.ref("excluded.state"),
              version: (eb) => eb.ref("excluded.version"),
            })
            .where("hub_card_routes.version", "<", (eb) => eb.ref("excluded.version")),
        )
        .execute(),

    /**
     * Writes a card's e-card state (on the person's card and the card's route) unless the hub has that
     * status version or a later one: 1 when written, 0 when stale or the card is not there.
     */
    async putEcard(
      trx: Q,
      nationalIndex: string,
      cardNumber: string,
      ecard: { ecardId: string; sv: number; usable: boolean },
    ): Promise<number> {
      const r = await trx
        .updateTable("hub_person_cards")
        .set({ ecard_id: ecard.ecardId, ecard_sv: ecard.sv, ecard_usable: ecard.usable ? 1 : 0 })
        .where("national_index", "=", nationalIndex)
        .where("card_number", "=", cardNumber)
        .where((w) => w.or([w("ecard_sv", "is", null), w("ecard_sv", "<", ecard.sv)]))
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) return 0;
      await trx
        .updateTable("hub_card_routes")
        .set({ ecard_sv: ecard.sv, ecard_usable: ecard.usable ? 1 : 0 })
        .where("card_number", "=", cardNumber)
        .execute();
      return 1;
    },

    /**
     * Appends a province's e-card status entries to the national list in the caller's transaction: the
     * province's cursor row is held (an upsert), so its entries are numbered in the order they commit
     * and a reader never skips one. An entry the list has (the same e-card and status version) is not
     * added twice. Every statement names the province: one shard.
     */
    async appendStatus(
      trx: Transaction<HubDatabase>,
      province: string,
      entries: readonly { ecardId: string; sv: number; usable: boolean }[],
      at: string,
    ): Promise<number> {
      const cursor = await trx
        .insertInto("hub_ecard_cursors")
        .values({ province, seq: 0 })
        .onConflict((oc) =>
          oc.column("province").doUpdateSet({ seq: (eb) => eb.ref("hub_ecard_cursors.seq") }),
        )
        .returning("seq")
        .executeTakeFirstOrThrow();
      const from = Number(cursor.seq);
      const added = await trx
        .insertInto("hub_ecard_status")
        .values(
          entries.map((e, i) => ({
            province,
            seq: from + i + 1,
            ecard_id: e.ecardId,
            sv: e.sv,
            usable: e.usable ? 1 : 0,
            at,
          })),
        )
        .onConflict((oc) => oc.columns(["province", "ecard_id", "sv"]).doNothing())
        .returning("seq")
        .execute();
      if (added.length === 0) return 0;
      await trx
        .updateTable("hub_ecard_cursors")
        .set({ seq: Math.max(...added.map((a) => Number(a.seq))) })
        .where("province", "=", province)
        .execute();
      return added.length;
    },

    /** A province's status entries after `seq`, in order (one shard). */
    statusAfter: (q: Q, province: string, seq: number, limit: number) =>
      q
        .selectFrom("hub_ecard_status")
        .select(["seq", "ecard_id", "sv", "usable"])
        .where("province", "=", province)
        .where("seq", ">", seq)
        .orderBy("seq")
        .limit(limit)
        .execute(),

    /** Each province's last entry in the status list (a few dozen rows, read on every shard). */
    async statusCursors(q: Q): Promise<Map<string, number>> {
      const rows = await q.selectFrom("hub_ecard_cursors").selectAll().execute();
      return new Map(rows.map((r) => [r.province, Number(r.seq)]));
    },

    /** Whether an area is one of a province's (a reference table: read on the node the statement runs on). */
    async isAreaOf(q: Q, areaCode: string, province: string) {
      const r = await q
        .selectFrom("hub_areas")
        .select("code")
        .where("code", "=", areaCode)
        .where("province", "=", province)
        .executeTakeFirst();
      return r !== undefined;
    },

    route: (q: Q, cardNumber: string) =>
      q.selectFrom("hub_card_routes").selectAll().where("card_number", "=", cardNumber).executeTakeFirst(),

    /** Records a settlement once (a retry of the same hospital's key finds it there). */
    recordSettlement: (q: Q, row: HubDatabase["hub_settlements"]) =>
      q
        .insertInto("hub_settlements")
        .values(row)
        .onConflict((oc) => oc.column("key").doNothing())
        .execute(),

    /** A settlement as recorded, by its key (one shard). */
    settlementByKey: (q: Q, key: string) =>
      q.selectFrom("hub_settlements").selectAll().where("key", "=", key).executeTakeFirst(),

    /** Records a refund once (a retry of the same hospital's key finds it there). */
    recordRefund: (q: Q, row: HubDatabase["hub_refunds"]) =>
      q
        .insertInto("hub_refunds")
        .values(row)
        .onConflict((oc) => oc.column("key").doNothing())
        .execute(),

    /**
     * A day's settlements between each pair of provinces, one of them `province` (count and account
     * money), and the day's refunds of each pair (count and account money returned).
     */
    async netting(q: Q, day: string, province: string) {
      const [settled, refunds] = await Promise.all([
        settledPairs(q, day, province),
        q
          .selectFrom("hub_refunds")
          .select((eb) => [
            "treating_province",
            "home_province",
            eb.fn.countAll<number>().as("n"),
            eb.fn.sum<number>("account_fen").as("account_fen"),
          ])
          .where("day", "=", day)
          .where((w) => w.or([w("treating_province", "=", province), w("home_province", "=", province)]))
          .groupBy(["treating_province", "home_province"])
          .execute(),
      ]);
      return {
        settled,
        refunds: refunds.map((r) => ({
          treatingProvince: r.treating_province,
          homeProvince: r.home_province,
          count: Number(r.n),
          accountFen: Number(r.account_fen),
        })),
      };
    },

    /**
     * The cards of persons with slot-holding cards in more than one province, one of them `province`.
     * A report, not a hot path: on Citus the grouping runs on every shard in parallel (grouped by the
     * distribution column, so each shard answers for its own persons).
     */
    async duplicateCandidates(q: Q, province: string, slotStates: readonly string[]) {
      const persons = q
        .selectFrom("hub_person_cards")
        .select("national_index")
        .where("state", "in", slotStates)
        .groupBy("national_index")
        .having(sql`count(distinct province)`, ">", 1)
        .having(sql`sum(case when province = ${province} then 1 else 0 end)`, ">", 0);
      const rows = await q
        .selectFrom("hub_person_cards")
        .selectAll()
        .where("national_index", "in", persons)
        .orderBy("national_index")
        .orderBy("updated_at")
        .limit(10_000)
        .execute();
      return rows.map(cardOf);
    },
  };
}

export type HubRepository = ReturnType<typeof createHubRepository>;
