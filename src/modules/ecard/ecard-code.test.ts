import assert from "node:assert/strict";
import { randomBytes, randomInt } from "node:crypto";
import { describe, it } from "node:test";
import { sm2 } from "sm-crypto-v2";
import { ecardPasswordProblem, ecardUsability } from "./ecard.rules.ts";
import { type Credential, mintCode, signCredential, type TerminalView, verifyCode } from "./ecard-code.ts";

const issuer = sm2.generateKeyPairHex();
const device = sm2.generateKeyPairHex();
const NOW = 1_795_300_000;

function credential(overrides: Partial<Credential> = {}): Credential {
  return {
    v: 1,
    iss: "sscard-ecard-1",
    eid: randomBytes(16).toString("hex"),
    dk: sm2.compressPublicKeyHex(device.publicKey),
    nm: "张*",
    cn: "A1****78",
    ar: "330100",
    sv: 3,
    ch: "hz-app",
    iat: NOW - 100,
    exp: NOW + 86_400,
    ...overrides,
  };
}
const terminal = (over: Partial<TerminalView> = {}): TerminalView => ({
  issuerKeys: { "sscard-ecard-1": issuer.publicKey },
  status: new Map(),
  now: NOW,
  ...over,
});

describe("e-card codes verified offline", () => {
  it("accepts a fresh code of the expected type and refuses each kind of bad code with its own reason", () => {
    const cred = credential();
    const signed = signCredential(cred, issuer.privateKey);
    const pay = mintCode(signed, device.privateKey, "payment", NOW - 5);
    const ok = verifyCode(pay, terminal(), "payment");
    assert.equal(ok.ok, true);
    assert.equal(ok.ok && ok.credential.eid, cred.eid);
    const reason = (code: string, t = terminal(), type?: "payment" | "identity") => {
      const r = verifyCode(code, t, type);
      return r.ok ? "OK" : r.reason;
    };
    assert.equal(reason(pay, terminal(), "identity"), "WRONG_TYPE");
    assert.equal(reason(mintCode(signed, device.privateKey, "identity", NOW - 200)), "CODE_EXPIRED");
    assert.equal(reason(mintCode(signed, device.privateKey, "identity", NOW + 300)), "CODE_EXPIRED");
    assert.equal(reason(pay, terminal({ now: cred.exp + 1 })), "CREDENTIAL_EXPIRED");
    assert.equal(reason(pay, terminal({ issuerKeys: {} })), "UNKNOWN_ISSUER");
    const other = sm2.generateKeyPairHex();
    assert.equal(
      reason(pay, terminal({ issuerKeys: { "sscard-ecard-1": other.publicKey } })),
      "BAD_ISSUER_SIGNATURE",
    );
    assert.equal(
      reason(mintCode(signed, other.privateKey, "payment", NOW)),
      "BAD_DEVICE_SIGNATURE",
      "a code signed by another device",
    );
    const [prefix, c, cSig, p, dSig] = pay.split(".");
    const richer = Buffer.from(JSON.stringify({ ...cred, sv: 99 })).toString("base64url");
    assert.equal(
      reason([prefix, richer, cSig, p, dSig].join(".")),
      "BAD_ISSUER_SIGNATURE",
      "a forged credential",
    );
    const later = Buffer.from(JSON.stringify({ t: "p", ts: NOW, n: "0011223344556677" })).toString(
      "base64url",
    );
    assert.equal(
      reason([prefix, c, cSig, later, dSig].join(".")),
      "BAD_DEVICE_SIGNATURE",
      "a tampered payload",
    );
    assert.equal(
      reason(pay, terminal({ status: new Map([[cred.eid, { sv: 4, usable: false }]]) })),
      "STATUS_CHANGED",
      "minted before a loss report the terminal has heard of",
    );
    assert.equal(
      reason(pay, terminal({ status: new Map([[cred.eid, { sv: 3, usable: false }]]) })),
      "UNUSABLE",
    );
    assert.equal(reason("SSC1.x.y.z.w"), "MALFORMED");
    assert.equal(reason("not a code"), "MALFORMED");
  });

  it("signs with the format's empty SM2 ID: another SM2 library agrees, a standard-ID signature is refused", () => {
    for (let i = 0; i < 50; i++) {
      const d = sm2.generateKeyPairHex();
      const cred = credential({ dk: i % 2 ? d.publicKey : sm2.compressPublicKeyHex(d.publicKey) });
      const signed = signCredential(cred, issuer.privateKey);
      const code = mintCode(signed, d.privateKey, "identity", NOW);
      assert.equal(verifyCode(code, terminal()).ok, true);
      const [, c, cSig, p, dSig] = code.split(".");
      const hex = (b64: string) => Buffer.from(b64, "base64url").toString("hex");
      // sm-crypto-v2's own verification (pure JavaScript) with the empty ID accepts what OpenSSL accepted.
      assert.equal(
        sm2.doVerifySignature(`SSC1.cred.${c}`, hex(cSig), issuer.publicKey, { hash: true, userId: "" }),
        true,
      );
      assert.equal(
        sm2.doVerifySignature(`${c}.${p}`, hex(dSig), d.publicKey, { hash: true, userId: "" }),
        true,
      );
      const standardId = sm2.doSignature(`${c}.${p}`, d.privateKey, {
        hash: true,
        userId: "1234567812345678",
      });
      const wrongId = ["SSC1", c, cSig, p, Buffer.from(standardId, "hex").toString("base64url")].join(".");
      const r = verifyCode(wrongId, terminal());
      assert.equal(r.ok ? "OK" : r.reason, "BAD_DEVICE_SIGNATURE");
    }
  });

  it("never throws and never accepts a changed code across 10,000 random and mutated inputs", () => {
    const cred = credential();
    const code = mintCode(signCredential(cred, issuer.privateKey), device.privateKey, "payment", NOW);
    const view = terminal();
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";
    for (let i = 0; i < 10_000; i++) {
      let input: string;
      if (i % 4 === 0) input = randomBytes(randomInt(0, 300)).toString("latin1");
      else {
        const chars = [...code];
        for (let f = randomInt(1, 4); f > 0; f--)
          chars[randomInt(chars.length)] = alphabet[randomInt(alphabet.length)];
        input = i % 7 === 0 ? chars.join("").slice(0, randomInt(chars.length)) : chars.join("");
      }
      const r = verifyCode(input, view);
      if (r.ok) {
        // base64url's last character can carry unused bits: only a code that decodes to the same
        // credential and payload may pass.
        assert.equal(r.credential.eid, cred.eid);
        assert.equal(r.payload.ts, NOW);
      }
    }
  });
});

describe("e-card rules", () => {
  it("follows the physical card: active, archived for queries, lost only with authorisation, gone when cancelled", () => {
    const u = (cardState: Parameters<typeof ecardUsability>[0]["cardState"], extra = {}) =>
      ecardUsability({
        cardState,
        ecardSuspended: false,
        authorisationActive: false,
        policy: "with_holder_authorisation",
        ...extra,
      }).scope;
    assert.equal(u("active"), "all");
    assert.equal(u("archived"), "query");
    assert.equal(u("temporarily_lost"), "none");
    assert.equal(u("temporarily_lost", { authorisationActive: true }), "all");
    assert.equal(u("temporarily_lost", { authorisationActive: true, policy: "unavailable" }), "none");
    assert.equal(u("cancelled"), "none");
    assert.equal(u("active", { ecardSuspended: true }), "none");
  });

  it("refuses weak e-card passwords, including any 6 digits of the ID number", () => {
    const holder = { idNumber: "330106198504120310", birthDate: "1985-04-12" };
    assert.equal(ecardPasswordProblem("123456", holder), "sequence");
    assert.equal(ecardPasswordProblem("777777", holder), "same_digit");
    assert.equal(ecardPasswordProblem("198504", holder), "id_number");
    assert.equal(ecardPasswordProblem("850412", holder), "birth_date");
    assert.equal(ecardPasswordProblem("582046", holder), undefined);
  });
});
