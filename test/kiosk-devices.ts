import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Deps } from "../src/deps.ts";
import { createPsamApplet } from "../src/modules/chip/psam.ts";
import { insertIntoVpcd } from "../src/modules/kiosk/vpcd.ts";
import { SYSTEM_ACTOR } from "../src/shared/auth.ts";
import { poppler } from "./pdf.ts";

/**
 * The kiosk's devices for real, for the tests: Debian's pcscd with vsmartcard's vpcd reader (a virtual
 * card in slot 35963, the kiosk's PSAM in 35964), CUPS with a cups-pdf queue, and the device agent as
 * its own process (`sscard kiosk agent`). pcscd is one per machine; the suite runs its files in one
 * process, one test at a time. SSCARD_REQUIRE_KIOSK_DEVICES=1 (CI) turns "skipped" into "failed".
 */
const tools = ["pcscd", "cupsd", "lpadmin"].every((t) => spawnSync("which", [t]).status === 0);
const smartcard = "smartcard"; // an optional dependency: built only where pcsclite's headers are
const binding = await import(smartcard).then(
  () => true,
  () => false,
);
export const kioskDevices = tools && existsSync("/etc/reader.conf.d/vpcd") && binding && poppler;
if (!kioskDevices && process.env.SSCARD_REQUIRE_KIOSK_DEVICES === "1")
  throw new Error(
    "kiosk devices required: apt-get install pcscd vsmartcard-vpcd libpcsclite-dev cups printer-driver-cups-pdf, then npm ci",
  );
export const CARD_SLOT = 35963;
const PSAM_SLOT = 35964;
const QUEUE = "sscard-kiosk-test";
/** Where cups-pdf writes a job printed by no known user. */
const PRINTED = "/var/spool/cups-pdf/ANONYMOUS";

export const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
export async function until(what: string, check: () => boolean, ms = 10_000) {
  for (let t = 0; t < ms && !check(); t += 50) await wait(50);
  assert.ok(check(), what);
}

/**
 * Starts pcscd and cupsd where none runs, a cups-pdf queue, registers a kiosk in Hangzhou (terminal,
 * key, terminal file, PSAM in its slot) and starts its agent for `origin`. `stop` undoes it all.
 */
export async function startKioskDevices(
  deps: Deps,
  options: { origin: string; terminalNo: string; simulate?: boolean },
) {
  const children: ChildProcess[] = [];
  const daemon = (command: string, args: string[]) =>
    children.push(spawn(command, args, { stdio: "ignore" }));
  if (spawnSync("pgrep", ["-x", "pcscd"]).status !== 0) daemon("pcscd", ["--foreground"]);
  if (spawnSync("lpstat", ["-r"]).stdout.toString().includes("not running")) daemon("cupsd", ["-f"]);
  for (let i = 0; i < 100 && !spawnSync("lpstat", ["-r"]).stdout.toString().includes("is running"); i++)
    await wait(100);
  spawnSync("lpadmin", [
    "-p",
    QUEUE,
    "-v",
    "cups-pdf:/",
    "-P",
    "/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd",
    "-E",
  ]);
  spawnSync("cupsenable", [QUEUE]);

  // The kiosk registered as an administrator does it: terminal, key, terminal file; then its PSAM.
  const dir = mkdtempSync(join(tmpdir(), "sscard-kiosk-"));
  await deps.terminals.register(SYSTEM_ACTOR, {
    terminalNo: options.terminalNo,
    areaCode: "330100",
    name: "西湖区社保自助终端",
  });
  const key = await deps.staff.createApiKey(SYSTEM_ACTOR, {
    name: "西湖区社保自助终端",
    role: "outlet_clerk",
    areaCode: "330100",
    channel: "kiosk",
  });
  const terminalFile = join(dir, "kiosk.json");
  const pinKey = deps.machine.terminalPinKey(key.id, 4).toString("hex");
  writeFileSync(terminalFile, JSON.stringify({ terminalNo: options.terminalNo, pinKey, regions: ["33"] }));
  const psam = await insertIntoVpcd(
    createPsamApplet(await deps.terminals.issuePsam(SYSTEM_ACTOR, options.terminalNo)),
    {
      port: PSAM_SLOT,
    },
  );
  const agent = spawn(
    process.execPath,
    [
      "src/cli/main.ts",
      "kiosk",
      "agent",
      "--port",
      "0",
      "--origin",
      options.origin,
      "--terminal",
      terminalFile,
      "--pcsc-psam",
      "Virtual PCD 00 01",
      "--printer",
      `ipp://127.0.0.1:631/printers/${QUEUE}`,
      ...(options.simulate ? ["--simulate"] : []),
    ],
    {
      env: { ...process.env, SSCARD_CLOCK_START: deps.clock.now().toISOString() },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  children.push(agent);
  let out = "";
  agent.stdout!.on("data", (d) => (out += d));
  await until("the agent started", () => /ws:\/\/127\.0\.0\.1:(\d+)/.test(out), 20_000);
  const port = Number(/ws:\/\/127\.0\.0\.1:(\d+)/.exec(out)![1]);
  return {
    token: key.token,
    pinKey,
    port,
    url: `ws://127.0.0.1:${port}`,
    queue: QUEUE,
    /** The page cups-pdf wrote for a job of this title. */
    async printed(title: string): Promise<Buffer> {
      let file: string | undefined;
      await until("cups-pdf wrote the page", () => {
        file = readdirSync(PRINTED).find((f) => f.startsWith(title) && f.endsWith(".pdf"));
        return file !== undefined;
      });
      return readFileSync(join(PRINTED, file!));
    },
    async stop() {
      await psam.remove();
      for (const c of children.reverse()) {
        c.kill("SIGTERM");
        if (c.exitCode === null) await Promise.race([once(c, "exit"), wait(3000)]);
      }
      spawnSync("lpadmin", ["-x", QUEUE]);
    },
  };
}
