import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { keyCheckValue } from "../keys/derivation.ts";
import {
  pinForTransport,
  pinOfTransportBlock,
  unwrapUnderTransport,
  wrapUnderTransport,
} from "../keys/transport.ts";
import { FactoryRecordError, factoryRecord, imageFromFactoryRecord, personalise } from "./personalise.ts";

const data = {
  cardIdCode: "330100D1560000050123456789ABCDEF",
  cardNumber: "A12345678",
  cardType: "standard",
  specVersion: "3.00",
  issuerId: "3301000001",
  issueDate: "2026-11-22",
  validUntil: "2036-11-21",
  idNumber: "330106199003070011",
  name: "张伟",
  sex: "M" as const,
  ethnicity: "01",
  birthDate: "1990-03-07",
  initialPin: "902817",
};

describe("the personalisation file between sscard and the card factory", () => {
  const transportKey = randomBytes(16);
  const keys = { 1: randomBytes(16), 2: randomBytes(16), 3: randomBytes(16) };
  const holderKey = { privateKey: randomBytes(32).toString("hex"), publicKey: `04${"ab".repeat(64)}` };
  const image = personalise(data, keys, { keyVersion: 2, holderKey });
  const record = factoryRecord(
    image,
    {
      transportKey: "tk-factory-330100-SM4-v1",
      wrap: (k) => ({
        wrapped: wrapUnderTransport(transportKey, k),
        kcv: keyCheckValue("SM4", k.subarray(0, 16)),
      }),
    },
    pinForTransport(data.initialPin, randomBytes(8)),
  );

  it("carries no clear key, PIN or private key", () => {
    const text = JSON.stringify(record);
    for (const k of Object.values(keys))
      assert.ok(!text.toUpperCase().includes(k.toString("hex").toUpperCase()));
    assert.ok(!text.includes(holderKey.privateKey));
    assert.ok(!text.includes(data.initialPin));
  });

  it("gives the factory, with the same transport key, the chip sscard personalised", () => {
    assert.deepEqual(imageFromFactoryRecord(record, transportKey), image);
  });

  it("stops a card whose keys do not match their check values (another transport key, a changed key)", () => {
    assert.throws(() => imageFromFactoryRecord(record, randomBytes(16)), FactoryRecordError);
    const changed = structuredClone(record) as { keys: Record<string, { wrapped: string }> };
    const w = changed.keys["02"].wrapped;
    changed.keys["02"].wrapped = `${w.slice(0, -1)}${w.endsWith("0") ? "1" : "0"}`;
    assert.throws(() => imageFromFactoryRecord(changed as never, transportKey), /key 02 does not match/);
  });

  it("wraps whole blocks and PINs in format 2 blocks that never repeat", () => {
    const k = randomBytes(32);
    assert.deepEqual(unwrapUnderTransport(transportKey, wrapUnderTransport(transportKey, k)), k);
    assert.throws(() => wrapUnderTransport(transportKey, randomBytes(15)));
    const a = pinForTransport("123456", randomBytes(8));
    assert.equal(a.subarray(0, 8).toString("hex").toUpperCase(), "26123456FFFFFFFF");
    assert.equal(pinOfTransportBlock(a), "123456");
    assert.notDeepEqual(
      wrapUnderTransport(transportKey, a),
      wrapUnderTransport(transportKey, pinForTransport("123456", randomBytes(8))),
    );
    assert.throws(() => pinForTransport("12a456", randomBytes(8)));
  });
});
