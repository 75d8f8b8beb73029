import assert from "node:assert/strict";
import { randomBytes, randomInt } from "node:crypto";
import { describe, it } from "node:test";
import { sm2 } from "sm-crypto-v2";
import { deriveChain } from "../keys/derivation.ts";
import {
  authCryptogram,
  type CardImage,
  createVirtualCard,
  loadVirtualCard,
  SSSE_AID,
  SW,
  unblockCryptogram,
} from "./virtual-card.ts";

const hex = (s: string) => Buffer.from(s.replace(/\s/g, ""), "hex");
const national = hex("0123456789ABCDEFFEDCBA9876543210");
const cardIdCode = "330100D1560000050123456789ABCDEF";
const ia = deriveChain("SM4", national, { province: "330000", city: "330100", cardIdCode }).card!;
const ea = deriveChain("SM4", hex("00112233445566778899AABBCCDDEEFF"), {
  province: "330000",
  city: "330100",
  cardIdCode,
}).card!;

function image(): CardImage {
  return {
    ef05: { 1: cardIdCode, 2: "1", 3: "3.00", 5: "20261122", 6: "20361121", 7: "A12345678" },
    ef06: { 8: "330106199003071234", 9: "张伟", 10: "1", 11: "01", 13: "19900307" },
    keys: { 1: ia.toString("hex"), 2: ea.toString("hex") },
    pin: "731904",
    pinTriesLeft: 6,
    pinTriesMax: 6,
  };
}

const apdu = (h: string, data?: Buffer) =>
  data ? Buffer.concat([hex(h), Buffer.from([data.length]), data]) : hex(h);
const swOf = (r: Buffer) =>
  r
    .subarray(r.length - 2)
    .toString("hex")
    .toUpperCase();
const select = Buffer.concat([hex("00A40400"), Buffer.from([SSSE_AID.length]), SSSE_AID]);

describe("virtual card (ISO 7816-4 APDUs of the social security application)", () => {
  it("selects the application by AID and reads card data; holder data only after external authentication", () => {
    const card = createVirtualCard(image(), () => hex("1122334455667788"));
    assert.equal(swOf(card.transmit(apdu("00A40400", Buffer.from("nope")))), SW.FILE_NOT_FOUND);
    assert.equal(swOf(card.transmit(select)), SW.OK);
    const rec = card.transmit(hex("00B2072C00"));
    assert.equal(swOf(rec), SW.OK);
    assert.equal(rec.subarray(2, rec.length - 2).toString(), "A12345678");
    assert.equal(swOf(card.transmit(hex("00B2083400"))), SW.SECURITY_NOT_SATISFIED);
    const challenge = card.transmit(hex("0084000008"));
    assert.equal(challenge.subarray(0, 8).toString("hex"), "1122334455667788");
    assert.equal(swOf(card.transmit(apdu("00820002", authCryptogram(ea, hex("1122334455667788"))))), SW.OK);
    const ssn = card.transmit(hex("00B2083400"));
    assert.equal(ssn.subarray(2, ssn.length - 2).toString(), "330106199003071234");
    assert.equal(swOf(card.transmit(hex("00B2633400"))), SW.RECORD_NOT_FOUND);
  });

  it("refuses a wrong cryptogram and a replayed challenge", () => {
    const card = createVirtualCard(image(), () => hex("1122334455667788"));
    card.transmit(select);
    assert.equal(
      swOf(card.transmit(apdu("00820002", Buffer.alloc(16)))),
      SW.CONDITIONS_NOT_SATISFIED,
      "no challenge yet",
    );
    card.transmit(hex("0084000008"));
    const good = authCryptogram(ea, hex("1122334455667788"));
    assert.equal(swOf(card.transmit(apdu("00820002", Buffer.alloc(16)))), SW.SECURITY_NOT_SATISFIED);
    assert.equal(
      swOf(card.transmit(apdu("00820002", good))),
      SW.CONDITIONS_NOT_SATISFIED,
      "the challenge was used up",
    );
  });

  it("proves itself by internal authentication with its diversified key", () => {
    const card = createVirtualCard(image());
    card.transmit(select);
    const r = card.transmit(apdu("00880001", hex("A1A2A3A4A5A6A7A8")));
    assert.equal(swOf(r), SW.OK);
    assert.deepEqual(r.subarray(0, 16), authCryptogram(ia, hex("A1A2A3A4A5A6A7A8")));
  });

  it("verifies the PIN with remaining tries in 63Cx and blocks with 6983", () => {
    const card = createVirtualCard(image());
    card.transmit(select);
    assert.equal(swOf(card.transmit(apdu("00200000", hex("123456")))), "63C5");
    assert.equal(swOf(card.transmit(apdu("00200000", hex("731904")))), SW.OK);
    assert.equal(card.pinVerified, true);
    for (let i = 5; i >= 1; i--)
      assert.equal(swOf(card.transmit(apdu("00200000", hex("000000")))), `63C${i}`);
    assert.equal(swOf(card.transmit(apdu("00200000", hex("000000")))), SW.AUTH_BLOCKED);
    assert.equal(swOf(card.transmit(apdu("00200000", hex("731904")))), SW.AUTH_BLOCKED);
  });

  it("changes the PIN with the old one, and unblocks a blocked PIN only with the unblock cryptogram", () => {
    const unblock = hex("000102030405060708090A0B0C0D0E0F");
    const card = createVirtualCard(
      { ...image(), keys: { ...image().keys, 3: unblock.toString("hex") } },
      () => hex("0102030405060708"),
    );
    card.transmit(select);
    assert.equal(swOf(card.transmit(apdu("00240000", hex("000000582046")))), "63C5");
    assert.equal(swOf(card.transmit(apdu("00240000", hex("731904582046")))), SW.OK);
    assert.equal(swOf(card.transmit(apdu("00200000", hex("582046")))), SW.OK);
    for (let i = 0; i < 6; i++) card.transmit(apdu("00200000", hex("000000")));
    assert.equal(swOf(card.transmit(apdu("00200000", hex("582046")))), SW.AUTH_BLOCKED);
    const newPin = hex("246810");
    assert.equal(
      swOf(card.transmit(apdu("002C0000", Buffer.concat([newPin, Buffer.alloc(16)])))),
      SW.CONDITIONS_NOT_SATISFIED,
      "needs a challenge",
    );
    card.transmit(hex("0084000008"));
    assert.equal(
      swOf(card.transmit(apdu("002C0000", Buffer.concat([newPin, Buffer.alloc(16)])))),
      SW.SECURITY_NOT_SATISFIED,
    );
    card.transmit(hex("0084000008"));
    const good = unblockCryptogram(unblock, hex("0102030405060708"), newPin);
    assert.equal(swOf(card.transmit(apdu("002C0000", Buffer.concat([newPin, good])))), SW.OK);
    assert.equal(
      swOf(card.transmit(apdu("002C0000", Buffer.concat([newPin, good])))),
      SW.CONDITIONS_NOT_SATISFIED,
      "no replay",
    );
    assert.equal(swOf(card.transmit(apdu("00200000", hex("246810")))), SW.OK);
  });

  it("survives being saved and loaded", () => {
    const card = createVirtualCard(image());
    card.transmit(select);
    card.transmit(apdu("00200000", hex("000000")));
    const again = loadVirtualCard(card.save());
    again.transmit(select);
    assert.equal(swOf(again.transmit(hex("0020000000"))), "63C5");
  });

  it("answers malformed APDUs with status words", () => {
    const card = createVirtualCard(image());
    assert.equal(swOf(card.transmit(hex("00A4"))), SW.WRONG_LENGTH);
    assert.equal(swOf(card.transmit(hex("90A4040000"))), SW.CLA_NOT_SUPPORTED);
    assert.equal(swOf(card.transmit(hex("00FF000000"))), SW.INS_NOT_SUPPORTED);
    assert.equal(swOf(card.transmit(hex("00A404000F7378"))), SW.WRONG_LENGTH, "Lc longer than the data");
    assert.equal(swOf(card.transmit(hex("00B2072C00"))), SW.CONDITIONS_NOT_SATISFIED, "nothing selected");
  });

  it("never throws on 100,000 random and mutated APDUs", () => {
    // Every key and the holder's SM2 key, so the purse, UPDATE RECORD and PSO paths are reached too.
    const full = image();
    for (const id of [3, 4, 5, 6]) full.keys[id] = randomBytes(16).toString("hex");
    full.holderKey = sm2.generateKeyPairHex();
    full.purse = { balance: 10_000, counter: 0 };
    const card = createVirtualCard(full);
    const seeds = [
      select,
      hex("00B2072C00"),
      hex("0084000008"),
      apdu("00820002", Buffer.alloc(16)),
      apdu("00200000", hex("731904")),
      apdu("04DC0934", Buffer.concat([hex("0902E5BCA0"), Buffer.alloc(4)])),
      apdu("002A9E9A", randomBytes(32)),
      apdu("805001020B", Buffer.concat([hex("04000000010000000000"), hex("01")])),
      apdu("805401000F", Buffer.alloc(15)),
      apdu("002C0000", Buffer.alloc(19)),
    ];
    for (let i = 0; i < 100_000; i++) {
      let input: Buffer;
      if (i % 2 === 0) input = randomBytes(randomInt(0, 40));
      else {
        input = Buffer.from(seeds[i % seeds.length]);
        const flips = randomInt(1, 4);
        for (let f = 0; f < flips && input.length; f++) input[randomInt(input.length)] = randomInt(256);
        if (i % 7 === 0) input = input.subarray(0, randomInt(input.length + 1));
      }
      const r = card.transmit(input);
      assert.ok(r.length >= 2, "every answer ends in a status word");
      // 6F00 is what transmit answers when the processor threw: it must never be needed.
      assert.notEqual(swOf(r), "6F00", `the processor threw on ${input.toString("hex")}`);
    }
  });
});
