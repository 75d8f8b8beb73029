import { type Kysely, sql, type Transaction } from "kysely";
import type { Dialect } from "../../db/database.ts";
import {
  inList,
  type ListParam,
  listParam,
  preparedFirst,
  preparedInsert,
  preparedQuery,
} from "../../db/prepared.ts";
import type { Database } from "../../db/schema.ts";
import { type EnrolmentStatus, SCHEMES, type Scheme, type StandingFacts } from "./enrolment.rules.ts";

const MEDICAL_SCHEMES = (Object.keys(SCHEMES) as Scheme[]).filter((s) => SCHEMES[s].family === "medical");

type Q = Kysely<Database> | Transaction<Database>;

/** SQL for enrolments, personal numbers and their aliases, arrears and the card-check log. */
export function createEnrolmentRepository(dialect: Dialect) {
  /** Arrears in force on `today`: begun by then and not ended. */
  const arrearsOn = (q: Q, today: string) =>
    q
      .selectFrom("arrears")
      .where("from_date", "<=", today)
      .where((w) => w.or([w("to_date", "is", null), w("to_date", ">", today)]));
  const arrearsAmong = preparedQuery((q, personIds: ListParam, today: string) =>
    arrearsOn(q, today)
      .select(["person_id", "coordination_area"])
      .where(inList(dialect, "person_id", personIds)),
  );
  const medicalEnrolmentsAmong = preparedQuery((q, personIds: ListParam) =>
    q
      .selectFrom("enrolments")
      .select(["person_id", "coordination_area", "scheme", "status", "area_code", "personal_number"])
      .where(inList(dialect, "person_id", personIds))
      .where("scheme", "in", MEDICAL_SCHEMES),
  );
  const openNumbersAmong = preparedQuery((q, personIds: ListParam) =>
    q
      .selectFrom("personal_numbers")
      .select(["person_id", "coordination_area", "number"])
      .where(inList(dialect, "person_id", personIds))
      .where("merged_into", "is", null),
  );
  const insertCheckRows = preparedInsert("card_checks", [
    "id",
    "card_number",
    "card_id",
    "at",
    "actor_id",
    "actor_name",
    "actor_role",
    "channel",
    "result",
    "place",
  ]);
  return {
    /**
     * What the online check would know of each person's insurance, for several persons at once (a
     * settlement batch): by `person|coordination area`, their medical enrolments, unmerged personal
     * numbers and whether arrears are in force on the day. Three reads, whatever the number of persons.
     */
    async standingAmong(
      q: Q,
      personIds: readonly string[],
      day: string,
    ): Promise<Map<string, StandingFacts>> {
      const ids = listParam(dialect, personIds);
      const [enrolments, numbers, arrears] = [
        await medicalEnrolmentsAmong(q, ids),
        await openNumbersAmong(q, ids),
        await arrearsAmong(q, ids, day),
      ];
      const out = new Map<
        string,
        {
          enrolments: StandingFacts["enrolments"][number][];
          unmergedNumbers: string[];
          arrearsActive: boolean;
        }
      >();
      const of = (person: string, area: string) => {
        const key = `${person}|${area}`;
        let facts = out.get(key);
        if (!facts) {
          facts = { enrolments: [], unmergedNumbers: [], arrearsActive: false };
          out.set(key, facts);
        }
        return facts;
      };
      for (const e of enrolments)
        of(e.person_id, e.coordination_area).enrolments.push({
          scheme: e.scheme as Scheme,
          areaCode: e.area_code,
          status: e.status,
          personalNumber: e.personal_number,
        });
      for (const n of numbers) of(n.person_id, n.coordination_area).unmergedNumbers.push(n.number);
      for (const a of arrears) of(a.person_id, a.coordination_area).arrearsActive = true;
      return out;
    },
    /**
     * What the online check needs of a person in one coordination area, in one statement: the enrolments
     * (kind e), the personal numbers (n) and whether arrears are in force on `today` (a). One round trip
     * instead of three, on the path every hospital and pharmacy takes before a settlement.
     */
    checkFacts: preparedQuery((q, personId: string, area: string, today: string) =>
      q
        .selectFrom("enrolments")
        .select([
          sql<"e" | "n" | "a">`'e'`.as("kind"),
          "scheme",
          "area_code",
          "status",
          "personal_number as number",
          sql<string | null>`null`.as("merged_into"),
          "created_at",
        ])
        .where("person_id", "=", personId)
        .where("coordination_area", "=", area)
        .unionAll(
          q
            .selectFrom("personal_numbers")
            .select([
              sql<"e" | "n" | "a">`'n'`.as("kind"),
              sql<string>`null`.as("scheme"),
              sql<string>`null`.as("area_code"),
              sql<EnrolmentStatus>`null`.as("status"),
              "number",
              "merged_into",
              "created_at",
            ])
            .where("person_id", "=", personId)
            .where("coordination_area", "=", area),
        )
        .unionAll(
          arrearsOn(q, today)
            .select([
              sql<"e" | "n" | "a">`'a'`.as("kind"),
              sql<string>`null`.as("scheme"),
              sql<string>`null`.as("area_code"),
              sql<EnrolmentStatus>`null`.as("status"),
              sql<string>`null`.as("number"),
              sql<string | null>`null`.as("merged_into"),
              "created_at",
            ])
            .where("person_id", "=", personId)
            .where("coordination_area", "=", area),
        )
        .orderBy("kind")
        .orderBy("created_at"),
    ),
    numbersOf: preparedQuery((q, personId: string, area: string) =>
      q
        .selectFrom("personal_numbers")
        .selectAll()
        .where("person_id", "=", personId)
        .where("coordination_area", "=", area)
        .orderBy("created_at"),
    ),
    number: (q: Q, number: string) =>
      q.selectFrom("personal_numbers").selectAll().where("number", "=", number).executeTakeFirst(),
    insertNumber: (trx: Transaction<Database>, row: Database["personal_numbers"]) =>
      trx.insertInto("personal_numbers").values(row).execute(),
    mergeNumber: (trx: Transaction<Database>, number: string, into: string, at: string) =>
      trx
        .updateTable("personal_numbers")
        .set({ merged_into: into, merged_at: at })
        .where("number", "=", number)
        .where("merged_into", "is", null)
        .executeTakeFirst(),
    markSurvivor: (trx: Transaction<Database>, number: string) =>
      trx.updateTable("personal_numbers").set({ kind: "merged" }).where("number", "=", number).execute(),

    enrolmentsOf: preparedQuery((q, personId: string, area: string) =>
      q
        .selectFrom("enrolments")
        .selectAll()
        .where("person_id", "=", personId)
        .where("coordination_area", "=", area)
        .orderBy("created_at"),
    ),
    enrolmentsOfPerson: (q: Q, personId: string) =>
      q
        .selectFrom("enrolments")
        .selectAll()
        .where("person_id", "=", personId)
        .orderBy("created_at")
        .execute(),
    enrolment: (q: Q, id: string) =>
      q.selectFrom("enrolments").selectAll().where("id", "=", id).executeTakeFirst(),
    insertEnrolment: (trx: Transaction<Database>, row: Database["enrolments"]) =>
      trx.insertInto("enrolments").values(row).execute(),
    /** Compare-and-set on the version: false when someone changed the enrolment first. */
    async setStatus(
      trx: Transaction<Database>,
      id: string,
      version: number,
      change: { status: EnrolmentStatus; status_reason: string | null; updated_at: string },
    ) {
      const r = await trx
        .updateTable("enrolments")
        .set({ ...change, version: version + 1 })
        .where("id", "=", id)
        .where("version", "=", version)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    /** Appends an event to an enrolment's history, numbered after the last one (the person is locked). */
    async insertEvent(trx: Transaction<Database>, row: Omit<Database["enrolment_events"], "seq">) {
      const last = await trx
        .selectFrom("enrolment_events")
        .select((e) => e.fn.max("seq").as("seq"))
        .where("enrolment_id", "=", row.enrolment_id)
        .executeTakeFirst();
      await trx
        .insertInto("enrolment_events")
        .values({ ...row, seq: Number(last?.seq ?? 0) + 1 })
        .execute();
    },
    eventsOf: (q: Q, enrolmentIds: readonly string[]) =>
      enrolmentIds.length === 0
        ? Promise.resolve([])
        : q
            .selectFrom("enrolment_events")
            .selectAll()
            .where("enrolment_id", "in", enrolmentIds)
            .orderBy("enrolment_id")
            .orderBy("seq")
            .execute(),

    arrearsActive: preparedFirst((q, personId: string, area: string, today: string) =>
      arrearsOn(q, today)
        .select("id")
        .where("person_id", "=", personId)
        .where("coordination_area", "=", area),
    ),
    /** A person's arrears in force on `today`, in every coordination area. */
    arrearsOfPerson: (q: Q, personId: string, today: string) =>
      arrearsOn(q, today).selectAll().where("person_id", "=", personId).orderBy("from_date").execute(),
    arrears: (q: Q, id: string) =>
      q.selectFrom("arrears").selectAll().where("id", "=", id).executeTakeFirst(),
    /** Active employee medical enrolments (monthly contributions) in the areas under a prefix: person, area, first month. */
    medicalEnrolments: (q: Q, areaPrefix: string) =>
      q
        .selectFrom("enrolments")
        .select((eb) => ["person_id", "coordination_area", eb.fn.min<string>("start_date").as("start_date")])
        .where("scheme", "=", "employee_medical")
        .where("status", "=", "active")
        .where("coordination_area", "like", `${areaPrefix}%`)
        .groupBy(["person_id", "coordination_area"])
        .orderBy("person_id")
        .execute(),
    async medicalStartMonth(q: Q, personId: string, area: string): Promise<string | undefined> {
      const row = await q
        .selectFrom("enrolments")
        .select((eb) => eb.fn.min<string>("start_date").as("start"))
        .where("person_id", "=", personId)
        .where("coordination_area", "=", area)
        .where("scheme", "=", "employee_medical")
        .where("status", "=", "active")
        .executeTakeFirst();
      return row?.start ? row.start.slice(0, 7) : undefined;
    },
    insertArrears: (trx: Transaction<Database>, row: Database["arrears"]) =>
      trx.insertInto("arrears").values(row).execute(),
    endArrears: (trx: Transaction<Database>, id: string, toDate: string) =>
      trx
        .updateTable("arrears")
        .set({ to_date: toDate })
        .where("id", "=", id)
        .where("to_date", "is", null)
        .executeTakeFirst(),

    /** A group of check-log rows, in statements of fixed sizes (preparedInsert). */
    insertChecks: async (trx: Transaction<Database>, rows: readonly Database["card_checks"][]) => {
      if (rows.length) await insertCheckRows(trx, rows);
    },
    checksOf: (q: Q, cardId: string) =>
      q
        .selectFrom("card_checks")
        .select(["at", "actor_name", "actor_role", "channel", "result", "place"])
        .where("card_id", "=", cardId)
        .orderBy("at", "desc")
        .limit(200)
        .execute(),
  };
}

export type EnrolmentRepository = ReturnType<typeof createEnrolmentRepository>;
