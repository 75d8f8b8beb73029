import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { it } from "node:test";
import { sql } from "kysely";
import { forEachDialect } from "../../../test/db.ts";
import { actorWith, newIdNumber, useTestDeps } from "../../../test/fixtures.ts";
import { SYSTEM_ACTOR } from "../../shared/auth.ts";
import type { DomainError } from "../../shared/errors.ts";

const clerk = (areaCode: string) => actorWith("outlet_clerk", areaCode);

forEachDialect("person registry", (dialect) => {
  const t = useTestDeps(dialect);

  it("registers a person, derives birth date and sex, and finds them by ID number", async () => {
    const idNumber = newIdNumber("330106", "1985-04-12");
    const p = await t.deps.persons.register(clerk("330100"), {
      idNumber,
      name: "张伟",
      ethnicity: "01",
      areaCode: "330100",
      phone: "13800000001",
    });
    assert.equal(p.birthDate, "1985-04-12");
    assert.equal(p.sex, Number(idNumber.slice(14, 17)) % 2 ? "M" : "F");
    assert.equal(p.idNumberMasked, `${idNumber.slice(0, 3)}***********${idNumber.slice(-4)}`);
    const found = await t.deps.persons.findByIdNumber(clerk("330100"), idNumber.toLowerCase());
    assert.equal(found.id, p.id);
    assert.equal(found.name, "张伟");
    assert.equal(found.phone, "13800000001");
  });

  it("refuses an invalid ID number with the part that is wrong", async () => {
    const good = newIdNumber();
    const checkBroken = good.slice(0, 17) + (good[17] === "0" ? "1" : "0");
    await assert.rejects(
      t.deps.persons.register(clerk("330100"), {
        idNumber: checkBroken,
        name: "李四",
        ethnicity: "01",
        areaCode: "330100",
      }),
      (e: DomainError) => e.code === "INVALID_ID_NUMBER" && e.details?.reason === "check",
    );
    await assert.rejects(
      t.deps.persons.findByIdNumber(clerk("330100"), "12345"),
      (e: DomainError) => e.code === "INVALID_ID_NUMBER" && e.details?.reason === "length",
    );
  });

  it("answers PERSON_EXISTS for a duplicate, also when two clerks register at the same moment", async () => {
    const idNumber = newIdNumber();
    const input = { idNumber, name: "王五", ethnicity: "01", areaCode: "330100" };
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, () => t.deps.persons.register(clerk("330100"), input)),
    );
    assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
    for (const r of results) {
      if (r.status === "rejected") assert.equal((r.reason as DomainError).code, "PERSON_EXISTS");
    }
    const count = await t.database.db
      .selectFrom("audit_log")
      .select((eb) => eb.fn.countAll().as("n"))
      .where("action", "=", "person.register")
      .where("subject_id", "=", results.find((r) => r.status === "fulfilled")!.value.id)
      .executeTakeFirstOrThrow();
    assert.equal(Number(count.n), 1, "exactly one audit record for the one registration");
  });

  it("keeps staff of another area out", async () => {
    const idNumber = newIdNumber();
    await t.deps.persons.register(clerk("330100"), {
      idNumber,
      name: "赵六",
      ethnicity: "01",
      areaCode: "330100",
    });
    await assert.rejects(t.deps.persons.findByIdNumber(clerk("330200"), idNumber), {
      code: "AREA_FORBIDDEN",
    });
    await assert.rejects(
      t.deps.persons.register(clerk("330200"), {
        idNumber: newIdNumber(),
        name: "x",
        ethnicity: "01",
        areaCode: "330100",
      }),
      { code: "AREA_FORBIDDEN" },
    );
  });

  it("stores the ID number and name only encrypted: the database alone does not reveal them", async () => {
    const idNumber = newIdNumber("330102", "1952-11-03");
    const p = await t.deps.persons.register(clerk("330100"), {
      idNumber,
      name: "欧阳秀英",
      ethnicity: "01",
      areaCode: "330100",
      address: "杭州市上城区清波街道",
    });
    const row = await t.database.db
      .selectFrom("persons")
      .selectAll()
      .where("id", "=", p.id)
      .executeTakeFirstOrThrow();
    const everything = JSON.stringify(row);
    assert.ok(!everything.includes(idNumber), "ID number in clear");
    assert.ok(!everything.includes("欧阳秀英"), "name in clear");
    assert.ok(!everything.includes("清波街道"), "address in clear");
    assert.match(row.id_number_enc, /^a1:/);
    const audit = await t.database.db.selectFrom("audit_log").select(["before", "after"]).execute();
    assert.ok(!JSON.stringify(audit).includes(idNumber), "ID number in the audit log");
    if (dialect === "sqlite") {
      await sql`pragma wal_checkpoint(truncate)`.execute(t.database.db);
      const file = readFileSync(t.database.location);
      assert.equal(file.includes(Buffer.from(idNumber)), false, "ID number in the database file");
      assert.equal(file.includes(Buffer.from("欧阳秀英")), false, "name in the database file");
    }
  });

  it("reveals the full ID number only through an audited action", async () => {
    const idNumber = newIdNumber();
    const p = await t.deps.persons.register(clerk("330100"), {
      idNumber,
      name: "钱七",
      ethnicity: "01",
      areaCode: "330100",
    });
    const revealed = await t.deps.persons.revealIdNumber(clerk("330100"), p.id, "核对身份");
    assert.equal(revealed.idNumber, idNumber);
    const rec = await t.database.db
      .selectFrom("audit_log")
      .selectAll()
      .where("action", "=", "person.reveal_id_number")
      .where("subject_id", "=", p.id)
      .executeTakeFirstOrThrow();
    assert.equal(rec.actor_id, "outlet_clerk@330100");
    assert.equal(rec.actor_role, "outlet_clerk");
  });

  it("updates with compare-and-set: of two edits from the same version, one wins", async () => {
    const p = await t.deps.persons.register(SYSTEM_ACTOR, {
      idNumber: newIdNumber(),
      name: "孙八",
      ethnicity: "01",
      areaCode: "330100",
    });
    const results = await Promise.allSettled([
      t.deps.persons.update(clerk("330100"), p.id, { version: p.version, phone: "13900000001" }),
      t.deps.persons.update(clerk("330100"), p.id, { version: p.version, phone: "13900000002" }),
    ]);
    assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
    const rejected = results.find((r) => r.status === "rejected");
    assert.equal((rejected as PromiseRejectedResult).reason.code, "CONCURRENT_MODIFICATION");
    const now = await t.deps.persons.get(clerk("330100"), p.id);
    assert.equal(now.version, 2);
    assert.equal(now.name, "孙八");
  });
});
