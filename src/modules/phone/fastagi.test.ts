import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, it } from "node:test";
import { forEachDialect } from "../../../test/db.ts";
import { cardInState, seedAreas, useTestApp } from "../../../test/fixtures.ts";
import { SYSTEM_ACTOR } from "../../shared/auth.ts";
import { NATIONAL_DEFAULT_POLICY } from "../areas/areas.rules.ts";
import { initialPin } from "../credentials/pin.rules.ts";
import { type FastAgi, startFastAgi } from "./fastagi.ts";
import { canSpeak } from "./ivr.audio.ts";

const speaks = await canSpeak();

/**
 * The FastAGI adapter at the protocol level: the test plays Asterisk — the call's agi_* variables,
 * then an answer to each command as a channel would give it (the caller's keys for GET DATA, a key
 * pressed during a STREAM FILE for barge-in).
 */
forEachDialect("the FastAGI adapter (Asterisk's side played by the test)", (dialect) => {
  const ctx = useTestApp(dialect);
  let agi: FastAgi;
  let key = "";
  const sounds = join(mkdtempSync(join(tmpdir(), "sscard-agi-")), "sscard");
  before(async () => {
    await seedAreas(ctx.deps);
    key = (
      await ctx.deps.staff.createApiKey(SYSTEM_ACTOR, {
        name: "96102 Asterisk",
        role: "outlet_clerk",
        areaCode: "330100",
        channel: "phone",
      })
    ).token;
    agi = await startFastAgi({
      port: 0,
      soundDir: speaks ? sounds : undefined,
      phone: ctx.deps.phone,
      authenticate: (token) => ctx.deps.staff.authenticate(token),
      idleMs: 5_000,
    });
  });
  after(() => agi.close());

  /**
   * One call as Asterisk places it: `answer` gives the reply to each command (undefined: the caller
   * hung up). Resolves with the commands sscard sent.
   */
  function asterisk(vars: Record<string, string>, answer: (command: string) => string | undefined) {
    return new Promise<string[]>((resolve) => {
      const commands: string[] = [];
      const socket = connect(agi.port, "127.0.0.1", () => {
        socket.write(
          `${Object.entries(vars)
            .map(([k, v]) => `${k}: ${v}`)
            .join("\n")}\n\n`,
        );
      });
      let buffer = "";
      socket.setEncoding("utf8");
      socket.on("data", (chunk: string) => {
        buffer += chunk;
        let at = buffer.indexOf("\n");
        while (at >= 0) {
          const command = buffer.slice(0, at);
          buffer = buffer.slice(at + 1);
          commands.push(command);
          const reply = answer(command);
          if (reply === undefined) socket.end();
          else socket.write(`${reply}\n`);
          at = buffer.indexOf("\n");
        }
      });
      socket.on("close", () => resolve(commands));
      socket.on("error", () => resolve(commands));
    });
  }
  const vars = (line: string, token = key) => ({
    agi_network: "yes",
    agi_network_script: line,
    agi_request: `agi://127.0.0.1/${line}`,
    agi_channel: "SIP/trunk-00000001",
    agi_uniqueid: `${Date.now()}.${randomUUID().slice(0, 8)}`,
    agi_callerid: "13912345678",
    agi_arg_1: token,
  });

  it("a 96102 call through Asterisk: the menu interrupted by a key, the ID number with * and repeated digits, the password; the card is pre-lost and the reference played", async () => {
    const c = await cardInState(ctx.deps, "active", { name: "AGI挂失" });
    const pin = initialPin(c.cardNumber, NATIONAL_DEFAULT_POLICY);
    const entries = ["1", `${c.idNumber.replace("X", "*")}`, "1", pin];
    let streams = 0;
    const commands = await asterisk(vars("96102"), (command) => {
      if (command.startsWith("STREAM FILE")) {
        streams += 1;
        // The caller presses 1 during the welcome (barge-in): ASCII 49.
        return streams === 1 ? "200 result=49 endpos=1200" : "200 result=0 endpos=8000";
      }
      if (command.startsWith("GET DATA")) return `200 result=${entries.shift() ?? ""}`;
      return "200 result=0";
    });
    assert.ok(commands[0].startsWith("STREAM FILE sscard/zh/"), commands[0]);
    assert.ok(
      commands.some((x) => x.startsWith("GET DATA") && x.endsWith(" 18")),
      "the ID number: 18 keys",
    );
    assert.equal(commands.at(-1), "HANGUP");
    assert.equal((await ctx.deps.cards.cardByNumber(c.cardNumber)).state, "temporarily_lost");
    if (speaks)
      for (const played of commands.filter(
        (x) => x.startsWith("STREAM FILE") || x.startsWith("GET DATA sscard"),
      )) {
        const file = played.split(" ")[2].replace(/^sscard\//, "");
        assert.ok(existsSync(join(sounds, `${file}.wav`)), `${played}: its sound is in Asterisk's directory`);
      }
  });

  it("a caller who hangs up mid-entry leaves nothing done; a silent one goes to the agents' queue", async () => {
    const c = await cardInState(ctx.deps, "active");
    const entries = ["1", c.idNumber.replace("X", "*"), "1"];
    await asterisk(vars("96102"), (command) => {
      if (command.startsWith("GET DATA")) {
        const next = entries.shift();
        return next === undefined ? "511 Command Not Permitted on a dead channel" : `200 result=${next}`;
      }
      return "200 result=0";
    });
    assert.equal((await ctx.deps.cards.cardByNumber(c.cardNumber)).state, "active");
    const silent = await asterisk(vars("12333"), (command) =>
      command.startsWith("GET DATA") ? "200 result= (timeout)" : "200 result=0",
    );
    assert.ok(silent.includes("EXEC Queue 12333-agents"), silent.join(" | "));
  });

  it("closes garbled, foreign and unauthenticated sessions without harm, and serves the next call", async () => {
    const raw = (text: string) =>
      new Promise<string>((resolve) => {
        let got = "";
        const s = connect(agi.port, "127.0.0.1", () => s.write(text));
        s.on("data", (d) => (got += d));
        s.on("close", () => resolve(got));
        s.on("error", () => resolve(got));
      });
    for (const garbage of [
      "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
      "\u0000\u0001\u0002\n\n",
      `${"agi_x: y\n".repeat(500)}\n`,
      "x".repeat(10_000),
      "agi_network_script: 12333\nagi_uniqueid: 1.1\n\n",
      `agi_network_script: 110\nagi_uniqueid: 1.1\nagi_arg_1: ${key}\n\n`,
      "agi_network_script: 12333\nagi_uniqueid: 1.1\nagi_arg_1: ssk_stolen\n\n",
    ])
      assert.equal(await raw(garbage), "", JSON.stringify(garbage.slice(0, 40)));
    const staffKey = await ctx.deps.staff.createApiKey(SYSTEM_ACTOR, {
      name: "a kiosk's key",
      role: "outlet_clerk",
      areaCode: "330100",
      channel: "kiosk",
    });
    assert.equal(
      await raw(`agi_network_script: 12333\nagi_uniqueid: 1.2\nagi_arg_1: ${staffKey.token}\n\n`),
      "",
    );
    const ok = await asterisk(vars("12333"), (command) =>
      command.startsWith("GET DATA") ? "200 result=0" : "200 result=0",
    );
    assert.ok(ok.includes("EXEC Queue 12333-agents"), "the next call is served");
  });
});
