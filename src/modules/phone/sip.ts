import { type ChildProcess, execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, renameSync, writeFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { Actor } from "../../shared/auth.ts";
import { promptAudio } from "./ivr.audio.ts";
import type { NextAction, PhoneService } from "./phone.service.ts";

const run = promisify(execFile);

/**
 * A SIP endpoint for a line, for small sites and the tests: Debian's baresip answers its calls (one
 * baresip per line, its account `sip:<line>@…`), and sscard drives it over baresip's `ctrl_tcp` interface
 * (netstring JSON): each step's prompts are played as one sound file (`ausrc aufile,…`; a key stops
 * it: barge-in), the caller's RFC 4733 keys arrive as CALL_DTMF_START events, a transfer goes to the
 * agents' SIP address, a hang-up ends the call. No SIP or RTP is written here.
 */
export type SipEndpoint = Readonly<{ close: () => Promise<void> }>;

/** baresip's config for a user agent on loopback with silence as its sound (no sound card needed). */
export function baresipConfig(options: {
  sipPort: number;
  ctrlPort: number;
  source: string;
  modules?: string[];
  extra?: string[];
}) {
  return [
    "poll_method epoll",
    `sip_listen 127.0.0.1:${options.sipPort}`,
    "net_interface 127.0.0.1",
    "audio_player aubridge,ivr",
    `audio_source aufile,${options.source}`,
    "audio_alert aubridge,ivr",
    "module_path /usr/lib/baresip/modules",
    ...["g711", "aufile", "aubridge", ...(options.modules ?? []), "ctrl_tcp"].map((m) => `module ${m}.so`),
    "module_tmp account.so",
    "module_app menu.so",
    `ctrl_tcp_listen 127.0.0.1:${options.ctrlPort}`,
    ...(options.extra ?? []),
  ].join("\n");
}

/** Connects to baresip's ctrl_tcp, retrying while it starts. */
export async function baresipSocket(port: number): Promise<Socket> {
  for (let i = 0; i < 100; i++) {
    const socket = await new Promise<Socket | undefined>((resolve) => {
      const s = connect(port, "127.0.0.1", () => resolve(s));
      s.on("error", () => resolve(undefined));
    });
    if (socket) return socket;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("baresip's ctrl_tcp did not come up");
}

/** Netstring JSON over TCP: commands out, responses and events in. */
export function baresipControl(socket: Socket, onEvent: (e: Record<string, string>) => void) {
  let buffer = "";
  socket.setEncoding("latin1");
  socket.on("data", (chunk: string) => {
    buffer += chunk;
    for (;;) {
      const colon = buffer.indexOf(":");
      const n = Number(buffer.slice(0, colon));
      if (colon < 0 || !Number.isInteger(n) || buffer.length < colon + n + 2) break;
      const text = Buffer.from(buffer.slice(colon + 1, colon + 1 + n), "latin1").toString("utf8");
      buffer = buffer.slice(colon + n + 2);
      try {
        const message = JSON.parse(text) as Record<string, string>;
        if (message.event) onEvent(message);
      } catch {
        // A garbled message from baresip: ignored.
      }
    }
  });
  let token = 0;
  return (command: string, params = "") => {
    const json = Buffer.from(JSON.stringify({ command, params, token: String(++token) }), "utf8");
    socket.write(Buffer.concat([Buffer.from(`${json.length}:`), json, Buffer.from(",")]));
  };
}

export async function startSipEndpoint(options: {
  phone: PhoneService;
  /** The line this endpoint answers (run one endpoint per line). */
  line: "12333" | "96102";
  /** The phone channel's principal the endpoint acts as (the lines' key). */
  actor: Actor;
  sipPort: number;
  ctrlPort: number;
  /** Where the prompts' sound files are kept (ivr.audio.ts). */
  soundDir: string;
  /** The agents' SIP address for "0"; without one the call ends after the prompt. */
  agents?: string;
}): Promise<SipEndpoint> {
  const dir = mkdtempSync(join(tmpdir(), "sscard-sip-"));
  const silence = join(dir, "silence.wav");
  await run("sox", ["-n", "-r", "8000", "-c", "1", "-b", "16", silence, "trim", "0", "600"]);
  writeFileSync(
    join(dir, "config"),
    baresipConfig({ sipPort: options.sipPort, ctrlPort: options.ctrlPort, source: silence }),
  );
  // One line per baresip: its commands act on its one account's current call.
  writeFileSync(
    join(dir, "accounts"),
    `<sip:${options.line}@127.0.0.1:${options.sipPort}>;regint=0;answermode=auto`,
  );
  const baresip: ChildProcess = spawn("baresip", ["-f", dir], { stdio: "ignore" });
  const socket = await baresipSocket(options.ctrlPort);

  type Call = {
    id: string;
    collect?: NextAction["collect"];
    keys: string;
    /** Keys pressed while sscard was answering: the next question's first keys. */
    early: string;
    timer?: NodeJS.Timeout;
    busy: boolean;
    ended: boolean;
  };
  const calls = new Map<string, Call>();

  /** One sound file for a step's prompts and the silence after them (baresip ends a call at a file's end). */
  async function soundOf(next: NextAction, tailSeconds: number) {
    const parts = [];
    for (const p of next.prompts)
      parts.push(await promptAudio(options.soundDir, next.lang, { key: p.key, text: p.text, fixed: false }));
    const file = join(
      options.soundDir,
      "steps",
      `${createHash("sha1")
        .update(`${parts.join("|")}|${tailSeconds}`)
        .digest("hex")}.wav`,
    );
    if (existsSync(file)) return file;
    mkdirSync(join(options.soundDir, "steps"), { recursive: true });
    const part = `${file}.${process.pid}.wav`;
    await run("sox", [...parts, silence, part, "trim", "0", String((await seconds(parts)) + tailSeconds)]);
    renameSync(part, file);
    return file;
  }
  const seconds = async (files: string[]) => {
    let total = 0;
    for (const f of files) total += Number((await run("soxi", ["-D", f])).stdout);
    return total;
  };

  const send = baresipControl(socket, (event) => void handle(event).catch(() => send("hangup")));

  async function play(call: Call, next: NextAction) {
    if (call.ended) return;
    clearTimeout(call.timer);
    call.collect = next.action === "collect" ? next.collect : undefined;
    call.keys = "";
    // After a question, silence while the caller keys; after the last words, nothing: baresip ends a
    // call whose sound file ends, so the line hangs up as the goodbye finishes.
    const tail = next.action === "collect" ? next.collect!.timeoutMs / 1000 + 2 : 0;
    const file = await soundOf(next, tail);
    const length = (await seconds([file])) * 1000;
    send("ausrc", `aufile,${file}`);
    if (next.action === "collect") {
      call.timer = setTimeout(
        () => void step(call, { event: "timeout" }).catch(() => undefined),
        length - 2000,
      );
    } else if (next.action === "transfer" && options.agents) {
      const agents = options.agents;
      call.timer = setTimeout(() => send("transfer", agents), length - 500);
    }
  }

  async function step(call: Call, event: { event: "digits" | "timeout"; digits?: string }) {
    if (call.busy || call.ended) return;
    call.busy = true;
    try {
      clearTimeout(call.timer);
      call.collect = undefined;
      await play(call, await options.phone.event(options.actor, call.id, event));
    } finally {
      call.busy = false;
    }
    replayEarly(call);
  }

  function replayEarly(call: Call) {
    const early = call.early;
    call.early = "";
    for (const k of early) key(call, k);
  }

  /** A key the caller pressed: an answer's digit, or the end of it (`#`, or as many as asked). */
  function key(call: Call, k: string) {
    if (call.busy || !call.collect) {
      call.early += k;
      return;
    }
    // A key stops the prompt (barge-in) and waits for the next key.
    if (call.collect.bargeIn) send("ausrc", `aufile,${silence}`);
    clearTimeout(call.timer);
    call.keys += k;
    if (k === "#" || call.keys.length >= call.collect.maxDigits) {
      void step(call, { event: "digits", digits: call.keys });
      return;
    }
    const collect = call.collect;
    call.timer = setTimeout(() => void step(call, { event: "digits", digits: call.keys }), collect.timeoutMs);
  }

  async function handle(e: Record<string, string>) {
    const id = e.id;
    if (!id) return;
    if (e.type === "CALL_ESTABLISHED" && e.direction === "incoming") {
      const line = options.line;
      const caller = /^sip:\+?(\d{3,20})@/.exec(e.peeruri ?? "")?.[1] ?? "000";
      const call: Call = { id: `sip-${id}`, keys: "", early: "", busy: true, ended: false };
      calls.set(id, call);
      await play(call, await options.phone.start(options.actor, { callId: call.id, line, caller }));
      call.busy = false;
      return replayEarly(call);
    }
    const call = calls.get(id);
    if (!call) return;
    if (e.type === "CALL_DTMF_START" && /^[0-9*#]$/.test(e.param ?? "")) key(call, e.param);
    if (e.type === "CALL_CLOSED") {
      call.ended = true;
      clearTimeout(call.timer);
      calls.delete(id);
      await options.phone.event(options.actor, call.id, { event: "hangup" }).catch(() => undefined);
    }
  }

  return {
    close: async () => {
      for (const c of calls.values()) clearTimeout(c.timer);
      socket.destroy();
      baresip.kill("SIGTERM");
      await new Promise((r) => baresip.once("exit", r).once("error", r));
    },
  };
}
