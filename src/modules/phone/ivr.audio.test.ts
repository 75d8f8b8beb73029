import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { audioFile, canSpeak, phonemes, promptAudio } from "./ivr.audio.ts";
import { PROMPTS, promptText } from "./ivr.prompts.ts";

const speaks = await canSpeak();
if (!speaks && process.env.SSCARD_REQUIRE_TELEPHONY === "1")
  throw new Error("espeak-ng and sox required: apt-get install espeak-ng sox");

/** A WAV file's format and length: sample rate, channels, bits, seconds. */
function wavInfo(file: string) {
  const b = readFileSync(file);
  const dataAt = b.indexOf("data") + 8;
  return {
    rate: b.readUInt32LE(24),
    channels: b.readUInt16LE(22),
    bits: b.readUInt16LE(34),
    seconds: (b.length - dataAt) / (b.readUInt32LE(24) * 2),
  };
}

describe("the IVR's prompts spoken", { skip: !speaks && "espeak-ng or sox missing" }, () => {
  it("every Mandarin prompt is spoken in Mandarin: no tone number or digit read in English", async () => {
    for (const [key, text] of Object.entries(PROMPTS)) {
      // The menu's own English invitation aside; digits and amounts included.
      const zh = promptText(
        { key, digits: "33010619900307123X", values: { left: "5", last4: "1234", yuan: "12.50" } },
        "zh",
      ).replace("For English press 9。", "");
      const said = await phonemes("zh", zh);
      assert.ok(!said.includes("(en)"), `${key}: ${said}`);
      assert.ok(text.en.length > 0, `${key} has its English`);
    }
  });

  it("makes each prompt once, 8 kHz mono 16-bit for the switch, cached by its text; a recording replaces a fixed prompt", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sscard-prompts-"));
    const text = promptText({ key: "confirm_id", digits: "330106199003071990" }, "zh");
    const file = await promptAudio(dir, "zh", { key: "confirm_id", text, fixed: false });
    assert.equal(file, audioFile(dir, "zh", text));
    const info = wavInfo(file);
    assert.deepEqual([info.rate, info.channels, info.bits], [8000, 1, 16]);
    assert.ok(info.seconds > 4 && info.seconds < 30, `${info.seconds} s for 18 digits and the question`);
    const made = statSync(file).mtimeMs;
    assert.equal(await promptAudio(dir, "zh", { key: "confirm_id", text, fixed: false }), file);
    assert.equal(statSync(file).mtimeMs, made, "taken from the cache, not spoken again");
    const english = await promptAudio(dir, "en", { key: "goodbye", text: PROMPTS.goodbye.en, fixed: true });
    assert.notEqual(english, file);
    mkdirSync(join(dir, "recorded", "zh"), { recursive: true });
    writeFileSync(join(dir, "recorded", "zh", "goodbye.wav"), readFileSync(english));
    assert.equal(
      await promptAudio(dir, "zh", { key: "goodbye", text: PROMPTS.goodbye.zh, fixed: true }),
      join(dir, "recorded", "zh", "goodbye.wav"),
    );
  });
});
