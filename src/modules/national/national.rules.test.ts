import assert from "node:assert/strict";
import { createSecretKey, randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import {
  duplicatesOf,
  formatStatusCursor,
  hubActorFor,
  hubRecordKey,
  hubRequestProblem,
  listedNationally,
  nationalIndex,
  netPosition,
  nettingPairs,
  parseProvinceKeys,
  parseStatusCursor,
  RESERVATION_HOLD_MS,
  reservationOutcome,
  signHubRequest,
} from "./national.rules.ts";

const now = new Date("2026-11-22T02:00:00Z");
const card = (
  province: string,
  state: "active" | "applied" | "cancelled" | "formally_lost",
  n = "A00000001",
) => ({
  cardNumber: n,
  province,
  state,
  version: 1,
});

describe("national rules", () => {
  it("puts a day's refunds beside each pair's settlements, a pair with only refunds too, in province order", () => {
    const pairs = nettingPairs(
      [
        { treatingProvince: "33", homeProvince: "32", count: 1, accountFen: 2_000, totalFen: 2_500 },
        { treatingProvince: "32", homeProvince: "33", count: 3, accountFen: 7_500, totalFen: 7_500 },
      ],
      [
        { treatingProvince: "32", homeProvince: "33", count: 1, accountFen: 1_250 },
        { treatingProvince: "44", homeProvince: "33", count: 2, accountFen: 300 },
      ],
    );
    assert.deepEqual(pairs, [
      {
        treatingProvince: "32",
        homeProvince: "33",
        count: 3,
        accountFen: 7_500,
        totalFen: 7_500,
        refundCount: 1,
        refundedAccountFen: 1_250,
      },
      {
        treatingProvince: "33",
        homeProvince: "32",
        count: 1,
        accountFen: 2_000,
        totalFen: 2_500,
        refundCount: 0,
        refundedAccountFen: 0,
      },
      {
        treatingProvince: "44",
        homeProvince: "33",
        count: 0,
        accountFen: 0,
        totalFen: 0,
        refundCount: 2,
        refundedAccountFen: 300,
      },
    ]);
    assert.equal(netPosition(pairs, "33"), -7_500 + 1_250 + 2_000 + 300);
  });

  it("records what a hospital did through the hub under its province, its code and its own key", () => {
    assert.equal(hubRecordKey("32", "JS-PH-1", "js-key-1"), "32|JS-PH-1|js-key-1");
    assert.equal(hubRecordKey("32", "JS-PH-1", "js-key-1", "refund"), "32|JS-PH-1|refund|js-key-1");
    assert.notEqual(hubRecordKey("32", "JS-PH-2", "js-key-1"), hubRecordKey("32", "JS-PH-1", "js-key-1"));
  });

  it("lists an e-card's status changes nationally, not its first status (every credential starts there)", () => {
    assert.equal(listedNationally({ sv: 1 }), false);
    assert.equal(listedNationally({ sv: 2 }), true);
  });

  it("reads and writes a national status list's cursor: a place per province, in province order", () => {
    assert.deepEqual(parseStatusCursor(""), new Map());
    const cursor = parseStatusCursor("33:120,32:45");
    assert.deepEqual(
      cursor,
      new Map([
        ["33", 120],
        ["32", 45],
      ]),
    );
    assert.equal(formatStatusCursor(cursor!), "32:45,33:120");
    assert.equal(formatStatusCursor(new Map()), "");
    // Not a province, twice the same province, not a number, a sign, too many digits: refused.
    for (const bad of ["99:1", "33:1,33:2", "33:x", "33:-1", "33:1234567890123456", "33", "3:1", "33:1;"])
      assert.equal(parseStatusCursor(bad), undefined, bad);
  });

  it("grants a reservation unless another province holds an active card or its own fresh reservation", () => {
    assert.deepEqual(reservationOutcome([], null, "33", now), { ok: true });
    assert.deepEqual(reservationOutcome([card("33", "active")], null, "33", now), { ok: true });
    assert.deepEqual(reservationOutcome([card("32", "active")], null, "33", now), {
      ok: false,
      code: "NATIONAL_CARD_HELD",
      province: "32",
      cardNumber: "A00000001",
    });
    // An ended card (cancelled, formally lost) holds no place.
    assert.deepEqual(
      reservationOutcome([card("32", "cancelled"), card("32", "formally_lost")], null, "33", now),
      {
        ok: true,
      },
    );
    const fresh = { province: "32", at: new Date(now.getTime() - 60_000).toISOString() };
    assert.equal(reservationOutcome([], fresh, "33", now).ok, false);
    assert.equal(reservationOutcome([], fresh, "32", now).ok, true, "the same province again");
    const stale = { province: "32", at: new Date(now.getTime() - RESERVATION_HOLD_MS - 1).toISOString() };
    assert.equal(
      reservationOutcome([], stale, "33", now).ok,
      true,
      "a reservation never followed by a card lapses",
    );
  });

  it("lists a person with active cards in two provinces, not one with two cards in one province", () => {
    const rows = [
      { ...card("33", "active", "A1"), nationalIndex: "p1" },
      { ...card("32", "applied", "B1"), nationalIndex: "p1" },
      { ...card("33", "active", "A2"), nationalIndex: "p2" },
      { ...card("33", "applied", "A3"), nationalIndex: "p2" },
      { ...card("33", "active", "A4"), nationalIndex: "p3" },
      { ...card("32", "cancelled", "B4"), nationalIndex: "p3" },
    ];
    assert.deepEqual(
      duplicatesOf(rows).map((d) => [d.nationalIndex, d.cards.map((c) => c.cardNumber)]),
      [["p1", ["A1", "B1"]]],
    );
  });

  it("signs a request over its time, method, path and body; refuses another body, a skewed time, a bad signature", () => {
    const key = createSecretKey(randomBytes(32));
    const r = {
      province: "33",
      at: now.toISOString(),
      method: "POST",
      path: "/hub/v1/changes",
      body: '{"changes":[]}',
    };
    const signature = signHubRequest(key, r);
    assert.equal(hubRequestProblem(key, { ...r, signature }, now), null);
    assert.equal(hubRequestProblem(key, { ...r, body: "{}", signature }, now), "signature");
    assert.equal(
      hubRequestProblem(key, { ...r, province: "32", signature }, now),
      "signature",
      "another province named",
    );
    assert.equal(hubRequestProblem(key, { ...r, path: "/hub/v1/reservations", signature }, now), "signature");
    assert.equal(hubRequestProblem(createSecretKey(randomBytes(32)), { ...r, signature }, now), "signature");
    assert.equal(hubRequestProblem(key, { ...r, signature: "zz" }, now), "signature");
    assert.equal(
      hubRequestProblem(key, { ...r, signature }, new Date(now.getTime() + 5 * 60_000 + 1)),
      "time",
    );
    assert.equal(hubRequestProblem(key, { ...r, at: "yesterday", signature }, now), "time");
  });

  it("nets a day: a province receives what its hospitals settled on other provinces' cards and pays for its own holders, less refunds", () => {
    const pairs = [
      { treatingProvince: "32", homeProvince: "33", accountFen: 7_500, refundedAccountFen: 0 },
      { treatingProvince: "33", homeProvince: "32", accountFen: 2_000, refundedAccountFen: 0 },
      { treatingProvince: "33", homeProvince: "44", accountFen: 1_000, refundedAccountFen: 0 },
    ];
    assert.equal(netPosition(pairs, "32"), 5_500);
    assert.equal(netPosition(pairs, "33"), -4_500);
    assert.equal(netPosition(pairs, "44"), -1_000);
    assert.equal(netPosition([], "33"), 0);
    // Jiangsu's pharmacy refunds 2,500 of what Zhejiang's accounts paid: Zhejiang owes that much less.
    const refunded = pairs.map((p, i) => (i === 0 ? { ...p, refundedAccountFen: 2_500 } : p));
    assert.equal(netPosition(refunded, "32"), 3_000);
    assert.equal(netPosition(refunded, "33"), -2_000);
  });

  it("acts for another province's caller as a peer system on the terminal channel, a settling role only", () => {
    assert.deepEqual(hubActorFor("32", "pharmacy_operator").grants[0].role, "pharmacy_operator");
    assert.deepEqual(
      hubActorFor("32", "city_admin").grants[0].role,
      "medical_operator",
      "no administrator across the border",
    );
    assert.equal(hubActorFor("32", "outlet_clerk").channel, "terminal");
    assert.match(hubActorFor("32", "x").name, /江苏省/);
  });

  it("indexes an ID number nationally under its own key, case and spaces aside", () => {
    const key = createSecretKey(randomBytes(32));
    assert.equal(nationalIndex(key, " 33010619900307001x"), nationalIndex(key, "33010619900307001X"));
    assert.notEqual(
      nationalIndex(key, "33010619900307001X"),
      nationalIndex(createSecretKey(randomBytes(32)), "33010619900307001X"),
    );
  });

  it("reads the hub's province keys, naming a wrong entry without echoing the key", () => {
    const hex = "ab".repeat(32);
    assert.deepEqual([...parseProvinceKeys(`33=${hex}, 32:${hex}`).keys()], ["33", "32"]);
    assert.equal(parseProvinceKeys("").size, 0);
    assert.throws(
      () => parseProvinceKeys(`3=${hex}`),
      (e: Error) => !e.message.includes(hex),
    );
    assert.throws(() => parseProvinceKeys(`33=${hex},33=${hex}`), /twice/);
  });
});
