import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { before, it } from "node:test";
import { forEachDialect } from "../../../test/db.ts";
import { newIdNumber, useTestDeps } from "../../../test/fixtures.ts";
import { SYSTEM_ACTOR } from "../../shared/auth.ts";
import { createEnrolmentRepository } from "./enrolment.repository.ts";

// The batch and list queries of the online check and the settlement batch, on each database.
forEachDialect(
  "enrolment repository: insurance standing among many persons, the check log in batches",
  (dialect) => {
    const t = useTestDeps(dialect);
    const repo = createEnrolmentRepository(dialect);
    const persons: string[] = [];

    before(async () => {
      for (let i = 0; i < 3; i++)
        persons.push(
          (
            await t.deps.persons.register(SYSTEM_ACTOR, {
              idNumber: newIdNumber(),
              name: `参保${i}`,
              ethnicity: "01",
              areaCode: "330100",
            })
          ).id,
        );
    });

    it("finds the arrears in force among a thousand persons with one list parameter", async () => {
      const [owing, cleared] = persons;
      await t.database.db.transaction().execute(async (trx) => {
        for (const [person, to] of [
          [owing, null],
          [cleared, "2026-10-01"],
        ] as const)
          await repo.insertArrears(trx, {
            id: randomUUID(),
            person_id: person,
            coordination_area: "330100",
            from_date: "2026-09-01",
            to_date: to,
            reason: "unpaid",
            created_at: "2026-09-01T00:00:00.000Z",
          });
      });
      // The third person is insured twice in the area, under two personal numbers.
      const twice = persons[2];
      await t.database.db.transaction().execute(async (trx) => {
        for (const [n, county] of [
          ["P-A", "330102"],
          ["P-B", "330105"],
        ] as const) {
          await repo.insertNumber(trx, {
            number: `${n}-${dialect}`,
            person_id: twice,
            coordination_area: "330100",
            kind: "resident",
            merged_into: null,
            merged_at: null,
            created_at: "2026-01-01T00:00:00.000Z",
          });
          await repo.insertEnrolment(trx, {
            id: randomUUID(),
            person_id: twice,
            scheme: "resident_medical",
            area_code: county,
            coordination_area: "330100",
            personal_number: `${n}-${dialect}`,
            employer_id: null,
            status: "active",
            status_reason: null,
            start_date: "2026-01-01",
            version: 1,
            created_at: "2026-01-01T00:00:00.000Z",
            updated_at: "2026-01-01T00:00:00.000Z",
          });
        }
      });
      const many = [...persons, ...Array.from({ length: 1000 }, () => randomUUID())];
      const found = await repo.standingAmong(t.database.db, many, "2026-11-22");
      assert.deepEqual(
        [...found.keys()].sort(),
        [`${owing}|330100`, `${twice}|330100`].sort(),
        "only persons with something on record",
      );
      assert.deepEqual(found.get(`${owing}|330100`), {
        enrolments: [],
        unmergedNumbers: [],
        arrearsActive: true,
      });
      const facts = found.get(`${twice}|330100`)!;
      assert.deepEqual(
        [
          facts.arrearsActive,
          [...facts.unmergedNumbers].sort(),
          facts.enrolments.map((e) => e.areaCode).sort(),
        ],
        [false, [`P-A-${dialect}`, `P-B-${dialect}`], ["330102", "330105"]],
      );
      assert.deepEqual([...(await repo.standingAmong(t.database.db, [], "2026-11-22"))], []);
      assert.ok(await repo.arrearsActive(t.database.db, owing, "330100", "2026-11-22"));
      assert.equal(await repo.arrearsActive(t.database.db, cleared, "330100", "2026-11-22"), undefined);
      // The online check's facts in one statement: the same as the three reads.
      const kinds = async (person: string, area = "330100") =>
        (await repo.checkFacts(t.database.db, person, area, "2026-11-22")).map((f) => [
          f.kind,
          f.kind === "e" ? f.area_code : f.kind === "n" ? f.number : null,
        ]);
      assert.deepEqual(await kinds(owing), [["a", null]]);
      assert.deepEqual(await kinds(cleared), [], "arrears that ended are not in force");
      assert.deepEqual(
        (await kinds(twice)).sort(),
        [
          ["e", "330102"],
          ["e", "330105"],
          ["n", `P-A-${dialect}`],
          ["n", `P-B-${dialect}`],
        ].sort(),
      );
      assert.deepEqual(await kinds(twice, "330200"), [], "another coordination area");
      const [enrolment] = await repo.checkFacts(t.database.db, twice, "330100", "2026-11-22");
      assert.deepEqual(
        [enrolment.scheme, enrolment.status, enrolment.merged_into],
        ["resident_medical", "active", null],
      );
    });

    it("writes the check log in one batch, and nothing for an empty one", async () => {
      const rows = Array.from({ length: 600 }, (_, i) => ({
        id: randomUUID(),
        card_number: "A00000001",
        card_id: null,
        at: `2026-11-22T02:00:${String(i % 60).padStart(2, "0")}.000Z`,
        actor_id: "t",
        actor_name: "测试",
        actor_role: "pharmacy_operator",
        channel: "terminal",
        result: "INSURED",
        place: "测试药房",
      }));
      await t.database.db.transaction().execute(async (trx) => {
        await repo.insertChecks(trx, rows);
        await repo.insertChecks(trx, []);
      });
      const n = await t.database.db
        .selectFrom("card_checks")
        .select((eb) => eb.fn.countAll().as("n"))
        .where("card_number", "=", "A00000001")
        .executeTakeFirstOrThrow();
      assert.equal(Number(n.n), 600);
    });
  },
);
