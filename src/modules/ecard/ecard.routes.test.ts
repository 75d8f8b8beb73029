import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { before, it } from "node:test";
import { sm2 } from "sm-crypto-v2";
import { forEachDialect } from "../../../test/db.ts";
import { cropFace, samplePhoto } from "../../../test/faces.ts";
import {
  actorWith,
  callAs,
  cardInState,
  type Method,
  newIdNumber,
  seedAreas,
  staffToken,
  useTestApp,
} from "../../../test/fixtures.ts";
import { loggerOptions } from "../../http/logging.ts";
import { NATIONAL_DEFAULT_POLICY } from "../../modules/areas/areas.rules.ts";
import { initialPin } from "../../modules/credentials/pin.rules.ts";
import { BIOMETRIC_TEXT_VERSION, PRIVACY_TEXT_VERSION } from "../../modules/ecard/ecard.service.ts";
import { mintCode, verifyCode } from "../../modules/ecard/ecard-code.ts";
import { createFaceApiVerifier } from "../../modules/ecard/face.ts";
import { verifySigned } from "../../modules/keys/signer.ts";
import { SYSTEM_ACTOR } from "../../shared/auth.ts";
import type { fixedClock } from "../../shared/clock.ts";
import type { DomainError } from "../../shared/errors.ts";

/** Faces cut from a sample photo face-api ships: an identity photo and a live photo of one person, and another person. */
async function faceImages() {
  const verifier = createFaceApiVerifier();
  const largest = async (n: number) => {
    const img = samplePhoto(n);
    const [face] = (await verifier.faces(img)).sort((a, b) => b.box.width - a.box.width);
    return (grow: number, exposure = 1) => cropFace(img, face.box, grow, exposure);
  };
  const one = await largest(1);
  const other = await largest(2);
  return {
    identity: one(1.8),
    live: one(2.2, 0.9),
    someoneElse: other(2),
    relativeIdentity: other(1.8),
    relativeLive: other(2.2, 0.9),
  };
}

forEachDialect("the electronic card end to end", (dialect) => {
  const logLines: string[] = [];
  const ctx = useTestApp(dialect, {
    logger: {
      ...(loggerOptions("debug") as object),
      stream: new Writable({
        write(chunk, _enc, done) {
          logLines.push(String(chunk));
          done();
        },
      }),
    },
  });
  const tokens = {} as { clerk: string; pharmacy: string; channel: string; paused: string; admin: string };
  let photos: Awaited<ReturnType<typeof faceImages>>;

  before(async () => {
    await seedAreas(ctx.deps);
    photos = await faceImages();
    tokens.clerk = await staffToken(ctx.deps, "hz.clerk", "outlet_clerk", "330100");
    tokens.pharmacy = await staffToken(ctx.deps, "hz.pharmacy", "pharmacy_operator", "330100");
    const admin = await staffToken(ctx.deps, "hz.admin", "city_admin", "330100");
    tokens.admin = admin;
    const made = await call(admin, "POST", "/ecard/channels", {
      code: "zj-ban",
      name: "浙里办",
      class: "government",
      level: 1,
      services: ["signup", "credential", "identity_code", "payment_code"],
    });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    tokens.channel = made.body.token;
    const paused = await call(admin, "POST", "/ecard/channels", {
      code: "bank-app",
      name: "某银行 App",
      class: "bank",
      level: 2,
      parentCode: "zj-ban",
      services: ["signup"],
    });
    tokens.paused = paused.body.token;
    await call(admin, "POST", `/ecard/channels/${paused.body.id}/state`, { state: "suspended" });
  });

  const call = (token: string, method: Method, url: string, payload?: object) =>
    callAs(ctx.app, token)(method, url, payload);
  const now = () => Math.floor(ctx.clock.now().getTime() / 1000);

  /** The terminal's offline state: issuer keys and the status list it has applied. */
  async function terminalView(since = 0, status = new Map<string, { sv: number; usable: boolean }>()) {
    const issuerKeys = (await call(tokens.pharmacy, "GET", "/ecard/issuer-keys")).body;
    const list = (await call(tokens.pharmacy, "GET", `/ecard/status-list?since=${since}`)).body;
    assert.ok(verifySigned(list, list.publicKey), "the status list is signed");
    for (const e of list.entries) status.set(e.eid, { sv: e.sv, usable: e.usable });
    return { view: { issuerKeys, status, now: now() }, version: list.to as number, status };
  }

  /** A holder named 卡主 with an active card and the identity photo the counter took. */
  async function holderWithPhoto() {
    const c = await cardInState(ctx.deps, "active", { name: "卡主" });
    const person = await ctx.deps.persons.findByIdNumber(SYSTEM_ACTOR, c.idNumber);
    const photo = await call(tokens.clerk, "PUT", `/persons/${person.id}/photo`, {
      jpegBase64: photos.identity.toString("base64"),
      takenOn: "2024-05-01",
    });
    assert.equal(photo.status, 204);
    return { ...c, person };
  }

  /** The holder's sign-up through a channel with the live photo (changed by `over`). */
  const signUp = (idNumber: string, over: object = {}, token = tokens.channel) =>
    call(token, "POST", "/ecard/signups", {
      name: "卡主",
      idNumber,
      consentTextVersion: PRIVACY_TEXT_VERSION,
      realName: { name: "卡主", idNumber },
      livePhotoBase64: photos.live.toString("base64"),
      devicePublicKey: sm2.generateKeyPairHex().publicKey,
      ...over,
    });

  it("signs up with face verification, pays once offline and online, refuses the code after a pre-loss, and works again within the holder's authorisation", async () => {
    const c = await holderWithPhoto();
    const device = sm2.generateKeyPairHex();
    const signup = (over: object = {}, token = tokens.channel) =>
      signUp(c.idNumber, { devicePublicKey: device.publicKey, ...over }, token);
    const suspended = await signup({}, tokens.paused);
    assert.deepEqual([suspended.status, suspended.body.code], [403, "CHANNEL_SUSPENDED"]);
    const stranger = await signup({ livePhotoBase64: photos.someoneElse.toString("base64") });
    assert.deepEqual([stranger.status, stranger.body.details.reason], [422, "PHOTO_OUTDATED"]);
    const otherAccount = await signup({ realName: { name: "别人", idNumber: c.idNumber } });
    assert.equal(otherAccount.body.details.reason, "REAL_NAME_MISMATCH");
    const noConsent = await signup({ consentTextVersion: "2019-01" });
    assert.deepEqual([noConsent.status, noConsent.body.code], [400, "PRIVACY_CONSENT_REQUIRED"]);
    const both = await signup({ counterTicket: "ABCDEFGHJK" });
    assert.equal(both.status, 400, "a live photo or a counter ticket, not both");
    const made = await signup();
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const { ecardId, credential } = made.body;

    const byEcard = await ctx.app.inject({
      method: "POST",
      url: "/api/v1/holder/login/ecard",
      payload: { code: mintCode(credential, device.privateKey, "identity", now()) },
    });
    assert.equal(byEcard.statusCode, 200, byEcard.body);
    const viaEcard = await call(byEcard.json().token, "GET", "/holder/cards");
    assert.equal(viaEcard.body[0].cardNumber, c.cardNumber, "signed in to the hall with the e-card");
    const forged = await ctx.app.inject({
      method: "POST",
      url: "/api/v1/holder/login/ecard",
      payload: { code: mintCode(credential, sm2.generateKeyPairHex().privateKey, "identity", now()) },
    });
    assert.deepEqual([forged.statusCode, forged.json().details.reason], [422, "BAD_DEVICE_SIGNATURE"]);

    // The holder signs in to the hall now (used later to authorise the e-card while the card is lost).
    const hall = await ctx.app.inject({
      method: "POST",
      url: "/api/v1/holder/login",
      payload: { idNumber: c.idNumber, pin: initialPin(c.cardNumber, NATIONAL_DEFAULT_POLICY) },
    });
    const holderToken = hall.json().token;

    const terminal = await terminalView();
    const pay = mintCode(credential, device.privateKey, "payment", now());
    const offline = verifyCode(pay, terminal.view, "payment");
    assert.equal(offline.ok, true, JSON.stringify(offline));
    assert.equal(offline.ok && offline.credential.nm, "卡*");
    const paid = await call(tokens.pharmacy, "POST", "/ecard/codes/verify", {
      code: pay,
      purpose: "payment",
    });
    assert.equal(paid.status, 200, JSON.stringify(paid.body));
    const replay = await call(tokens.pharmacy, "POST", "/ecard/codes/verify", {
      code: pay,
      purpose: "payment",
    });
    assert.deepEqual([replay.status, replay.body.details.reason], [422, "REPLAYED"]);

    await ctx.deps.cards.reportTemporaryLoss(SYSTEM_ACTOR, c.cardNumber);
    const fresh = mintCode(credential, device.privateKey, "payment", now());
    assert.equal(
      verifyCode(fresh, terminal.view, "payment").ok,
      true,
      "before the terminal's next status-list update",
    );
    const updated = await terminalView(terminal.version, terminal.status);
    const refused = verifyCode(fresh, updated.view, "payment");
    assert.deepEqual(refused, { ok: false, reason: "STATUS_CHANGED" });
    const online = await call(tokens.pharmacy, "POST", "/ecard/codes/verify", {
      code: fresh,
      purpose: "payment",
    });
    assert.equal(online.status, 422);
    assert.ok(["STATUS_CHANGED", "UNUSABLE"].includes(online.body.details.reason));
    const noCredential = await call(tokens.channel, "POST", "/ecard/credentials", {
      ecardId,
      devicePublicKey: device.publicKey,
    });
    assert.deepEqual([noCredential.status, noCredential.body.code], [409, "ECARD_UNUSABLE"]);

    const granted = await call(holderToken, "POST", "/holder/ecard/authorisations", { hours: 4 });
    assert.equal(granted.status, 201, JSON.stringify(granted.body));
    const renewed = await call(tokens.channel, "POST", "/ecard/credentials", {
      ecardId,
      devicePublicKey: device.publicKey,
    });
    assert.equal(renewed.status, 200, JSON.stringify(renewed.body));
    const again = mintCode(renewed.body.credential, device.privateKey, "payment", now());
    const latest = await terminalView(updated.version, updated.status);
    assert.equal(verifyCode(again, latest.view, "payment").ok, true, "works offline within the grant");
    const paidAgain = await call(tokens.pharmacy, "POST", "/ecard/codes/verify", {
      code: again,
      purpose: "payment",
    });
    assert.equal(paidAgain.status, 200, JSON.stringify(paidAgain.body));

    const mine = await call(holderToken, "GET", "/holder/ecard");
    assert.deepEqual(
      [
        mine.body.scope,
        mine.body.channels.map((c: { code: string }) => c.code),
        mine.body.recentPayments.length,
      ],
      ["all", ["zj-ban"], 2],
    );
    assert.deepEqual(
      (await call(holderToken, "POST", "/holder/ecard/suspension", { suspended: true })).body,
      {
        suspended: true,
      },
    );
    const whileSuspended = mintCode(renewed.body.credential, device.privateKey, "identity", now());
    const stopped = await call(tokens.pharmacy, "POST", "/ecard/codes/verify", {
      code: whileSuspended,
      purpose: "identity",
    });
    assert.equal(stopped.status, 422, "suspended everywhere: refused at once");
    assert.equal(
      verifyCode(whileSuspended, (await terminalView(latest.version, latest.status)).view).ok,
      false,
    );
    await call(holderToken, "POST", "/holder/ecard/suspension", { suspended: false });
    const resumed = await call(tokens.channel, "POST", "/ecard/credentials", {
      ecardId,
      devicePublicKey: device.publicKey,
    });
    assert.equal(resumed.status, 200, "resumed: a new credential again");

    ctx.clock.advance(5 * 3600_000);
    try {
      const late = mintCode(resumed.body.credential, device.privateKey, "identity", now());
      // Five hours on, the staff session is idle-expired: ask the service as a pharmacy directly.
      await assert.rejects(
        ctx.deps.ecard.verifyOnline(actorWith("pharmacy_operator", "330100"), {
          code: late,
          purpose: "identity",
        }),
        (e: DomainError) => e.code === "ECARD_CODE_REFUSED" && e.details?.reason === "UNUSABLE",
        "the grant has ended",
      );
    } finally {
      ctx.clock.advance(-5 * 3600_000);
    }
  });

  it("keeps one e-card password for every channel: weak ones refused, its own lockout, reset with a new face check", async () => {
    const c = await holderWithPhoto();
    const device = sm2.generateKeyPairHex();
    const made = await signUp(c.idNumber, { devicePublicKey: device.publicKey });
    const ecardId = made.body.ecardId;
    const bank = await call(tokens.admin, "POST", "/ecard/channels", {
      code: `bank-${ecardId.slice(0, 6)}`,
      name: "银行 App",
      class: "bank",
      level: 2,
      parentCode: "zj-ban",
      services: ["credential"],
    });
    const pw = (token: string, path: string, body: object) =>
      call(token, "POST", `/ecard/password${path}`, { ecardId, ...body });
    const weak = await pw(tokens.channel, "", { pin: c.idNumber.slice(6, 12) });
    assert.deepEqual([weak.status, weak.body.code], [400, "WEAK_PASSWORD"]);
    assert.equal((await pw(tokens.channel, "", { pin: "582046" })).status, 200);
    assert.equal(
      (await pw(bank.body.token, "/verify", { pin: "582046" })).status,
      200,
      "the same password in another channel",
    );
    for (let left = 5; left >= 1; left--) {
      const wrong = await pw(bank.body.token, "/verify", { pin: "000000" });
      assert.deepEqual([wrong.status, wrong.body.details.attemptsLeft], [403, left]);
    }
    const locked = await pw(tokens.channel, "/verify", { pin: "000000" });
    assert.deepEqual([locked.status, locked.body.code], [423, "ECARD_PASSWORD_LOCKED"]);
    assert.equal(
      (await pw(tokens.channel, "/verify", { pin: "582046" })).status,
      423,
      "locked for the right one too",
    );
    const stranger = await pw(tokens.channel, "/reset", {
      livePhotoBase64: photos.someoneElse.toString("base64"),
      next: "693157",
    });
    assert.deepEqual([stranger.status, stranger.body.details.reason], [422, "PHOTO_OUTDATED"]);
    const reset = await pw(tokens.channel, "/reset", {
      livePhotoBase64: photos.live.toString("base64"),
      next: "693157",
    });
    assert.equal(reset.status, 200, JSON.stringify(reset.body));
    assert.equal((await pw(bank.body.token, "/verify", { pin: "693157" })).status, 200);
    const changed = await pw(tokens.channel, "/change", { current: "693157", next: "582046" });
    assert.equal(changed.status, 200);
    assert.equal(
      (await pw(bank.body.token, "/verify", { pin: "693157" })).status,
      403,
      "the old one is gone everywhere",
    );
  });

  it("revoking a loss ends the holder's authorisation: a new loss needs a new one", async () => {
    const c = await holderWithPhoto();
    const device = sm2.generateKeyPairHex();
    const made = await signUp(c.idNumber, { devicePublicKey: device.publicKey });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const ecardId = made.body.ecardId;
    const holder = await ctx.deps.holder.login({
      idNumber: c.idNumber,
      pin: initialPin(c.cardNumber, { initialPassword: { rule: "card_number_last6" } }),
      source: "127.0.0.1",
    });
    const credential = () =>
      call(tokens.channel, "POST", "/ecard/credentials", { ecardId, devicePublicKey: device.publicKey });
    await ctx.deps.cards.reportTemporaryLoss(SYSTEM_ACTOR, c.cardNumber);
    const granted = await call(holder.token, "POST", "/holder/ecard/authorisations", { hours: 72 });
    assert.equal(granted.status, 201, JSON.stringify(granted.body));
    assert.equal((await credential()).status, 200, "usable within the grant");
    await ctx.deps.cards.revokeTemporaryLoss(actorWith("outlet_clerk", "330100"), c.cardNumber, {
      holderIdNumber: c.idNumber,
    });
    await ctx.deps.cards.reportTemporaryLoss(SYSTEM_ACTOR, c.cardNumber);
    const after = await credential();
    assert.deepEqual([after.status, after.body.code], [409, "ECARD_UNUSABLE"], "the old grant is over");
  });

  it("50 wrong e-card passwords at once lock it at exactly the threshold; the right one is then refused", async () => {
    const c = await holderWithPhoto();
    const made = await signUp(c.idNumber, { devicePublicKey: sm2.generateKeyPairHex().publicKey });
    const ecardId = made.body.ecardId;
    const pw = (path: string, body: object) =>
      call(tokens.channel, "POST", `/ecard/password${path}`, { ecardId, ...body });
    assert.equal((await pw("", { pin: "582046" })).status, 200);
    const answers = await Promise.all(Array.from({ length: 50 }, () => pw("/verify", { pin: "000000" })));
    const codes = answers.map((a) => a.body.code);
    assert.equal(codes.filter((code) => code === "ECARD_PASSWORD_WRONG").length, 5, codes.join(" "));
    assert.equal(codes.filter((code) => code === "ECARD_PASSWORD_LOCKED").length, 45);
    assert.deepEqual(
      answers
        .filter((a) => a.body.code === "ECARD_PASSWORD_WRONG")
        .map((a) => a.body.details.attemptsLeft)
        .sort(),
      [1, 2, 3, 4, 5],
    );
    const right = await pw("/verify", { pin: "582046" });
    assert.deepEqual([right.status, right.body.code], [423, "ECARD_PASSWORD_LOCKED"]);
  });

  it("signs up without a face through a counter ticket, once, and the card's issue issues its e-card", async () => {
    const c = await cardInState(ctx.deps, "active", { name: "卡主" });
    const card = await ctx.deps.cards.getByNumber(SYSTEM_ACTOR, c.cardNumber);
    const issued = await ctx.deps.database.db
      .selectFrom("ecards")
      .select("id")
      .where("card_id", "=", card.id)
      .execute();
    assert.equal(issued.length, 1, "issuing the card issued its e-card");
    const wrongId = await call(tokens.clerk, "POST", "/ecard/counter-tickets", {
      idNumber: c.idNumber,
      holderIdNumber: `${c.idNumber.slice(0, 17)}${c.idNumber[17] === "0" ? "1" : "0"}`,
    });
    assert.ok(wrongId.status >= 400);
    const ticket = await call(tokens.clerk, "POST", "/ecard/counter-tickets", {
      idNumber: c.idNumber,
      holderIdNumber: c.idNumber,
    });
    assert.equal(ticket.status, 201);
    const device = sm2.generateKeyPairHex();
    const body = {
      name: "卡主",
      idNumber: c.idNumber,
      consentTextVersion: PRIVACY_TEXT_VERSION,
      realName: { name: "卡主", idNumber: c.idNumber },
      counterTicket: ticket.body.ticket,
      devicePublicKey: device.publicKey,
    };
    const made = await call(tokens.channel, "POST", "/ecard/signups", body);
    assert.equal(made.status, 201, JSON.stringify(made.body));
    assert.equal(made.body.ecardId, issued[0].id, "the card's own e-card");
    const again = await call(tokens.channel, "POST", "/ecard/signups", body);
    assert.deepEqual([again.status, again.body.code], [422, "COUNTER_TICKET_INVALID"]);
  });

  it("family service: an adult relative by their own face, a child by a guardian's photo, up to the area's slots, removable", async () => {
    await ctx.deps.areas.addPolicyVersion(SYSTEM_ACTOR, "330100", {
      effectiveFrom: "2026-11-22",
      policy: { ...NATIONAL_DEFAULT_POLICY, familyServiceSlots: 2 },
    });
    const holder = await cardInState(ctx.deps, "active", { name: "卡主" });
    const ticket = await call(tokens.clerk, "POST", "/ecard/counter-tickets", {
      idNumber: holder.idNumber,
      holderIdNumber: holder.idNumber,
    });
    const device = sm2.generateKeyPairHex();
    const made = await call(tokens.channel, "POST", "/ecard/signups", {
      name: "卡主",
      idNumber: holder.idNumber,
      consentTextVersion: PRIVACY_TEXT_VERSION,
      realName: { name: "卡主", idNumber: holder.idNumber },
      counterTicket: ticket.body.ticket,
      devicePublicKey: device.publicKey,
    });
    const relativeWithPhoto = async (name: string, birth: string, identity?: Buffer) => {
      const idNumber = newIdNumber("330106", birth);
      await ctx.deps.persons.register(SYSTEM_ACTOR, { idNumber, name, ethnicity: "01", areaCode: "330100" });
      await cardInState(ctx.deps, "active", { idNumber });
      if (identity) {
        const p = await ctx.deps.persons.findByIdNumber(SYSTEM_ACTOR, idNumber);
        await call(tokens.clerk, "PUT", `/persons/${p.id}/photo`, {
          jpegBase64: identity.toString("base64"),
          takenOn: "2020-01-01",
        });
      }
      return { idNumber, name };
    };
    const grandma = await relativeWithPhoto("王奶奶", "1950-02-02", photos.relativeIdentity);
    const child = await relativeWithPhoto("小宝", "2018-06-06");
    const add = (
      relative: { idNumber: string; name: string },
      relationship: string,
      photo: Buffer,
      over = {},
    ) =>
      call(tokens.channel, "POST", "/ecard/family", {
        ecardId: made.body.ecardId,
        relative,
        relationship,
        photoBase64: photo.toString("base64"),
        devicePublicKey: device.publicKey,
        ...over,
      });
    const wrongFace = await add(grandma, "parent", photos.live);
    assert.deepEqual([wrongFace.status, wrongFace.body.code], [422, "FACE_VERIFICATION_FAILED"]);
    const gran = await add(grandma, "parent", photos.relativeLive);
    assert.equal(gran.status, 201, JSON.stringify(gran.body));
    const notGuardian = await add(child, "spouse", photos.live);
    assert.equal(notGuardian.status, 400, "a child is added by a guardian");
    const noPhotoConsent = await add(child, "child", photos.live);
    assert.deepEqual(
      [noPhotoConsent.status, noPhotoConsent.body.code],
      [400, "BIOMETRIC_CONSENT_REQUIRED"],
      "the child's photo is kept, so the guardian consents to that separately",
    );
    const kid = await add(child, "child", photos.live, { photoConsentTextVersion: BIOMETRIC_TEXT_VERSION });
    assert.equal(kid.status, 201, JSON.stringify(kid.body));
    const third = await relativeWithPhoto("李叔", "1970-03-03", photos.relativeIdentity);
    const full = await add(third, "other", photos.relativeLive);
    assert.deepEqual([full.status, full.body.code], [409, "FAMILY_SLOTS_FULL"]);

    // The holder shows the grandmother's code; a terminal accepts it for her card.
    const terminal = await terminalView();
    const code = mintCode(gran.body.credential, device.privateKey, "identity", now());
    const shown = verifyCode(code, terminal.view, "identity");
    assert.equal(shown.ok && shown.credential.nm, "王**");
    const removed = await call(tokens.channel, "POST", `/ecard/family/${gran.body.familyId}/remove`);
    assert.equal(removed.status, 200);
    const refreshed = await call(tokens.channel, "POST", "/ecard/credentials", {
      ecardId: gran.body.relativeEcardId,
      devicePublicKey: device.publicKey,
    });
    assert.equal(refreshed.status, 404, "removed: no new credential for her e-card on this device");
    const again = await add(third, "other", photos.relativeLive);
    assert.equal(again.status, 201, "a freed slot can be used again");

    // Sixteen on China's calendar at 01:30 on the birthday (still the day before in UTC): added by
    // their own face like an adult, not as a child by a guardian.
    const clock = ctx.deps.clock as ReturnType<typeof fixedClock>;
    const was = clock.now();
    const teen = await relativeWithPhoto("小周", "2010-11-23");
    clock.set("2026-11-22T17:30:00Z");
    try {
      const asAdult = await add(teen, "other", photos.live);
      assert.deepEqual([asAdult.status, asAdult.body.code], [422, "FACE_VERIFICATION_FAILED"]);
    } finally {
      clock.set(was);
    }
  });

  it("keeps a live face image only with the separate biometric consent, encrypted, until the holder withdraws it", async () => {
    const c = await holderWithPhoto();
    const person = c.person;
    const kept = () =>
      ctx.deps.database.db
        .selectFrom("kept_face_photos")
        .selectAll()
        .where("person_id", "=", person.id)
        .execute();
    const signup = (over: object) => signUp(c.idNumber, over);
    const plain = await signup({});
    assert.equal(plain.status, 201, JSON.stringify(plain.body));
    assert.equal((await kept()).length, 0, "without the biometric consent the live photo is dropped");
    const oldText = await signup({ keepPhotoConsentTextVersion: "2019-01-bio" });
    assert.deepEqual([oldText.status, oldText.body.code], [400, "BIOMETRIC_CONSENT_REQUIRED"]);
    assert.equal(oldText.body.details.textVersion, BIOMETRIC_TEXT_VERSION);
    const agreed = await signup({ keepPhotoConsentTextVersion: BIOMETRIC_TEXT_VERSION });
    assert.equal(agreed.status, 201, JSON.stringify(agreed.body));
    const rows = await kept();
    assert.equal(rows.length, 1);
    assert.equal(
      rows[0].photo_enc.includes(photos.live.toString("base64").slice(200, 260)),
      false,
      "encrypted",
    );

    const hall = await ctx.app.inject({
      method: "POST",
      url: "/api/v1/holder/login",
      payload: { idNumber: c.idNumber, pin: initialPin(c.cardNumber, NATIONAL_DEFAULT_POLICY) },
    });
    const holderToken = hall.json().token;
    const view = await call(holderToken, "GET", "/holder/ecard");
    assert.deepEqual([view.body.biometricConsent, view.body.keptFacePhotos], [true, 1]);
    const withdrawn = await call(holderToken, "POST", "/holder/ecard/biometric-consent/withdrawal");
    assert.deepEqual(withdrawn.body, { deletedPhotos: 1, withdrawnConsents: 1 });
    assert.equal((await kept()).length, 0, "deleted at once");
    const after = await call(holderToken, "GET", "/holder/ecard");
    assert.deepEqual([after.body.biometricConsent, after.body.keptFacePhotos], [false, 0]);
    const trail = await ctx.deps.database.db
      .selectFrom("audit_log")
      .select("after")
      .where("action", "=", "ecard.biometric.withdraw")
      .where("subject_id", "=", agreed.body.ecardId)
      .execute();
    assert.deepEqual(
      trail.map((r) => JSON.parse(r.after ?? "{}")),
      [{ deletedPhotos: 1, withdrawnConsents: 1 }],
      "the withdrawal is audited",
    );
  });

  it("where the area's policy says so, the e-card is unusable while the card is temporarily lost, with no authorisation", async () => {
    const c = await cardInState(ctx.deps, "active", { name: "卡主" });
    const hall = await ctx.app.inject({
      method: "POST",
      url: "/api/v1/holder/login",
      payload: { idNumber: c.idNumber, pin: initialPin(c.cardNumber, NATIONAL_DEFAULT_POLICY) },
    });
    const holderToken = hall.json().token;
    const { version: from } = await terminalView();
    await ctx.deps.areas.addPolicyVersion(SYSTEM_ACTOR, "330100", {
      effectiveFrom: "2026-11-22",
      policy: { ...NATIONAL_DEFAULT_POLICY, ecardWhileTemporarilyLost: "unavailable" },
    });
    try {
      await ctx.deps.cards.reportTemporaryLoss(SYSTEM_ACTOR, c.cardNumber);
      const mine = await call(holderToken, "GET", "/holder/ecard");
      assert.deepEqual([mine.body.scope, mine.body.reason], ["none", "lost_policy_unavailable"]);
      const refused = await call(holderToken, "POST", "/holder/ecard/authorisations", { hours: 4 });
      assert.deepEqual(
        [refused.status, refused.body.code, refused.body.details.reason],
        [409, "ECARD_UNUSABLE", "lost_policy_unavailable"],
      );
      const list = (await call(tokens.pharmacy, "GET", `/ecard/status-list?since=${from}`)).body;
      const entry = list.entries.find((e: { eid: string }) => e.eid === mine.body.ecardId);
      assert.equal(entry?.usable, false, "the card's own transaction published the change");
    } finally {
      await ctx.deps.areas.addPolicyVersion(SYSTEM_ACTOR, "330100", {
        effectiveFrom: "2026-11-22",
        policy: NATIONAL_DEFAULT_POLICY,
      });
    }
  });

  it("keeps face images out of the logs and the database (only the identity photo, encrypted)", async () => {
    assert.ok(logLines.length > 20, "the logs were captured");
    const logs = logLines.join("");
    for (const photo of [photos.live, photos.someoneElse, photos.identity, photos.relativeLive]) {
      const sample = photo.toString("base64").slice(200, 260);
      assert.equal(logs.includes(sample), false, "a photo in the logs");
    }
    const rows = JSON.stringify(await ctx.deps.database.db.selectFrom("person_photos").selectAll().execute());
    assert.equal(
      rows.includes(photos.identity.toString("base64").slice(200, 260)),
      false,
      "identity photos are encrypted",
    );
    const tables = ["audit_log", "ecard_consents", "ecards", "ecard_devices", "kept_face_photos"] as const;
    for (const table of tables) {
      const dump = JSON.stringify(await ctx.deps.database.db.selectFrom(table).selectAll().execute());
      assert.equal(
        dump.includes(photos.live.toString("base64").slice(200, 260)),
        false,
        `a live photo in ${table}`,
      );
    }
  });
});
