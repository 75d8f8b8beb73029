import type { Kysely, Transaction } from "kysely";
import { preparedFirst } from "../../db/prepared.ts";
import type { Database } from "../../db/schema.ts";

type Q = Kysely<Database> | Transaction<Database>;

/** SQL for employers and the employments they register. */
export function createEmployersRepository() {
  return {
    byId: preparedFirst((q, id: string) => q.selectFrom("employers").selectAll().where("id", "=", id)),
    byCreditCode: (q: Q, code: string) =>
      q.selectFrom("employers").selectAll().where("credit_code", "=", code).executeTakeFirst(),
    insert: (trx: Transaction<Database>, row: Database["employers"]) =>
      trx.insertInto("employers").values(row).execute(),
    list: (q: Q, areaPrefix: string) =>
      q
        .selectFrom("employers")
        .selectAll()
        .where("area_code", "like", `${areaPrefix}%`)
        .orderBy("credit_code")
        .limit(1000)
        .execute(),

    insertEmployment: (trx: Transaction<Database>, row: Database["employments"]) =>
      trx.insertInto("employments").values(row).execute(),
    openEmployment: (q: Q, employerId: string, personId: string) =>
      q
        .selectFrom("employments")
        .selectAll()
        .where("employer_id", "=", employerId)
        .where("person_id", "=", personId)
        .where("registered_on", "is", null)
        .executeTakeFirst(),
    /** The day the employer first hired the person, if it ever did. */
    hiredOn: async (q: Q, employerId: string, personId: string) =>
      (
        await q
          .selectFrom("employments")
          .select((eb) => eb.fn.min("hired_on").as("hired_on"))
          .where("employer_id", "=", employerId)
          .where("person_id", "=", personId)
          .executeTakeFirst()
      )?.hired_on ?? undefined,
    markRegistered: (trx: Transaction<Database>, id: string, registeredOn: string, late: boolean) =>
      trx
        .updateTable("employments")
        .set({ registered_on: registeredOn, late: late ? 1 : 0 })
        .where("id", "=", id)
        .execute(),
    /** An employer's employments, latest hire first, with the person's masked ID and name. */
    employmentsOf: (q: Q, employerId: string) =>
      q
        .selectFrom("employments as m")
        .innerJoin("persons as p", "p.id", "m.person_id")
        .select(["m.id", "m.hired_on", "m.registered_on", "p.id_number_masked", "p.name_masked"])
        .where("m.employer_id", "=", employerId)
        .orderBy("m.hired_on", "desc")
        .orderBy("m.id")
        .limit(5000)
        .execute(),
    /** Employments of an area's employers registered late, or hired before `cutoff` and not registered. */
    overdue: (q: Q, areaPrefix: string, cutoff: string) =>
      q
        .selectFrom("employments as m")
        .innerJoin("employers as e", "e.id", "m.employer_id")
        .innerJoin("persons as p", "p.id", "m.person_id")
        .select([
          "e.id as employer_id",
          "e.credit_code",
          "e.name as employer_name",
          "e.area_code",
          "m.hired_on",
          "m.registered_on",
          "m.late",
          "p.id_number_masked",
          "p.name_masked",
        ])
        .where("e.area_code", "like", `${areaPrefix}%`)
        .where((w) =>
          w.or([
            w("m.late", "=", 1),
            w.and([w("m.registered_on", "is", null), w("m.hired_on", "<", cutoff)]),
          ]),
        )
        .orderBy("e.credit_code")
        .orderBy("m.hired_on")
        .limit(10_000)
        .execute(),
  };
}

export type EmployersRepository = ReturnType<typeof createEmployersRepository>;
