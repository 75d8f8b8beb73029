import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import {
  decipherFormat1,
  decipherFormat4,
  decodeFormat1Plain,
  encipherFormat1,
  encipherFormat4,
  format1Block,
  format4PanField,
  format4PinField,
  PinBlockError,
} from "./pin-block.ts";

const hex = (s: string) => Buffer.from(s, "hex");

describe("ISO 9564-1 PIN block format 4 (AES)", () => {
  it("encodes the PIN field as in ANSI X9.24-3:2017's supplement vector", () => {
    assert.equal(
      format4PinField("1234", hex("0000000000000000")).subarray(0, 8).toString("hex").toUpperCase(),
      "441234AAAAAAAAAA",
    );
    assert.equal(
      format4PinField("12345", hex("0000000000000000")).subarray(0, 8).toString("hex").toUpperCase(),
      "4512345AAAAAAAAA",
    );
  });

  it("encodes the PAN field, also for long and short account numbers", () => {
    assert.equal(
      format4PanField("4111111111111111").toString("hex").toUpperCase(),
      "44111111111111111000000000000000",
    );
    assert.equal(format4PanField("4111111111111111").length, 16);
    assert.equal(
      format4PanField("123456789").toString("hex").toUpperCase(),
      "00001234567890000000000000000000",
    );
  });

  it("matches the published enciphered vector (key 0011…EEFF, PIN 1234, PAN 1234567890123456789, fill FF)", () => {
    const block = encipherFormat4(
      hex("00112233445566778899AABBCCDDEEFF"),
      "1234",
      "1234567890123456789",
      hex("FFFFFFFFFFFFFFFF"),
    );
    assert.equal(block.toString("hex").toUpperCase(), "28B41FDDD29B743E93124BD8E32D921E");
  });

  it("deciphers published blocks", () => {
    const key = hex("00112233445566778899AABBCCDDEEFF");
    assert.equal(
      decipherFormat4(key, hex("28B41FDDD29B743E93124BD8E32D921E"), "1234567890123456789"),
      "1234",
    );
    assert.equal(decipherFormat4(key, hex("52DB178C6EDCE52E3A70F7FBC8E9C758"), "1234567890123456"), "1234");
  });

  it("refuses a block deciphered with another account number or key", () => {
    const key = randomBytes(16);
    const block = encipherFormat4(key, "731904", "33010619900307123");
    assert.equal(decipherFormat4(key, block, "33010619900307123"), "731904");
    assert.throws(() => decipherFormat4(key, block, "33010619900307124"), PinBlockError);
    assert.throws(() => decipherFormat4(randomBytes(16), block, "33010619900307123"), PinBlockError);
  });
});

describe("ISO 9564-1 PIN block format 1 (legacy TDEA)", () => {
  it("decodes the plain block 1512345EDCBA9876 to PIN 12345", () => {
    assert.equal(decodeFormat1Plain(hex("1512345EDCBA9876")), "12345");
    assert.equal(
      format1Block("12345", hex("EDCBA9876EDCBA98")).toString("hex").toUpperCase(),
      "1512345EDCBA9876",
    );
  });

  it("enciphers under two-key TDEA and deciphers back", () => {
    const key = hex("0123456789ABCDEFFEDCBA9876543210");
    const block = encipherFormat1(key, "123456", hex("0000000000000000"));
    // The same computed independently: echo 1612345600000000 | xxd -r -p |
    //   openssl enc -des-ede-ecb -K 0123456789ABCDEFFEDCBA9876543210 -nopad | xxd -p
    assert.equal(block.toString("hex"), "70a1502618f64805");
    assert.equal(decipherFormat1(key, block), "123456");
    assert.throws(() => decipherFormat1(hex("00112233445566778899AABBCCDDEEFF"), block), PinBlockError);
  });
});
