import { createHash } from "node:crypto";
import { createServer, type Server, type Socket } from "node:net";
import type { Actor } from "../../shared/auth.ts";
import { promptAudio } from "./ivr.audio.ts";
import type { NextAction, PhoneService } from "./phone.service.ts";

/**
 * The FastAGI server Asterisk calls (`AGI(agi://sscard:4573/12333,<the line's key>)` in the dialplan):
 * Asterisk sends the call's `agi_*` variables, then sscard drives the call with AGI commands — STREAM
 * FILE for a prompt (any key interrupts it: barge-in), GET DATA for the last one (the digits, `#` ends
 * them), EXEC Queue for the agents, HANGUP. Each call is authenticated by the phone key given as the
 * script's first argument; a garbled or foreign session is closed without touching anything.
 *
 * Prompts are sound files named by their text (`sscard/<lang>/<sha1 of the text>`, see ivr.audio.ts),
 * so a prompt with values (a balance, an outlet) is a file of its own, made once and cached.
 */
export type FastAgi = Readonly<{ port: number; close: () => Promise<void> }>;

const MAX_LINE = 4096;
const MAX_VARIABLES = 128;
const ESCAPE = "0123456789*#";

/** The sound file of a prompt's text, as ivr.audio.ts writes it. */
export const promptFile = (lang: string, text: string) =>
  `sscard/${lang}/${createHash("sha1").update(text).digest("hex")}`;

/** Reads a session line by line; `null` once the peer is gone or breaks the protocol. */
function lineReader(socket: Socket) {
  let buffer = "";
  const waiting: ((line: string | null) => void)[] = [];
  const lines: (string | null)[] = [];
  const push = (line: string | null) => {
    const next = waiting.shift();
    if (next) next(line);
    else lines.push(line);
  };
  socket.setEncoding("utf8");
  socket.on("data", (chunk: string) => {
    buffer += chunk;
    if (buffer.length > MAX_LINE && !buffer.includes("\n")) {
      socket.destroy();
      return;
    }
    let at = buffer.indexOf("\n");
    while (at >= 0) {
      push(buffer.slice(0, at).replace(/\r$/, ""));
      buffer = buffer.slice(at + 1);
      at = buffer.indexOf("\n");
    }
  });
  socket.on("close", () => push(null));
  socket.on("error", () => socket.destroy());
  return () =>
    new Promise<string | null>((resolve) => {
      if (lines.length) resolve(lines.shift() ?? null);
      else if (socket.destroyed) resolve(null);
      else waiting.push(resolve);
    });
}

export async function startFastAgi(options: {
  port?: number;
  host?: string;
  phone: PhoneService;
  /** The phone channel's principal for a key (sscard's API keys). */
  authenticate: (token: string) => Promise<Actor>;
  /** How long a silent peer may keep a session open. */
  idleMs?: number;
  /**
   * Asterisk's `sounds/sscard` directory, when it is shared with sscard: each prompt's file is made
   * there (ivr.audio.ts) before it is played, prompts with values included.
   */
  soundDir?: string;
}): Promise<FastAgi> {
  const sessions = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sessions.add(socket);
    socket.setTimeout(options.idleMs ?? 120_000, () => socket.destroy());
    socket.on("close", () => sessions.delete(socket));
    void session(socket).catch(() => socket.destroy());
  });

  async function session(socket: Socket) {
    const read = lineReader(socket);
    const vars = new Map<string, string>();
    for (let i = 0; ; i++) {
      const line = await read();
      if (line === null || i > MAX_VARIABLES) return socket.destroy();
      if (line === "") break;
      const m = /^(agi_\w+): ?(.*)$/.exec(line);
      if (!m) return socket.destroy();
      vars.set(m[1], m[2]);
    }
    const line = (vars.get("agi_network_script") ?? "").replace(/^\//, "").split(/[/?]/)[0];
    const callId = vars.get("agi_uniqueid") ?? "";
    const caller = (vars.get("agi_callerid") ?? "").replace(/\D/g, "") || "000";
    if ((line !== "12333" && line !== "96102") || !/^[A-Za-z0-9._:-]{1,64}$/.test(callId))
      return socket.destroy();
    const actor = await options.authenticate(vars.get("agi_arg_1") ?? "").catch(() => undefined);
    if (actor?.channel !== "phone") return socket.destroy();

    /** One AGI command; its result, or undefined when the caller hung up. */
    const command = async (text: string): Promise<string | undefined> => {
      if (socket.destroyed) return undefined;
      socket.write(`${text}\n`);
      for (;;) {
        const reply = await read();
        if (reply === null) return undefined;
        if (reply === "HANGUP") continue; // the channel hung up; the command's own answer follows
        const m = /^200 result=([0-9*#-]*)(?: \((\w+)\))?/.exec(reply);
        // 510, 511, 520 or result=-1: the call is gone or the command failed.
        if (!m || m[1] === "-1") return undefined;
        // GET DATA: the digits keyed, all of them even when it then timed out; none: "(timeout)".
        return m[1] === "" && m[2] === "timeout" ? "(timeout)" : m[1];
      }
    };

    let next: NextAction = await options.phone.start(actor, { callId, line, caller });
    for (;;) {
      const current = next;
      if (options.soundDir)
        for (const p of current.prompts)
          await promptAudio(options.soundDir, current.lang, { key: p.key, text: p.text, fixed: false });
      const files = next.prompts.map((p) => promptFile(next.lang, p.text));
      if (next.action !== "collect") {
        for (const f of files) if ((await command(`STREAM FILE ${f} ""`)) === undefined) break;
        if (next.action === "transfer") await command(`EXEC Queue ${next.queue}`);
        await command("HANGUP");
        return socket.end();
      }
      const collect = next.collect!;
      let keyed = "";
      let gone = false;
      // Every prompt but the last: any key interrupts it and starts the entry.
      for (const f of files.slice(0, -1)) {
        const r = await command(`STREAM FILE ${f} "${ESCAPE}"`);
        if (r === undefined) gone = true;
        else if (Number(r) > 0) keyed = String.fromCharCode(Number(r));
        if (gone || keyed) break;
      }
      let result: string | undefined = keyed;
      if (!gone && !(keyed && (collect.maxDigits === 1 || keyed === "#"))) {
        const rest = await command(
          `GET DATA ${keyed ? "silence/1" : (files.at(-1) ?? "silence/1")} ${collect.timeoutMs} ${collect.maxDigits - keyed.length}`,
        );
        result = rest === undefined ? undefined : keyed + (rest === "(timeout)" ? "" : rest);
      }
      if (gone || result === undefined) {
        await options.phone.event(actor, callId, { event: "hangup" }).catch(() => undefined);
        return socket.destroy();
      }
      const digits = result.replace(/#$/, "");
      next = await options.phone.event(
        actor,
        callId,
        /^[0-9*#]{1,24}$/.test(digits) ? { event: "digits", digits } : { event: "timeout" },
      );
    }
  }

  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 4573, options.host ?? "127.0.0.1", resolve),
  );
  const address = server.address();
  return {
    port: typeof address === "object" && address ? address.port : 0,
    close: async () => {
      for (const s of sessions) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
