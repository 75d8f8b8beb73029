import assert from "node:assert/strict";
import { createCipheriv, randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { CeremonyError, ceremonyPlan, combineComponents, componentProblem } from "./ceremony.ts";
import { areaData, cardData, deriveChain, diversify, keyCheckValue } from "./derivation.ts";
import { KeyBlockError, unwrapKey, wrapKey } from "./key-block.ts";
import { softwareLmk } from "./lmk.ts";

const hex = (s: string) => Buffer.from(s, "hex");
const national = hex("0123456789ABCDEFFEDCBA9876543210");
const path = {
  province: "330000",
  city: "330100",
  cardIdCode: "330100D1560000050123456789ABCDEF",
  challenge: hex("1122334455667788"),
};
const up = (b: Buffer | undefined) => b?.toString("hex").toUpperCase();

describe("key hierarchy known-answer vectors (docs/keys.md)", () => {
  it("SM4 itself matches GB/T 32907's example", () => {
    const c = createCipheriv("sm4-ecb", national, null);
    c.setAutoPadding(false);
    assert.equal(up(Buffer.concat([c.update(national), c.final()])), "681EDF34D206965E86B3E94F536E4246");
    assert.equal(keyCheckValue("SM4", national), "2677F4");
  });

  it("SM4 chain: national → province → city → card → session", () => {
    const c = deriveChain("SM4", national, path);
    assert.deepEqual(
      [up(c.province), up(c.city), up(c.card), up(c.session)],
      [
        "DF8AB056498778AE2FCD68F421185F32",
        "8B0EDE91D4C1908131D4FD3657C8D937",
        "972431D834610B65B3600D283915D9D0",
        "86DEEE0A3B3561E379456526D25EB4E4",
      ],
    );
  });

  it("two-key TDES chain for 2.x cards", () => {
    const c = deriveChain("TDES", national, path);
    assert.deepEqual(
      [up(c.province), up(c.city), up(c.card), up(c.session)],
      [
        "C3B6C284B436F192917CBC53A32E348E",
        "15322797E846A37590056E4E9D9A1C0A",
        "28DB85D59957F02C2BDBC9DD07272F7C",
        "978ABACACD08A7743D529E9D2795BF0D",
      ],
    );
    assert.equal(keyCheckValue("TDES", national), "08D7B4");
  });

  it("builds the diversification data from area codes and card identification codes", () => {
    assert.equal(up(areaData("330100")), "330100FFFFFFFFFF");
    assert.equal(up(cardData("330100D1560000050123456789ABCDEF")), "0123456789ABCDEF");
    assert.throws(() => cardData("330100D156000005XYZ"));
  });

  it("a city's key cannot derive another city's keys", () => {
    const hz = deriveChain("SM4", national, { province: "330000", city: "330100" }).city!;
    const nb = deriveChain("SM4", national, { province: "330000", city: "330200" }).city!;
    const guess = diversify("SM4", hz, areaData("330200"));
    assert.notDeepEqual(guess, nb);
    const nbCard = diversify("SM4", nb, cardData("330200D1560000050123456789ABCDEF"));
    const fromHz = diversify("SM4", hz, cardData("330200D1560000050123456789ABCDEF"));
    assert.notDeepEqual(fromHz, nbCard, "Hangzhou's key gives a different key for a Ningbo card");
  });
});

describe("key ceremony: dual control and split knowledge", () => {
  it("XORs at least two components from different custodians, with check values", () => {
    const a = "11111111111111111111111111111111";
    const b = "22222222222222222222222222222222";
    const r = combineComponents(
      [
        { custodian: "张三", hex: a },
        { custodian: "李四", hex: b },
      ],
      "SM4",
    );
    assert.equal(up(r.key), "33333333333333333333333333333333");
    assert.equal(r.kcv, keyCheckValue("SM4", hex("33333333333333333333333333333333")));
    assert.deepEqual(
      r.componentKcvs.map((c) => c.custodian),
      ["张三", "李四"],
    );
  });

  it("refuses one component, the same custodian twice, mixed lengths, and cancelling components", () => {
    const a = "11111111111111111111111111111111";
    assert.throws(() => combineComponents([{ custodian: "a", hex: a }], "SM4"), CeremonyError);
    assert.throws(
      () =>
        combineComponents(
          [
            { custodian: "a", hex: a },
            { custodian: "A ", hex: a.replace("1", "2") },
          ],
          "SM4",
        ),
      /one custodian/,
    );
    assert.throws(
      () =>
        combineComponents(
          [
            { custodian: "a", hex: a },
            { custodian: "b", hex: "1111" },
          ],
          "SM4",
        ),
      CeremonyError,
    );
    assert.throws(
      () =>
        combineComponents(
          [
            { custodian: "a", hex: a },
            { custodian: "b", hex: a },
          ],
          "SM4",
        ),
      /cancel/,
    );
  });
});

describe("key ceremonies from the administrators' pages: what each makes", () => {
  it("a typed component is hex of a key's length for its algorithm", () => {
    assert.equal(componentProblem("11".repeat(16), "SM4"), undefined);
    assert.equal(componentProblem("11".repeat(24), "TDES"), undefined);
    assert.equal(componentProblem("11".repeat(24), "SM4"), "length");
    assert.equal(componentProblem("1".repeat(31), "SM4"), "not_hex");
    assert.equal(componentProblem("zz".repeat(16), "SM4"), "not_hex");
    assert.equal(componentProblem("", "SM4"), "not_hex");
  });

  it("national and transport keys take two custodians' components; local and CA keys are generated; what a kind needs is asked for", () => {
    assert.deepEqual(ceremonyPlan({ kind: "national", keyType: "purchase", version: 2 }), {
      label: "nat-purchase-SM4-v2",
      algorithm: "SM4",
      areaCode: null,
      components: 2,
    });
    assert.deepEqual(ceremonyPlan({ kind: "transport", areaCode: "330200", party: "factory", version: 1 }), {
      label: "tk-factory-330200-SM4-v1",
      algorithm: "SM4",
      areaCode: "330200",
      components: 2,
    });
    assert.equal(
      (ceremonyPlan({ kind: "local", areaCode: "330200", version: 1 }) as { components: number }).components,
      0,
    );
    assert.deepEqual(ceremonyPlan({ kind: "ca", areaCode: "330200", version: 3 }), {
      label: "ca-330200-SM2-v3",
      algorithm: "SM2",
      areaCode: "330200",
      components: 0,
    });
    const required = "required for this kind of ceremony";
    assert.deepEqual(ceremonyPlan({ kind: "national", version: 1 }), { refused: `keyType: ${required}` });
    assert.deepEqual(ceremonyPlan({ kind: "transport", areaCode: "330200", version: 1 }), {
      refused: `party: ${required}`,
    });
    assert.deepEqual(ceremonyPlan({ kind: "local", version: 1 }), { refused: `areaCode: ${required}` });
    assert.deepEqual(ceremonyPlan({ kind: "transport", areaCode: "330200", party: "ministry", version: 1 }), {
      refused: "areaCode: a province code (XX0000) for the ministry's transport key",
    });
  });
});

describe("key blocks under the LMK", () => {
  const lmk = softwareLmk(randomBytes(32));
  const header = {
    usage: "external_auth",
    algorithm: "SM4" as const,
    keyVersion: 1,
    exportability: "N" as const,
    label: "nat-ea-v1",
  };

  it("wraps and unwraps; the block holds neither the key nor its check value", () => {
    const key = randomBytes(16);
    const block = wrapKey(lmk, header, key);
    assert.ok(
      !block.includes(key.toString("hex")) && !block.toUpperCase().includes(keyCheckValue("SM4", key)),
    );
    assert.deepEqual(unwrapKey(lmk, block, "external_auth").key, key);
  });

  it("refuses a changed header, another LMK, and the wrong usage", () => {
    const block = wrapKey(lmk, header, randomBytes(16));
    const [h, body] = block.split(".");
    const forged = `${Buffer.from(Buffer.from(h, "base64url").toString().replace("external_auth", "mac")).toString("base64url")}.${body}`;
    assert.throws(() => unwrapKey(lmk, forged), KeyBlockError);
    assert.throws(() => unwrapKey(softwareLmk(randomBytes(32)), block), KeyBlockError);
    assert.throws(() => unwrapKey(lmk, block, "mac"), /usage/);
  });
});
