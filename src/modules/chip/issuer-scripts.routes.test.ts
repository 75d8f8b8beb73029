import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { Writable } from "node:stream";
import { before, it } from "node:test";
import { sql } from "kysely";
import { forEachDialect } from "../../../test/db.ts";
import {
  callAs,
  type Method,
  produceCard,
  seedAreas,
  seedCardKeys,
  staffToken,
  useTestApp,
} from "../../../test/fixtures.ts";
import { loggerOptions } from "../../http/logging.ts";
import { NATIONAL_DEFAULT_POLICY } from "../../modules/areas/areas.rules.ts";
import { checkHolderCertificate, verifyCardSignature } from "../../modules/chip/certificates.ts";
import { createVirtualPsam } from "../../modules/chip/psam.ts";
import { keysSam, type ReaderConfig, readCardBasic, verifyPin } from "../../modules/chip/reader.ts";
import { type CardImage, createVirtualCard, SSSE_AID } from "../../modules/chip/virtual-card.ts";
import { initialPin } from "../../modules/credentials/pin.rules.ts";
import { keyCheckValue } from "../../modules/keys/derivation.ts";
import { SYSTEM_ACTOR } from "../../shared/auth.ts";
import { chinaDate } from "../../shared/clock.ts";

const logLines: string[] = [];
const logStream = new Writable({
  write(chunk, _enc, done) {
    logLines.push(String(chunk));
    done();
  },
});

const swOf = (r: Buffer) => r.subarray(-2).toString("hex").toUpperCase();
const bodyOf = (r: Buffer) => r.subarray(0, -2);
const select = (chip: ReturnType<typeof createVirtualCard>) =>
  swOf(
    chip.transmit(Buffer.concat([Buffer.from("00A40400", "hex"), Buffer.from([SSSE_AID.length]), SSSE_AID])),
  );
const challengeOf = (chip: ReturnType<typeof createVirtualCard>) =>
  bodyOf(chip.transmit(Buffer.from("0084000008", "hex"))).toString("hex");
/**
 * Whether a secret appears in a text: a key anywhere; a 6-hex check value only as a value of its own
 * (not inside a longer hex run such as an audit hash, where 6 characters turn up by chance).
 */
const leaks = (text: string, secret: string) =>
  secret.length > 6
    ? text.toLowerCase().includes(secret)
    : new RegExp(`(?<![0-9a-f])${secret}(?![0-9a-f])`).test(text.toLowerCase());
const pinOf = (cardNumber: string) => initialPin(cardNumber, NATIONAL_DEFAULT_POLICY);

forEachDialect("chip: certificates, issuer scripts, key versions and the reader over HTTP", (dialect) => {
  const ctx = useTestApp(dialect, { logger: { ...(loggerOptions("debug") as object), stream: logStream } });
  const tokens = {} as { med: string; clerk: string };
  /** Every HTTP answer the tests got, scanned for keys at the end with the logs. */
  const answers: string[] = [];

  before(async () => {
    await seedAreas(ctx.deps);
    await seedCardKeys(ctx.deps);
    tokens.med = await staffToken(ctx.deps, "hz.med", "medical_operator", "330100");
    tokens.clerk = await staffToken(ctx.deps, "hz.clerk", "outlet_clerk", "330100");
    await ctx.deps.terminals.register(SYSTEM_ACTOR, {
      terminalNo: "330100000007",
      areaCode: "330100",
      name: "医保窗口读卡器",
    });
  });

  async function call(token: string, method: Method, url: string, payload?: object) {
    const r = await callAs(ctx.app, token)(method, url, payload);
    answers.push(JSON.stringify(r.body));
    return r;
  }

  const inSlot = async (image: CardImage) =>
    (await call(tokens.med, "POST", "/reader/slots", { terminalNo: "330100000007", card: image })).body
      .slotId as string;

  const actions = async (like: string) =>
    (
      await ctx.deps.database.db
        .selectFrom("audit_log")
        .select(["action", "after"])
        .where("action", "like", like)
        .execute()
    ).map((r) => ({ action: r.action, after: r.after ? JSON.parse(r.after) : null }));

  it("gives a spec 3.00 card an SM2 key pair and a certificate from its area's CA that a terminal checks offline; the chip signs after its PIN", async () => {
    const c = await produceCard(ctx.deps);
    assert.ok(c.image.holderKey && c.certificate);
    const cert = await call(tokens.med, "GET", `/chip-cards/${c.cardIdCode}/certificate`);
    assert.equal(cert.status, 200);
    assert.equal(cert.body.subjectPublicKey, c.image.holderKey.publicKey);
    assert.equal("privateKey" in cert.body, false);
    const ca = (await call(tokens.med, "GET", "/areas/330100/ca-key")).body;
    assert.deepEqual(checkHolderCertificate(cert.body, ca.publicKey, "2026-11-22"), { valid: true });
    assert.deepEqual(
      checkHolderCertificate({ ...cert.body, cardNumber: "X0000000" }, ca.publicKey, "2026-11-22"),
      { valid: false, reason: "BAD_SIGNATURE" },
    );
    assert.deepEqual(checkHolderCertificate(cert.body, ca.publicKey, "2036-11-22"), {
      valid: false,
      reason: "EXPIRED",
    });
    const ningbo = await ctx.deps.hsm!.areaCa("330200");
    assert.deepEqual(checkHolderCertificate(cert.body, ningbo.publicKey, "2026-11-22"), {
      valid: false,
      reason: "WRONG_CA",
    });
    assert.equal((await call(tokens.med, "GET", "/areas/110100/ca-key")).body.code, "KEY_NOT_FOUND");

    const chip = createVirtualCard(structuredClone(c.image));
    assert.equal(select(chip), "9000");
    const data = randomBytes(32);
    const sign = (d: Buffer) =>
      chip.transmit(Buffer.concat([Buffer.from("002A9E9A", "hex"), Buffer.from([d.length]), d]));
    assert.equal(swOf(sign(data)), "6982", "no signature before the PIN");
    assert.deepEqual(await verifyPin(chip, pinOf(c.cardNumber)), { ok: true });
    const signed = sign(data);
    assert.equal(swOf(signed), "9000");
    const signature = bodyOf(signed).toString("hex");
    assert.ok(verifyCardSignature(cert.body, data, signature));
    assert.ok(!verifyCardSignature(cert.body, randomBytes(32), signature));
    assert.deepEqual(
      (await actions("card.personalise")).find((a) => a.after.certificateSerial === cert.body.serial)?.after,
      { keyVersion: 1, transportKey: "tk-factory-330100-SM4-v1", certificateSerial: cert.body.serial },
    );
  });

  it("unblocks a blocked chip PIN at the counter with the machine's script, once; a weak PIN and a pharmacy are refused", async () => {
    const c = await produceCard(ctx.deps);
    const chip = createVirtualCard(structuredClone(c.image));
    select(chip);
    for (let i = 5; i >= 0; i--)
      assert.deepEqual(await verifyPin(chip, "000000"), { ok: false, triesLeft: i });
    assert.deepEqual(
      await verifyPin(chip, pinOf(c.cardNumber)),
      { ok: false, triesLeft: 0 },
      "6983: blocked",
    );
    const cardChallenge = challengeOf(chip);
    const url = `/chip-cards/${c.cardIdCode}/pin-unblock-script`;
    const weak = await call(tokens.clerk, "POST", url, { cardChallenge, newPin: "123456" });
    assert.deepEqual([weak.status, weak.body.code], [400, "WEAK_PASSWORD"]);
    assert.equal((await call(tokens.med, "POST", url, { cardChallenge, newPin: "582046" })).status, 403);
    const script = await call(tokens.clerk, "POST", url, { cardChallenge, newPin: "582046" });
    assert.equal(script.status, 200);
    const apdu = Buffer.from(script.body.apdu, "hex");
    assert.equal(swOf(chip.transmit(apdu)), "9000");
    assert.deepEqual(await verifyPin(chip, "582046"), { ok: true });
    assert.equal(swOf(chip.transmit(apdu)), "6985", "a script works once (the challenge is spent)");
    assert.equal((await actions("card.chip_pin.unblock_script")).length, 1);
  });

  it("writes the registry's new name to the chip by UPDATE RECORD with secure messaging; a wrong MAC and a replay are refused", async () => {
    const c = await produceCard(ctx.deps);
    const person = await ctx.deps.persons.findByIdNumber(SYSTEM_ACTOR, c.idNumber);
    await ctx.deps.persons.update(SYSTEM_ACTOR, person.id, { version: person.version, name: "张伟强" });
    const chip = createVirtualCard(structuredClone(c.image));
    select(chip);
    const url = `/chip-cards/${c.cardIdCode}/record-update-script`;
    const script = async () =>
      Buffer.from(
        (await call(tokens.clerk, "POST", url, { cardChallenge: challengeOf(chip), field: "name" })).body
          .apdu,
        "hex",
      );
    const tampered = await script();
    tampered[tampered.length - 1] ^= 0x01;
    assert.equal(swOf(chip.transmit(tampered)), "6988", "wrong MAC");
    assert.equal(JSON.parse(chip.save()).ef06[9], "张伟");
    const good = await script();
    assert.equal(swOf(chip.transmit(good)), "9000");
    assert.equal(swOf(chip.transmit(good)), "6985", "replayed");
    const basic = await readCardBasic(chip, {
      terminalNo: "330100000007",
      deviceNo: "T",
      sam: keysSam((code) =>
        ctx.deps.hsm!.cardAuthenticationKeys({
          algorithm: "SM4",
          version: 1,
          city: "330100",
          cardIdCode: code,
        }),
      ),
      isBlacklisted: async () => false,
      supportedRegions: ["33"],
      today: () => "2026-11-22",
    });
    assert.equal(basic.name, "张伟强");
    const bad = await call(tokens.clerk, "POST", url, { cardChallenge: "00", field: "phone" });
    assert.equal(bad.status, 400);
  });

  it("the reader over HTTP: read, PIN tries, debit with the TAC checked, refusals, blacklist after a pre-loss, eject", async () => {
    const c = await produceCard(ctx.deps);
    const slot = await inSlot(c.image);
    const at = (path: string) => `/reader/slots/${slot}${path}`;
    const early = await call(tokens.med, "POST", at("/verify-pin"), { pin: "000000" });
    assert.equal(early.status, 422);
    assert.deepEqual(early.body.details, { reason: "READ_CARD_FIRST" });
    const basic = await call(tokens.med, "POST", at("/read-card-basic"));
    assert.equal(basic.status, 200);
    assert.equal(basic.body.name, "张伟");
    assert.match(basic.body.pipe, new RegExp(`^330100\\|${c.idNumber}\\|${c.cardNumber}\\|`));
    assert.deepEqual((await call(tokens.med, "POST", at("/verify-pin"), { pin: "000000" })).body, {
      ok: false,
      triesLeft: 5,
    });
    const unverified = await call(tokens.med, "POST", at("/debit"), { amountFen: 1234 });
    assert.deepEqual([unverified.status, unverified.body.details], [422, { reason: "PIN_NOT_VERIFIED" }]);
    assert.deepEqual((await call(tokens.med, "POST", at("/verify-pin"), { pin: pinOf(c.cardNumber) })).body, {
      ok: true,
    });
    const paid = await call(tokens.med, "POST", at("/debit"), { amountFen: 1234 });
    assert.equal(paid.status, 200);
    assert.equal(paid.body.balanceAfterFen, 50_000 - 1234);
    assert.equal(paid.body.tacValid, true);
    const tooMuch = await call(tokens.med, "POST", at("/debit"), { amountFen: 60_000 });
    assert.deepEqual([tooMuch.status, tooMuch.body.details], [422, { reason: "INSUFFICIENT_BALANCE" }]);
    assert.equal((await call(tokens.med, "POST", at("/unblock-pin"), { newPin: "582046" })).status, 403);
    const malformed = await call(tokens.med, "POST", "/reader/slots", {
      terminalNo: "330100000007",
      card: {},
    });
    assert.equal(malformed.status, 400);
    const unknown = await call(tokens.med, "POST", "/reader/slots", {
      terminalNo: "330100000099",
      card: c.image,
    });
    assert.deepEqual([unknown.status, unknown.body.code], [400, "VALIDATION_FAILED"]);

    await ctx.deps.cards.reportTemporaryLoss(SYSTEM_ACTOR, c.cardNumber);
    const lost = await call(tokens.med, "POST", at("/read-card-basic"));
    assert.deepEqual([lost.status, lost.body.code], [409, "CARD_BLACKLISTED"]);
    assert.equal((await call(tokens.med, "DELETE", at(""))).status, 204);
    const gone = await call(tokens.med, "POST", at("/read-card-basic"));
    assert.deepEqual([gone.status, gone.body.code], [404, "READER_SLOT_NOT_FOUND"]);
  });

  it("key versions: new cards and PSAMs take the newest; old cards work until their version is retired, then are refused and audited", async () => {
    const old = await produceCard(ctx.deps);
    await seedCardKeys(ctx.deps, 2);
    const next = await produceCard(ctx.deps);
    assert.deepEqual([old.image.keyVersion, next.image.keyVersion], [1, 2]);
    await ctx.deps.terminals.register(SYSTEM_ACTOR, {
      terminalNo: "330100000008",
      areaCode: "330100",
      name: "药店",
    });
    const image = await ctx.deps.terminals.issuePsam(SYSTEM_ACTOR, "330100000008");
    assert.deepEqual(
      image.keySets.map((k) => k.version),
      [2, 1],
    );
    const psam = createVirtualPsam(image);
    const terminal: ReaderConfig = {
      terminalNo: "330100000008",
      deviceNo: "T",
      sam: psam,
      isBlacklisted: (code) => ctx.deps.cards.isBlacklisted(code),
      supportedRegions: ["33"],
      today: () => chinaDate(ctx.clock.now()),
    };
    for (const card of [old, next])
      assert.equal(
        (await readCardBasic(createVirtualCard(structuredClone(card.image)), terminal)).cardNumber,
        card.cardNumber,
      );

    assert.ok((await ctx.deps.hsm!.retireVersion({ area: "330100", algorithm: "SM4", version: 1 })) > 0);
    const refused = await call(
      tokens.med,
      "POST",
      `/reader/slots/${await inSlot(old.image)}/read-card-basic`,
    );
    assert.deepEqual([refused.status, refused.body.code], [409, "KEY_VERSION_RETIRED"]);
    const tac = await call(tokens.med, "POST", "/purchases/tac-verification", {
      cardIdCode: old.cardIdCode,
      amountFen: 1,
      terminalNo: "330100000008",
      terminalTxnNo: "00000001",
      date: "20261122",
      time: "100000",
      tac: "00000000",
    });
    assert.equal(tac.body.code, "KEY_VERSION_RETIRED");
    assert.deepEqual(
      (await actions("card.%"))
        .filter((a) => a.after?.reason === "key version 1 retired")
        .map((a) => a.action),
      ["card.read.refused", "card.tac.invalid"],
    );
    const fine = await call(tokens.med, "POST", `/reader/slots/${await inSlot(next.image)}/read-card-basic`);
    assert.equal(fine.status, 200);
    const reissued = await ctx.deps.terminals.issuePsam(SYSTEM_ACTOR, "330100000008");
    assert.deepEqual(
      reissued.keySets.map((k) => k.version),
      [2],
      "a new PSAM no longer carries the retired version",
    );
  });

  it("leaves no clear key, key check value or holder private key in the database, the logs or an answer", async () => {
    const c = await produceCard(ctx.deps);
    const slot = await inSlot(c.image);
    await call(tokens.med, "POST", `/reader/slots/${slot}/read-card-basic`);
    await call(tokens.med, "POST", `/reader/slots/${slot}/verify-pin`, { pin: pinOf(c.cardNumber) });
    await call(tokens.med, "POST", `/reader/slots/${slot}/debit`, { amountFen: 1 });
    const psam = await ctx.deps.terminals.issuePsam(SYSTEM_ACTOR, "330100000007");
    const keys = [
      ...Object.values(c.image.keys),
      ...psam.keySets.flatMap((s) => Object.values(s.keys)),
    ] as string[];
    const secrets = [
      ...keys,
      ...keys.map((k) => keyCheckValue("SM4", Buffer.from(k, "hex"))),
      c.image.holderKey!.privateKey,
    ].map((s) => s.toLowerCase());
    const tables = ["hsm_keys", "cards", "card_certificates", "audit_log", "terminals"] as const;
    const dump = [];
    for (const table of tables)
      dump.push(JSON.stringify(await ctx.deps.database.db.selectFrom(table).selectAll().execute()));
    const haystacks = { database: dump.join("\n"), logs: logLines.join(""), answers: answers.join("\n") };
    assert.ok(logLines.length > 10 && answers.length > 10, "the logs and answers were captured");
    for (const [where, text] of Object.entries(haystacks))
      for (const s of secrets) assert.ok(!leaks(text, s), `${s} found in the ${where}`);
    if (dialect === "sqlite") {
      await sql`pragma wal_checkpoint(truncate)`.execute(ctx.deps.database.db);
      const file = readFileSync(ctx.deps.database.location).toString("latin1").toLowerCase();
      for (const s of secrets) assert.ok(!leaks(file, s), `${s} in the database file`);
    }
  });
});
