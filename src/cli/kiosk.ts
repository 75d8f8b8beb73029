import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { Db } from "../db/database.ts";
import type { Deps } from "../deps.ts";
import { type KioskTerminal, startKioskAgent } from "../modules/kiosk/kiosk.agent.ts";
import { SYSTEM_ACTOR } from "../shared/auth.ts";
import { startedClock, systemClock } from "../shared/clock.ts";
import { DomainError } from "../shared/errors.ts";

/**
 * `sscard kiosk agent`: the kiosk's device agent, until SIGINT or SIGTERM.
 *   --terminal FILE      the kiosk's terminal file (terminal number, PIN key; from `sscard kiosk register`)
 *   --pcsc-psam NAME     read cards through pcscd; the reader whose name contains NAME holds the PSAM
 *   --printer URL        the A4 printer's IPP address (CUPS: ipp://127.0.0.1:631/printers/QUEUE)
 *   --simulate           the ID card reader and card slot simulators (demo and tests only)
 * SSCARD_CLOCK_START starts its clock (the card's validity) where the tests put it.
 */
export async function kioskAgentCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: "string", default: "17300" },
      origin: { type: "string", default: "http://127.0.0.1:8080" },
      simulate: { type: "boolean", default: false },
      terminal: { type: "string" },
      "pcsc-psam": { type: "string" },
      printer: { type: "string" },
    },
  });
  const terminal = values.terminal
    ? (JSON.parse(readFileSync(values.terminal, "utf8")) as KioskTerminal)
    : undefined;
  if (terminal && (!/^\d{12}$/.test(terminal.terminalNo) || !/^[0-9a-fA-F]{32}$/.test(terminal.pinKey)))
    throw new Error(`${values.terminal}: not a kiosk terminal file (terminalNo, pinKey)`);
  const clock = process.env.SSCARD_CLOCK_START ? startedClock(process.env.SSCARD_CLOCK_START) : systemClock;
  const agent = await startKioskAgent({
    port: Number(values.port),
    origin: values.origin,
    simulate: values.simulate,
    terminal,
    pcsc: values["pcsc-psam"] ? { psamReader: values["pcsc-psam"] } : undefined,
    printer: values.printer,
    now: clock.now,
  });
  console.log(
    `kiosk device agent on ${agent.url} for ${values.origin}${values.simulate ? " — SIMULATED devices (demo and tests only)" : ""}`,
  );
  await new Promise((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await agent.close();
  return 0;
}

/**
 * `sscard kiosk register --terminal N --area A --name NAME --out FILE [--institution CODE]`: a
 * self-service kiosk of an outlet or (with its code) a designated medical institution — the terminal
 * registered in the area (and attached to the institution), the kiosk's
 * channel key (what a kiosk may do is the kiosk column of the matrix: never unlock or reset), and
 * the kiosk's terminal file with its PIN key (format 4) for the agent, written 0600. The key's token
 * is printed once; the kiosk page asks for it at its first start. `sscard psam issue` then gives the
 * kiosk its PSAM.
 */
export async function kioskRegisterCommand(deps: Deps, _db: Db, args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      terminal: { type: "string" },
      area: { type: "string" },
      name: { type: "string" },
      out: { type: "string" },
      institution: { type: "string" },
    },
  });
  if (!values.terminal || !values.area || !values.name || !values.out) {
    console.error("kiosk register needs --terminal --area --name --out");
    return 2;
  }
  // The institution first: an unknown one leaves nothing registered.
  if (
    values.institution &&
    !(await deps.medical.institutions(SYSTEM_ACTOR)).some((i) => i.code === values.institution)
  )
    throw new DomainError("INSTITUTION_NOT_FOUND", { code: values.institution });
  await deps.terminals.register(SYSTEM_ACTOR, {
    terminalNo: values.terminal,
    areaCode: values.area,
    name: values.name,
  });
  // A kiosk in a designated hospital or pharmacy: the terminal belongs to the institution.
  if (values.institution)
    await deps.medical.attachTerminal(SYSTEM_ACTOR, values.institution, values.terminal);
  const key = await deps.staff.createApiKey(SYSTEM_ACTOR, {
    name: `${values.name}（自助终端 ${values.terminal}）`,
    role: "outlet_clerk",
    areaCode: values.area,
    channel: "kiosk",
  });
  const terminal: KioskTerminal = {
    terminalNo: values.terminal,
    pinKey: deps.machine.terminalPinKey(key.id, 4).toString("hex"),
    regions: [values.area.slice(0, 2)],
  };
  writeFileSync(values.out, `${JSON.stringify(terminal)}\n`, { mode: 0o600 });
  console.log(`kiosk ${values.terminal} registered; its terminal file (with its PIN key) is ${values.out}`);
  console.log(`kiosk key (shown once; type it into the kiosk page at its first start): ${key.token}`);
  return 0;
}
