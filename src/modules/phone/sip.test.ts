import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import type { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { cardInState, seedAreas, useTestApp } from "../../../test/fixtures.ts";
import { SYSTEM_ACTOR } from "../../shared/auth.ts";
import { NATIONAL_DEFAULT_POLICY } from "../areas/areas.rules.ts";
import { initialPin } from "../credentials/pin.rules.ts";
import { promptAudio } from "./ivr.audio.ts";
import { promptText } from "./ivr.prompts.ts";
import { baresipConfig, baresipControl, baresipSocket, type SipEndpoint, startSipEndpoint } from "./sip.ts";

/**
 * Real SIP calls on loopback: the lines' endpoint (baresip driven by sscard) answers; the caller is a
 * second baresip that dials, keys RFC 4733 digits and records what it hears (its sndfile module).
 */
const tools = ["baresip", "espeak-ng", "sox"].every((t) => spawnSync("which", [t]).status === 0);
if (!tools && process.env.SSCARD_REQUIRE_TELEPHONY === "1")
  throw new Error("telephony required: apt-get install baresip-core espeak-ng sox");
const IVR = { sip: 25070, ctrl: 24444 };
const CALLER = { sip: 25080, ctrl: 24445 };
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A WAV file's 16-bit samples (after its 44-byte header, as sox and sndfile write them). */
function samples(file: string): Int16Array {
  const b = readFileSync(file);
  const at = b.indexOf("data") + 8;
  return new Int16Array(b.buffer.slice(b.byteOffset + at, b.byteOffset + b.length - ((b.length - at) % 2)));
}

/** Loudness every 20 ms: a sound's shape, which G.711 and resampling keep. */
function envelope(x: Int16Array, rate: number): number[] {
  const frame = Math.round(rate / 50);
  const out: number[] = [];
  for (let i = 0; i + frame <= x.length; i += frame) {
    let sum = 0;
    for (let j = i; j < i + frame; j++) sum += x[j] * x[j];
    out.push(Math.sqrt(sum / frame));
  }
  return out;
}

/** The best normalised correlation of `needle` anywhere in `hay`. */
function bestMatch(hay: number[], needle: number[]): number {
  const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
  const mn = mean(needle);
  const n = needle.map((v) => v - mn);
  const nn = Math.sqrt(n.reduce((s, v) => s + v * v, 0));
  let best = -1;
  for (let off = 0; off + n.length <= hay.length; off++) {
    const w = hay.slice(off, off + n.length);
    const mw = mean(w);
    let dot = 0;
    let ww = 0;
    for (let i = 0; i < n.length; i++) {
      dot += n[i] * (w[i] - mw);
      ww += (w[i] - mw) ** 2;
    }
    if (ww > 0) best = Math.max(best, dot / (nn * Math.sqrt(ww)));
  }
  return best;
}

describe("real SIP calls on loopback to the 96102 line", {
  skip: !tools && "baresip, espeak-ng or sox missing",
}, () => {
  const ctx = useTestApp("sqlite");
  let endpoint: SipEndpoint;
  let caller: ChildProcess;
  let control: Socket;
  let command: ReturnType<typeof baresipControl>;
  const events: Record<string, string>[] = [];
  const dir = mkdtempSync(join(tmpdir(), "sscard-sip-test-"));
  const sounds = join(dir, "sounds");
  const recordings = join(dir, "heard");

  before(async () => {
    await seedAreas(ctx.deps);
    const key = await ctx.deps.staff.createApiKey(SYSTEM_ACTOR, {
      name: "96102 SIP",
      role: "outlet_clerk",
      areaCode: "330100",
      channel: "phone",
    });
    endpoint = await startSipEndpoint({
      phone: ctx.deps.phone,
      line: "96102",
      actor: await ctx.deps.staff.authenticate(key.token),
      sipPort: IVR.sip,
      ctrlPort: IVR.ctrl,
      soundDir: sounds,
    });
    const home = join(dir, "caller");
    mkdirSync(home, { recursive: true });
    mkdirSync(recordings, { recursive: true });
    spawnSync("sox", ["-n", "-r", "8000", "-c", "1", "-b", "16", join(dir, "quiet.wav"), "trim", "0", "300"]);
    writeFileSync(
      join(home, "config"),
      baresipConfig({
        sipPort: CALLER.sip,
        ctrlPort: CALLER.ctrl,
        source: join(dir, "quiet.wav"),
        modules: ["sndfile"],
        extra: [`snd_path ${recordings}`],
      }),
    );
    writeFileSync(join(home, "accounts"), `<sip:13912345678@127.0.0.1:${CALLER.sip}>;regint=0`);
    caller = spawn("baresip", ["-f", home], { stdio: "ignore" });
    control = await baresipSocket(CALLER.ctrl);
    command = baresipControl(control, (e) => events.push(e));
  });
  after(async () => {
    control?.destroy();
    caller?.kill("SIGTERM");
    await endpoint?.close();
  });

  const until = async (what: string, check: () => boolean, ms = 30_000) => {
    for (let t = 0; t < ms && !check(); t += 100) await wait(100);
    assert.ok(check(), what);
  };
  /** Keys as a caller presses them, one RFC 4733 event each. */
  const press = async (keys: string) => {
    for (const k of keys) {
      command("sndcode", k);
      await wait(250);
    }
  };

  it("a caller keys the ID number (repeated digits, * for X) and the password: the card is pre-lost, the call transcribed, and the caller heard the line's welcome", async () => {
    const c = await cardInState(ctx.deps, "active", { name: "SIP挂失" });
    command("dial", `sip:96102@127.0.0.1:${IVR.sip}`);
    await until("the line answered", () => events.some((e) => e.type === "CALL_ESTABLISHED"), 10_000);
    await wait(2500); // the welcome, then barge in
    await press("1");
    await wait(1500);
    await press(`${c.idNumber.replace("X", "*")}#`);
    await wait(1500);
    await press("1");
    await wait(1500);
    await press(`${initialPin(c.cardNumber, NATIONAL_DEFAULT_POLICY)}#`);
    for (let i = 0; i < 100; i++) {
      if ((await ctx.deps.cards.cardByNumber(c.cardNumber)).state === "temporarily_lost") break;
      await wait(200);
    }
    assert.equal((await ctx.deps.cards.cardByNumber(c.cardNumber)).state, "temporarily_lost");
    await until(
      "the line hung up after the reference and goodbye",
      () => events.some((e) => e.type === "CALL_CLOSED"),
      60_000,
    );

    const call = await ctx.deps.database.db
      .selectFrom("ivr_calls")
      .selectAll()
      .where("line", "=", "96102")
      .executeTakeFirstOrThrow();
    assert.equal(call.caller_masked, "139****5678");
    const transcript = JSON.parse(call.transcript) as { by: string; text: string }[];
    assert.ok(
      transcript.some((l) => l.text.startsWith("pre_loss_done")),
      call.transcript,
    );
    assert.ok(!call.transcript.includes(c.idNumber), "the ID number masked");

    // What the caller heard: the welcome's sound shape is in the recording.
    const heard = readdirSync(recordings).find((f) => f.endsWith("-dec.wav"));
    assert.ok(heard, "the caller's recording");
    const welcome = await promptAudio(sounds, "zh", {
      key: "welcome_96102",
      text: promptText({ key: "welcome_96102" }, "zh"),
      fixed: true,
    });
    const expected = envelope(samples(welcome), 8000).slice(0, 60);
    const recording = envelope(samples(join(recordings, heard!)), 8000);
    const score = bestMatch(recording.slice(0, 400), expected);
    assert.ok(score > 0.7, `the welcome heard (correlation ${score.toFixed(2)})`);
    const silence = new Array(60).fill(0).map((_, i) => (i % 7 === 0 ? 1000 : 0));
    assert.ok(bestMatch(recording.slice(0, 400), silence) < score, "not any sound would match");
  });
});
