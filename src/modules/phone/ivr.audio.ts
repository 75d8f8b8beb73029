import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, renameSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import type { Lang } from "./ivr.rules.ts";

const run = promisify(execFile);

/** espeak-ng's voices: Mandarin read from the characters by the pinyin voice (its `cmn` voice reads tone numbers in English). */
const VOICES: Readonly<Record<Lang, string>> = { zh: "cmn-latn-pinyin", en: "en" };

/** The file a prompt's text is spoken in, under `dir`: `<lang>/<sha1 of the text>.wav`. */
export const audioFile = (dir: string, lang: Lang, text: string) =>
  join(dir, lang, `${createHash("sha1").update(text).digest("hex")}.wav`);

/**
 * The prompt's sound as telephony plays it (8 kHz, mono, 16-bit WAV): a recorded prompt where one is
 * given (`<dir>/recorded/<lang>/<key>.wav`, for prompts without values), else the text synthesised by
 * espeak-ng once and cached under the text's hash (Asterisk plays the same files: `sscard/<lang>/<hash>`).
 */
export async function promptAudio(
  dir: string,
  lang: Lang,
  prompt: { key: string; text: string; fixed: boolean },
) {
  const recorded = join(dir, "recorded", lang, `${prompt.key}.wav`);
  if (prompt.fixed && existsSync(recorded)) return recorded;
  const file = audioFile(dir, lang, prompt.text);
  if (existsSync(file)) return file;
  mkdirSync(join(dir, lang), { recursive: true });
  const raw = `${file}.${process.pid}.raw.wav`;
  const part = `${file}.${process.pid}.wav`;
  await run("espeak-ng", ["-v", VOICES[lang], "-s", lang === "zh" ? "150" : "160", "-w", raw, prompt.text]);
  await run("sox", [raw, "-r", "8000", "-c", "1", "-b", "16", part]);
  renameSync(part, file);
  await run("rm", ["-f", raw]);
  return file;
}

/** Whether espeak-ng and sox are there (Debian: espeak-ng, sox). */
export async function canSpeak(): Promise<boolean> {
  try {
    await run("espeak-ng", ["--version"]);
    await run("sox", ["--version"]);
    return true;
  } catch {
    return false;
  }
}

/** The phonemes espeak-ng speaks a text with; `(en)` marks a switch to English (the tone-number trap). */
export async function phonemes(lang: Lang, text: string): Promise<string> {
  return (await run("espeak-ng", ["-v", VOICES[lang], "-x", "-q", text])).stdout;
}
