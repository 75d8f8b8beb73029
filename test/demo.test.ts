import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, it } from "node:test";
import { type App, buildApp } from "../src/app.ts";
import { seedDemo } from "../src/demo/demo.seed.ts";
import { checkHolderCertificate } from "../src/modules/chip/certificates.ts";
import { type CardImage, createVirtualCard, SSSE_AID } from "../src/modules/chip/virtual-card.ts";
import { initialPin } from "../src/modules/credentials/pin.rules.ts";
import { forEachDialect } from "./db.ts";
import { callAs, createTestDeps, okBody, type Reply } from "./fixtures.ts";

/**
 * The demo as `npm start -- --demo` makes it, on an empty encryption machine: its own ceremonies, its
 * cards personalised in production and made by the simulated factory; every chip route answers for
 * its cards, and fuzzing them with the demo's data gives no 5xx.
 */
forEachDialect("the demo's chips", (dialect) => {
  let app: App;
  let second: App;
  let demo: Awaited<ReturnType<typeof seedDemo>>;
  let close: () => Promise<void>;
  const tokens = {} as Record<"clerk" | "pharmacy" | "admin", string>;

  before(async () => {
    const made = await createTestDeps(dialect, undefined, { keys: false });
    demo = await seedDemo(made.deps);
    app = await buildApp(made.deps);
    // Another worker or server on the same database: a reader slot is served by either.
    second = await buildApp(made.another());
    close = async () => {
      await app.close();
      await second.close();
      await made.database.close();
    };
    const login = async (username: string) => {
      const password = demo.staff.find((s) => s.username === username)!.password;
      return (await made.deps.staff.login({ username, password })).token;
    };
    tokens.clerk = await login("hz.clerk");
    tokens.pharmacy = await login("hz.pharmacy");
    tokens.admin = await login("hz.admin");
  });
  after(async () => close?.());

  const active = () => demo.persons[0];
  const chipOf = (cardNumber: string): CardImage =>
    structuredClone(demo.chips.find((c) => c.cardNumber === cardNumber)!.image);
  const idCodeOf = (cardNumber: string) => chipOf(cardNumber).ef05[1];

  it("ran the ceremonies and personalised every produced card: each has its chip and a certificate terminals can check", async () => {
    assert.equal(demo.chips.length, 4, "the four Hangzhou cards");
    const ca = okBody(await callAs(app, tokens.pharmacy)("GET", "/areas/330100/ca-key"), "CA key");
    for (const chip of demo.chips) {
      const cert = okBody(
        await callAs(app, tokens.pharmacy)("GET", `/chip-cards/${chip.image.ef05[1]}/certificate`),
        "certificate",
      );
      assert.equal(cert.subjectPublicKey, chip.image.holderKey?.publicKey);
      assert.deepEqual(checkHolderCertificate(cert, ca.publicKey, cert.notBefore), { valid: true });
    }
  });

  it("reads, verifies the PIN and debits a demo card in a reader slot, one server after another; two debits at once debit once", async () => {
    const card = active().card;
    const onFirst = callAs(app, tokens.pharmacy);
    const onSecond = callAs(second, tokens.pharmacy);
    const { slotId } = okBody(
      await onFirst("POST", "/reader/slots", { terminalNo: "330100000101", card: chipOf(card) }),
      "slot",
    );
    const basic = okBody(await onSecond("POST", `/reader/slots/${slotId}/read-card-basic`), "read");
    assert.equal(basic.cardNumber, card);
    const pin = initialPin(card, { initialPassword: { rule: "card_number_last6" } });
    assert.deepEqual(okBody(await onFirst("POST", `/reader/slots/${slotId}/verify-pin`, { pin }), "pin"), {
      ok: true,
    });
    const debit = () => onSecond("POST", `/reader/slots/${slotId}/debit`, { amountFen: 1_000 });
    const [a, b] = await Promise.all([debit(), debit()]);
    const statuses = [a.status, b.status].sort();
    assert.ok(
      (statuses[0] === 200 && statuses[1] === 409) || (statuses[0] === 200 && statuses[1] === 200),
      JSON.stringify([a.body, b.body]),
    );
    const done = [a, b].filter((r) => r.status === 200);
    for (const r of done) assert.equal(r.body.tacValid, true);
    for (const r of [a, b].filter((x) => x.status === 409)) assert.equal(r.body.code, "READER_SLOT_BUSY");
    const third = okBody(
      await onFirst("POST", `/reader/slots/${slotId}/debit`, { amountFen: 1_000 }),
      "debit",
    );
    assert.equal(
      third.balanceAfterFen,
      20_000 - 1_000 * (done.length + 1),
      "each debit taken once, none lost",
    );
    assert.equal(
      (await callAs(second, tokens.clerk)("POST", `/reader/slots/${slotId}/read-card-basic`)).status,
      404,
    );
    assert.equal((await onSecond("DELETE", `/reader/slots/${slotId}`)).status, 204);
    assert.equal((await onFirst("POST", `/reader/slots/${slotId}/read-card-basic`)).status, 404);
  });

  it("authenticates a demo card remotely and makes its PIN-unblock script", async () => {
    const card = active().card;
    const chip = createVirtualCard(chipOf(card));
    chip.transmit(Buffer.concat([Buffer.from("00A40400", "hex"), Buffer.from([SSSE_AID.length]), SSSE_AID]));
    const challenge = chip.transmit(Buffer.from("0084000008", "hex")).subarray(0, 8).toString("hex");
    const step1 = okBody(
      await callAs(app, tokens.pharmacy)("POST", "/remote-authentications", {
        cardIdCode: idCodeOf(card),
        cardChallenge: challenge,
      }),
      "remote authentication",
    );
    const ext = chip.transmit(
      Buffer.concat([Buffer.from("0082000210", "hex"), Buffer.from(step1.externalAuthCryptogram, "hex")]),
    );
    assert.equal(ext.toString("hex"), "9000");
    const internal = chip.transmit(
      Buffer.concat([Buffer.from("0088000108", "hex"), Buffer.from(step1.internalAuthRandom, "hex")]),
    );
    const step2 = okBody(
      await callAs(app, tokens.pharmacy)(
        "POST",
        `/remote-authentications/${step1.authenticationId}/complete`,
        {
          internalAuthResponse: internal.subarray(0, 16).toString("hex"),
        },
      ),
      "complete",
    );
    assert.equal(step2.authenticated, true);
    const cardChallenge = chip.transmit(Buffer.from("0084000008", "hex")).subarray(0, 8).toString("hex");
    const script = okBody(
      await callAs(app, tokens.clerk)("POST", `/chip-cards/${idCodeOf(card)}/pin-unblock-script`, {
        cardChallenge,
        newPin: "739164",
      }),
      "unblock script",
    );
    assert.equal(chip.transmit(Buffer.from(script.apdu, "hex")).toString("hex"), "9000");
  });

  it("answers every chip route fuzzed with the demo's data without a 5xx", async () => {
    const codes = demo.chips.map((c) => c.image.ef05[1]);
    const { slotId } = okBody(
      await callAs(app, tokens.pharmacy)("POST", "/reader/slots", {
        terminalNo: "330100000101",
        card: chipOf(active().card),
      }),
      "slot",
    );
    const values = [
      ...codes,
      slotId,
      "330100000101",
      "330100",
      "",
      "\u0000",
      "x".repeat(5000),
      "00".repeat(8),
      randomBytes(8).toString("hex"),
      randomBytes(16).toString("hex"),
      1e308,
      -1,
      0,
      2 ** 53,
      null,
      true,
      [],
      {},
      { ef05: {}, ef06: {}, keys: {}, pin: "1", pinTriesLeft: 6, pinTriesMax: 6 },
    ];
    const pick = () => values[Math.floor(Math.random() * values.length)];
    const ids = () => String(pick() ?? "x").replace(/[/?#]/g, "");
    const routes: [string, () => string, () => object | undefined][] = [
      ["GET", () => `/chip-cards/${encodeURIComponent(ids())}/certificate`, () => undefined],
      ["GET", () => `/areas/${encodeURIComponent(ids())}/ca-key`, () => undefined],
      [
        "POST",
        () => `/chip-cards/${encodeURIComponent(ids())}/pin-unblock-script`,
        () => ({ cardChallenge: pick(), newPin: pick() }),
      ],
      [
        "POST",
        () => `/chip-cards/${encodeURIComponent(ids())}/record-update-script`,
        () => ({ cardChallenge: pick(), field: pick() }),
      ],
      [
        "POST",
        () => "/purchases/tac-verification",
        () => ({
          cardIdCode: pick(),
          amountFen: pick(),
          terminalNo: pick(),
          terminalTxnNo: pick(),
          date: pick(),
          time: pick(),
          tac: pick(),
        }),
      ],
      ["POST", () => "/reader/slots", () => ({ terminalNo: pick(), card: pick() })],
      ["POST", () => `/reader/slots/${encodeURIComponent(ids())}/read-card-basic`, () => undefined],
      ["POST", () => `/reader/slots/${encodeURIComponent(ids())}/verify-pin`, () => ({ pin: pick() })],
      [
        "POST",
        () => `/reader/slots/${encodeURIComponent(ids())}/change-pin`,
        () => ({ oldPin: pick(), newPin: pick() }),
      ],
      ["POST", () => `/reader/slots/${encodeURIComponent(ids())}/unblock-pin`, () => ({ newPin: pick() })],
      ["POST", () => `/reader/slots/${encodeURIComponent(ids())}/debit`, () => ({ amountFen: pick() })],
      ["DELETE", () => `/reader/slots/${encodeURIComponent(ids())}`, () => undefined],
      ["POST", () => "/remote-authentications", () => ({ cardIdCode: pick(), cardChallenge: pick() })],
      [
        "POST",
        () => `/remote-authentications/${encodeURIComponent(ids())}/complete`,
        () => ({ internalAuthResponse: pick() }),
      ],
      ["GET", () => "/keys", () => undefined],
      ["GET", () => "/terminals", () => undefined],
    ];
    const failures: string[] = [];
    for (const token of [tokens.pharmacy, tokens.clerk, tokens.admin])
      for (const [method, url, body] of routes)
        for (let i = 0; i < 25; i++) {
          const path = url();
          const payload = body();
          const r: Reply = await callAs(app, token)(method as "GET", path, payload);
          if (r.status >= 500)
            failures.push(
              `${method} ${path} ${JSON.stringify(payload)?.slice(0, 200)} → ${r.status} ${JSON.stringify(r.body)}`,
            );
        }
    assert.deepEqual(failures, []);
  });
});
