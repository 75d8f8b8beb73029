import assert from "node:assert/strict";
import { before, it } from "node:test";
import { forEachDialect } from "../../../test/db.ts";
import { cropFace, samplePhoto } from "../../../test/faces.ts";
import {
  callAs,
  cardInState,
  type Method,
  newIdNumber,
  seedAreas,
  staffToken,
  useTestApp,
} from "../../../test/fixtures.ts";
import { NATIONAL_DEFAULT_POLICY } from "../../modules/areas/areas.rules.ts";
import { initialPin } from "../../modules/credentials/pin.rules.ts";
import { PRIVACY_TEXT_VERSION } from "../../modules/ecard/ecard.service.ts";
import { mintCode, newDeviceKey, verifyCode } from "../../modules/ecard/ecard-code.ts";
import { createFaceApiVerifier } from "../../modules/ecard/face.ts";
import { SYSTEM_ACTOR } from "../../shared/auth.ts";

/** The online hall's channel (migration 0021). */
const HALL_CHANNEL_ID = "00000000-0000-4000-8000-0000000000a1";

forEachDialect("the online hall as an e-card channel", (dialect) => {
  const ctx = useTestApp(dialect);
  const tokens = {} as { clerk: string; pharmacy: string; channel: string; admin: string };
  let faces: { identity: Buffer; live: Buffer; someoneElse: Buffer };

  before(async () => {
    await seedAreas(ctx.deps);
    const verifier = createFaceApiVerifier();
    const crops = async (n: number) => {
      const img = samplePhoto(n);
      const [face] = (await verifier.faces(img)).sort((a, b) => b.box.width - a.box.width);
      return (grow: number, exposure = 1) => cropFace(img, face.box, grow, exposure);
    };
    const one = await crops(1);
    const other = await crops(2);
    faces = { identity: one(1.8), live: one(2.2, 0.9), someoneElse: other(2) };
    tokens.clerk = await staffToken(ctx.deps, "hall.clerk", "outlet_clerk", "330100");
    tokens.pharmacy = await staffToken(ctx.deps, "hall.pharmacy", "pharmacy_operator", "330100");
    tokens.admin = await staffToken(ctx.deps, "hall.admin", "city_admin", "330100");
    const made = await call(tokens.admin, "POST", "/ecard/channels", {
      code: "hall-test-app",
      name: "测试应用",
      class: "government",
      level: 1,
      services: ["signup", "credential", "identity_code", "payment_code"],
    });
    tokens.channel = made.body.token;
  });

  const call = (token: string, method: Method, url: string, payload?: object) =>
    callAs(ctx.app, token)(method, url, payload);
  const now = () => Math.floor(ctx.clock.now().getTime() / 1000);

  /** A holder signed up in an app (counter ticket), then signed in to the hall with the card's password. */
  async function hallHolder(name = "卡主", birth = "1980-01-01") {
    const idNumber = newIdNumber("330106", birth);
    await ctx.deps.persons.register(SYSTEM_ACTOR, { idNumber, name, ethnicity: "01", areaCode: "330100" });
    const c = await cardInState(ctx.deps, "active", { idNumber });
    const ticket = await call(tokens.clerk, "POST", "/ecard/counter-tickets", {
      idNumber,
      holderIdNumber: idNumber,
    });
    const app = newDeviceKey();
    const signed = await call(tokens.channel, "POST", "/ecard/signups", {
      name,
      idNumber,
      consentTextVersion: PRIVACY_TEXT_VERSION,
      realName: { name, idNumber },
      counterTicket: ticket.body.ticket,
      devicePublicKey: app.publicKey,
    });
    assert.equal(signed.status, 201, JSON.stringify(signed.body));
    const login = await ctx.app.inject({
      method: "POST",
      url: "/api/v1/holder/login",
      payload: { idNumber, pin: initialPin(c.cardNumber, NATIONAL_DEFAULT_POLICY) },
    });
    return {
      ...c,
      idNumber,
      name,
      token: login.json().token as string,
      ecardId: signed.body.ecardId as string,
    };
  }

  /** The counter takes the person's identity photo (the face checks compare with it). */
  async function identityPhoto(idNumber: string) {
    const person = await ctx.deps.persons.findByIdNumber(SYSTEM_ACTOR, idNumber);
    const res = await call(tokens.clerk, "PUT", `/persons/${person.id}/photo`, {
      jpegBase64: faces.identity.toString("base64"),
      takenOn: "2024-05-01",
    });
    assert.equal(res.status, 204);
  }

  /** A terminal's offline view: the issuer keys and an empty status list. */
  const terminal = async () => ({
    issuerKeys: (await call(tokens.pharmacy, "GET", "/ecard/issuer-keys")).body,
    status: new Map(),
    now: now(),
  });

  it("sets the e-card password in the hall, binds the browser after it, and the browser's codes pass a terminal and pay once", async () => {
    const h = await hallHolder();
    const before = await call(h.token, "GET", "/holder/ecard");
    assert.deepEqual([before.body.passwordSet, before.body.passwordLocked], [false, false]);
    const browser = newDeviceKey();
    const early = await call(h.token, "POST", "/holder/ecard/devices", {
      devicePublicKey: browser.publicKey,
      pin: "582046",
    });
    assert.deepEqual([early.status, early.body.code], [409, "ECARD_PASSWORD_NOT_SET"]);

    const weak = await call(h.token, "POST", "/holder/ecard/password", { ecardId: h.ecardId, pin: "123456" });
    assert.deepEqual([weak.status, weak.body.code], [400, "WEAK_PASSWORD"]);
    const other = await hallHolder("别人");
    const notMine = await call(other.token, "POST", "/holder/ecard/password", {
      ecardId: h.ecardId,
      pin: "582046",
    });
    assert.deepEqual(
      [notMine.status, notMine.body.code],
      [404, "ECARD_NOT_FOUND"],
      "another holder's e-card",
    );
    const set = await call(h.token, "POST", "/holder/ecard/password", { ecardId: h.ecardId, pin: "582046" });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    assert.equal((await call(h.token, "GET", "/holder/ecard")).body.passwordSet, true);

    const wrong = await call(h.token, "POST", "/holder/ecard/devices", {
      devicePublicKey: browser.publicKey,
      pin: "582047",
    });
    assert.deepEqual([wrong.status, wrong.body.code], [403, "ECARD_PASSWORD_WRONG"]);
    // The same browser twice at once: bound once, one credential each.
    const [bound, twice] = await Promise.all(
      [1, 2].map(() =>
        call(h.token, "POST", "/holder/ecard/devices", { devicePublicKey: browser.publicKey, pin: "582046" }),
      ),
    );
    assert.deepEqual([bound.status, twice.status], [201, 201], JSON.stringify([bound.body, twice.body]));
    const devices = await ctx.deps.database.db
      .selectFrom("ecard_devices")
      .select("id")
      .where("ecard_id", "=", h.ecardId)
      .where("channel_id", "=", HALL_CHANNEL_ID)
      .execute();
    assert.equal(devices.length, 1);

    // The browser makes its codes; a terminal verifies the identity code offline, with the hall as channel.
    const identity = verifyCode(
      mintCode(bound.body.credential, browser.privateKey, "identity", now()),
      await terminal(),
      "identity",
    );
    assert.ok(identity.ok);
    assert.equal(identity.credential.ch, "hall");
    assert.equal(identity.credential.nm, "卡*");
    const payment = mintCode(bound.body.credential, browser.privateKey, "payment", now());
    const paid = await call(tokens.pharmacy, "POST", "/ecard/codes/verify", {
      code: payment,
      purpose: "payment",
    });
    assert.equal(paid.status, 200, JSON.stringify(paid.body));
    const replay = await call(tokens.pharmacy, "POST", "/ecard/codes/verify", {
      code: payment,
      purpose: "payment",
    });
    assert.deepEqual([replay.body.code, replay.body.details.reason], ["ECARD_CODE_REFUSED", "REPLAYED"]);
    const forged = verifyCode(
      mintCode(bound.body.credential, newDeviceKey().privateKey, "identity", now()),
      await terminal(),
    );
    assert.deepEqual(forged, { ok: false, reason: "BAD_DEVICE_SIGNATURE" });

    // A fresh credential the next day: only for a browser bound to this holder's e-card.
    const fresh = await call(h.token, "POST", "/holder/ecard/credentials", {
      ecardId: h.ecardId,
      devicePublicKey: browser.publicKey,
    });
    assert.equal(fresh.status, 200);
    const unbound = await call(h.token, "POST", "/holder/ecard/credentials", {
      ecardId: h.ecardId,
      devicePublicKey: newDeviceKey().publicKey,
    });
    assert.equal(unbound.status, 404);
    const stranger = await call(other.token, "POST", "/holder/ecard/credentials", {
      ecardId: h.ecardId,
      devicePublicKey: browser.publicKey,
    });
    assert.equal(stranger.status, 404, "another holder's session gets nothing for this browser's key");

    // The password changed in the hall is the one every app checks.
    const badChange = await call(h.token, "POST", "/holder/ecard/password/change", {
      ecardId: h.ecardId,
      current: "000000",
      next: "613902",
    });
    assert.deepEqual([badChange.status, badChange.body.code], [403, "ECARD_PASSWORD_WRONG"]);
    const changed = await call(h.token, "POST", "/holder/ecard/password/change", {
      ecardId: h.ecardId,
      current: "582046",
      next: "613902",
    });
    assert.equal(changed.status, 200);
    const inApp = await call(tokens.channel, "POST", "/ecard/password/verify", {
      ecardId: h.ecardId,
      pin: "613902",
    });
    assert.equal(inApp.status, 200);

    // An administrator suspends the hall channel: no new binding, no fresh credential.
    await call(tokens.admin, "POST", `/ecard/channels/${HALL_CHANNEL_ID}/state`, { state: "suspended" });
    try {
      const refused = await call(h.token, "POST", "/holder/ecard/credentials", {
        ecardId: h.ecardId,
        devicePublicKey: browser.publicKey,
      });
      assert.deepEqual([refused.status, refused.body.code], [403, "CHANNEL_SUSPENDED"]);
    } finally {
      await call(tokens.admin, "POST", `/ecard/channels/${HALL_CHANNEL_ID}/state`, { state: "active" });
    }
    const audit = await ctx.deps.database.db
      .selectFrom("audit_log")
      .select("action")
      .where("subject_id", "=", h.ecardId)
      .execute();
    const actions = audit.map((a) => a.action);
    for (const a of [
      "ecard.password.set",
      "ecard.password.wrong",
      "ecard.device.bind",
      "ecard.password.change",
    ])
      assert.ok(actions.includes(a), `${a} is audited`);
  });

  it("locks the e-card password at the threshold under concurrent wrong entries in the hall, and a reset with the holder's face unlocks it", async () => {
    const h = await hallHolder();
    await identityPhoto(h.idNumber);
    await call(h.token, "POST", "/holder/ecard/password", { ecardId: h.ecardId, pin: "582046" });
    const browser = newDeviceKey();
    const attempts = await Promise.all(
      Array.from({ length: 10 }, () =>
        call(h.token, "POST", "/holder/ecard/devices", { devicePublicKey: browser.publicKey, pin: "000000" }),
      ),
    );
    const codes = attempts.map((a) => a.body.code);
    const threshold = NATIONAL_DEFAULT_POLICY.lockout.threshold;
    assert.equal(codes.filter((c) => c === "ECARD_PASSWORD_WRONG").length, threshold - 1);
    assert.equal(codes.filter((c) => c === "ECARD_PASSWORD_LOCKED").length, 10 - threshold + 1);
    const view = await call(h.token, "GET", "/holder/ecard");
    assert.equal(view.body.passwordLocked, true);
    const locked = await call(h.token, "POST", "/holder/ecard/devices", {
      devicePublicKey: browser.publicKey,
      pin: "582046",
    });
    assert.deepEqual([locked.status, locked.body.code], [423, "ECARD_PASSWORD_LOCKED"]);

    const notMe = await call(h.token, "POST", "/holder/ecard/password/reset", {
      ecardId: h.ecardId,
      livePhotoBase64: faces.someoneElse.toString("base64"),
      next: "613902",
    });
    assert.deepEqual([notMe.status, notMe.body.code], [422, "FACE_VERIFICATION_FAILED"]);
    const reset = await call(h.token, "POST", "/holder/ecard/password/reset", {
      ecardId: h.ecardId,
      livePhotoBase64: faces.live.toString("base64"),
      next: "613902",
    });
    assert.equal(reset.status, 200, JSON.stringify(reset.body));
    const bound = await call(h.token, "POST", "/holder/ecard/devices", {
      devicePublicKey: browser.publicKey,
      pin: "613902",
    });
    assert.equal(bound.status, 201);
  });

  it("keeps the family in the hall: adds a relative by their face, lists them masked, shows their code, and removes them without touching the relative's own devices", async () => {
    const h = await hallHolder("持卡人", "1975-05-05");
    const browser = newDeviceKey();
    await call(h.token, "POST", "/holder/ecard/password", { ecardId: h.ecardId, pin: "582046" });
    await call(h.token, "POST", "/holder/ecard/devices", {
      devicePublicKey: browser.publicKey,
      pin: "582046",
    });
    // The relative has an e-card of their own, in the hall on their own browser.
    const gran = await hallHolder("王奶奶", "1950-02-02");
    await identityPhoto(gran.idNumber);
    await call(gran.token, "POST", "/holder/ecard/password", { ecardId: gran.ecardId, pin: "691357" });
    const granBrowser = newDeviceKey();
    await call(gran.token, "POST", "/holder/ecard/devices", {
      devicePublicKey: granBrowser.publicKey,
      pin: "691357",
    });

    const add = (token: string, ecardId: string, photo: Buffer) =>
      call(token, "POST", "/holder/ecard/family", {
        ecardId,
        relative: { idNumber: gran.idNumber, name: gran.name },
        relationship: "parent",
        photoBase64: photo.toString("base64"),
        devicePublicKey: browser.publicKey,
      });
    const stranger = await hallHolder("路人");
    const notTheirs = await add(stranger.token, h.ecardId, faces.live);
    assert.deepEqual([notTheirs.status, notTheirs.body.code], [404, "ECARD_NOT_FOUND"]);
    const wrongFace = await add(h.token, h.ecardId, faces.someoneElse);
    assert.deepEqual([wrongFace.status, wrongFace.body.code], [422, "FACE_VERIFICATION_FAILED"]);
    const added = await add(h.token, h.ecardId, faces.live);
    assert.equal(added.status, 201, JSON.stringify(added.body));

    const family = await call(h.token, "GET", "/holder/ecard/family");
    assert.equal(family.status, 200);
    assert.equal(family.body.length, 1);
    assert.equal(family.body[0].nameMasked, "王**");
    assert.match(family.body[0].idNumberMasked, /^\d{3}\*{11}\d{3}[\dX]$/);
    assert.ok(!JSON.stringify(family.body).includes(gran.idNumber), "the relative's ID number is masked");
    assert.equal(family.body[0].ecardId, gran.ecardId);
    assert.deepEqual((await call(stranger.token, "GET", "/holder/ecard/family")).body, []);

    const forGran = await call(h.token, "POST", "/holder/ecard/credentials", {
      ecardId: gran.ecardId,
      devicePublicKey: browser.publicKey,
    });
    assert.equal(forGran.status, 200);
    const shown = verifyCode(
      mintCode(forGran.body.credential, browser.privateKey, "identity", now()),
      await terminal(),
    );
    assert.equal(shown.ok && shown.credential.eid, gran.ecardId);

    const removedByStranger = await call(
      stranger.token,
      "POST",
      `/holder/ecard/family/${added.body.familyId}/remove`,
    );
    assert.equal(removedByStranger.status, 404);
    const removed = await call(h.token, "POST", `/holder/ecard/family/${added.body.familyId}/remove`);
    assert.equal(removed.status, 200);
    const gone = await call(h.token, "POST", "/holder/ecard/credentials", {
      ecardId: gran.ecardId,
      devicePublicKey: browser.publicKey,
    });
    assert.equal(gone.status, 404, "the holder's browser lost the relative's e-card");
    const hers = await call(gran.token, "POST", "/holder/ecard/credentials", {
      ecardId: gran.ecardId,
      devicePublicKey: granBrowser.publicKey,
    });
    assert.equal(hers.status, 200, "the relative's own browser keeps her e-card");
  });

  it("keeps the area's family slots and records a removal once when the same requests come twice at once", async () => {
    await ctx.deps.areas.addPolicyVersion(SYSTEM_ACTOR, "330100", {
      effectiveFrom: "2026-11-22",
      policy: { ...NATIONAL_DEFAULT_POLICY, familyServiceSlots: 1 },
    });
    const h = await hallHolder("并发人", "1976-06-06");
    const browser = newDeviceKey();
    const relatives = [await hallHolder("亲甲", "1951-01-01"), await hallHolder("亲乙", "1952-02-02")];
    for (const r of relatives) await identityPhoto(r.idNumber);
    const adds = await Promise.all(
      relatives.map((r) =>
        call(h.token, "POST", "/holder/ecard/family", {
          ecardId: h.ecardId,
          relative: { idNumber: r.idNumber, name: r.name },
          relationship: "parent",
          photoBase64: faces.live.toString("base64"),
          devicePublicKey: browser.publicKey,
        }),
      ),
    );
    assert.deepEqual(
      adds.map((a) => a.status).sort(),
      [201, 409],
      `one slot: one relative in, the other refused: ${JSON.stringify(adds.map((a) => a.body))}`,
    );
    assert.ok(adds.some((a) => a.body.code === "FAMILY_SLOTS_FULL"));
    assert.equal((await call(h.token, "GET", "/holder/ecard/family")).body.length, 1);

    const familyId = adds.find((a) => a.status === 201)!.body.familyId as string;
    const removes = await Promise.all(
      [1, 2].map(() => call(h.token, "POST", `/holder/ecard/family/${familyId}/remove`)),
    );
    assert.deepEqual(removes.map((r) => r.status).sort(), [200, 404]);
    const recorded = await ctx.deps.database.db
      .selectFrom("audit_log")
      .select("action")
      .where("action", "=", "ecard.family.remove")
      .where("after", "like", `%${familyId}%`)
      .execute();
    assert.equal(recorded.length, 1, "one removal, one audit record");
  });
});
