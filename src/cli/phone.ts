import { parseArgs } from "node:util";
import type { Db } from "../db/database.ts";
import type { Deps } from "../deps.ts";
import { startFastAgi } from "../modules/phone/fastagi.ts";
import { promptAudio } from "../modules/phone/ivr.audio.ts";
import { PROMPTS, promptText } from "../modules/phone/ivr.prompts.ts";
import { startSipEndpoint } from "../modules/phone/sip.ts";

/**
 * `sscard phone agi [--port 4573] [--host 127.0.0.1] [--sounds <Asterisk's sounds>/sscard]`: the
 * FastAGI server Asterisk calls for the 12333 and 96102 lines, until SIGINT or SIGTERM; with `--sounds`
 * it speaks each prompt into Asterisk's sound directory before playing it. The dialplan passes the line's phone key:
 * `AGI(agi://<host>:4573/12333,<key>)`.
 */
export async function phoneAgiCommand(deps: Deps, _db: Db, args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: "string", default: "4573" },
      host: { type: "string", default: "127.0.0.1" },
      sounds: { type: "string" },
    },
  });
  const agi = await startFastAgi({
    soundDir: values.sounds,
    port: Number(values.port),
    host: values.host,
    phone: deps.phone,
    authenticate: (token) => deps.staff.authenticate(token),
  });
  console.log(`FastAGI for the 12333 and 96102 lines on ${values.host}:${agi.port}`);
  await new Promise((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await agi.close();
  return 0;
}

/**
 * `sscard phone prompts --dir <Asterisk's sounds>/sscard`: every prompt without values spoken once in
 * Mandarin and English (espeak-ng), where the switch plays them from; a recording put in
 * `<dir>/recorded/<lang>/<key>.wav` replaces the synthesised one.
 */
export async function phonePromptsCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { dir: { type: "string" } } });
  if (!values.dir) {
    console.error("phone prompts needs --dir");
    return 2;
  }
  let made = 0;
  for (const key of Object.keys(PROMPTS))
    for (const lang of ["zh", "en"] as const) {
      const text = promptText({ key }, lang);
      if (/\{\w+\}/.test(PROMPTS[key][lang])) continue; // prompts with values are spoken when needed
      await promptAudio(values.dir, lang, { key, text, fixed: true });
      made += 1;
    }
  console.log(`${made} prompts in ${values.dir}`);
  return 0;
}

/**
 * `sscard phone sip --line 96102 --key <phone key> [--port 5070] [--ctrl 4444] [--sounds <dir>]
 * [--agents sip:…]`: a small site's SIP endpoint for one line (baresip answers, sscard drives it).
 */
export async function phoneSipCommand(deps: Deps, _db: Db, args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      line: { type: "string" },
      key: { type: "string" },
      port: { type: "string", default: "5070" },
      ctrl: { type: "string", default: "4444" },
      sounds: { type: "string", default: "data/sounds" },
      agents: { type: "string" },
    },
  });
  if ((values.line !== "12333" && values.line !== "96102") || !values.key) {
    console.error("phone sip needs --line 12333|96102 and --key <phone key>");
    return 2;
  }
  const actor = await deps.staff.authenticate(values.key);
  if (actor.channel !== "phone") {
    console.error("phone sip: the key is not a phone channel key");
    return 2;
  }
  const endpoint = await startSipEndpoint({
    phone: deps.phone,
    line: values.line,
    actor,
    sipPort: Number(values.port),
    ctrlPort: Number(values.ctrl),
    soundDir: values.sounds,
    agents: values.agents,
  });
  console.log(`the ${values.line} line answers SIP on 127.0.0.1:${values.port}`);
  await new Promise((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await endpoint.close();
  return 0;
}
