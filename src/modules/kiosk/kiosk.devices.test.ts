import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { once } from "node:events";
import { after, before, describe, it } from "node:test";
import { WebSocket } from "ws";
import { callAs, produceCard, seedAreas, seedCardKeys, useTestApp } from "../../../test/fixtures.ts";
import { CARD_SLOT, kioskDevices, startKioskDevices, until } from "../../../test/kiosk-devices.ts";
import { qrOfPdf, redPixelsOfPdf } from "../../../test/pdf.ts";
import { NATIONAL_DEFAULT_POLICY } from "../areas/areas.rules.ts";
import { verifyQr } from "../certificates/certificates.verify.ts";
import { createVirtualCard } from "../chip/virtual-card.ts";
import { initialPin } from "../credentials/pin.rules.ts";
import { insertIntoVpcd } from "./vpcd.ts";

/**
 * The kiosk's devices for real (test/kiosk-devices.ts): pcscd with vpcd, the project's virtual card
 * and a virtual PSAM, CUPS with a cups-pdf queue, the agent as its own process — driven here at the
 * agent's WebSocket as the kiosk page drives it.
 */
const ORIGIN = "http://127.0.0.1:8080";

describe("the kiosk devices: pcscd with a virtual card and PSAM, CUPS with a PDF queue", {
  skip: !kioskDevices && "pcscd, vpcd, smartcard or CUPS missing",
}, () => {
  const ctx = useTestApp("sqlite");
  let agent: { port: number; events: { type: string; [k: string]: unknown }[]; socket: WebSocket };
  let token = "";
  let devices: Awaited<ReturnType<typeof startKioskDevices>> | undefined;

  before(async () => {
    await seedAreas(ctx.deps);
    await seedCardKeys(ctx.deps);
    devices = await startKioskDevices(ctx.deps, { origin: ORIGIN, terminalNo: "330100900001" });
    token = devices.token;
    const socket = new WebSocket(devices.url, { origin: ORIGIN });
    const events: { type: string; [k: string]: unknown }[] = [];
    socket.on("message", (m) => events.push(JSON.parse(String(m))));
    await once(socket, "open");
    agent = { port: devices.port, events, socket };
    await until("the PSAM is ready in its reader", () =>
      events.some((e) => e.type === "hello" && (e.devices as { cardReader: string }).cardReader === "ready"),
    );
  });
  after(async () => {
    agent?.socket.close();
    await devices?.stop();
  });

  /** Asks the agent and waits for its answer to this request. */
  const ask = async (
    message: { type: string; id: string; [k: string]: unknown },
    final = (_e: Record<string, unknown>) => true,
  ) => {
    agent.socket.send(JSON.stringify(message));
    let answer: Record<string, unknown> | undefined;
    await until(
      `the agent answers ${message.type}`,
      () => {
        answer = agent.events.find((e) => e.id === message.id && final(e));
        return answer !== undefined;
      },
      40_000,
    );
    return answer!;
  };

  it("a card inserted in the PC/SC reader is authenticated with the kiosk's PSAM; the PIN typed goes to sscard as a block; pulling the card ends it", async () => {
    const c = await produceCard(ctx.deps, "插卡人");
    const inserted = await insertIntoVpcd(createVirtualCard(structuredClone(c.image)), { port: CARD_SLOT });
    await until("card_inserted", () => agent.events.some((e) => e.type === "card_inserted"));
    const event = agent.events.find((e) => e.type === "card_inserted")!;
    assert.equal(event.cardNumber, c.cardNumber, "the number read from the chip after mutual authentication");

    const pin = initialPin(c.cardNumber, NATIONAL_DEFAULT_POLICY);
    const answer = await ask({ type: "pin_block", id: "p1", pin });
    const pinBlock = answer.pinBlock as { format: number; block: string };
    assert.equal(pinBlock.format, 4);
    assert.doesNotMatch(pinBlock.block, new RegExp(pin), "the digits are not in the block");
    const open = await callAs(ctx.app, token)("POST", "/kiosk/sessions", {
      card: { cardNumber: c.cardNumber, pinBlock },
    });
    assert.equal(open.status, 200, JSON.stringify(open.body));
    assert.equal(open.body.scope, "all");
    const wrongBlock = (
      await ask({ type: "pin_block", id: "p2", pin: pin === "000000" ? "111111" : "000000" })
    ).pinBlock;
    const wrong = await callAs(ctx.app, token)("POST", "/kiosk/sessions", {
      card: { cardNumber: c.cardNumber, pinBlock: wrongBlock },
    });
    assert.deepEqual([wrong.status, wrong.body.code], [403, "PASSWORD_WRONG"]);

    await inserted.remove();
    await until("card_removed", () => agent.events.some((e) => e.type === "card_removed"));
    assert.equal(
      (await ask({ type: "pin_block", id: "p3", pin })).code,
      "PIN_BLOCK_INPUT",
      "no card, no account: no block",
    );

    // A card whose chip does not answer with this area's keys is refused before the page hears of it.
    const forged = structuredClone(c.image);
    forged.keys[1] = Buffer.alloc(16, 7).toString("hex") as never;
    const bad = await insertIntoVpcd(createVirtualCard(forged), { port: CARD_SLOT });
    await until("card_refused", () => agent.events.some((e) => e.type === "card_refused"));
    assert.equal(agent.events.find((e) => e.type === "card_refused")!.refusal, "CARD_AUTHENTICATION_FAILED");
    await bad.remove();
  });

  it("prints the rights record on A4 through CUPS: the printed page has the red seal and a QR that verifies; a stopped printer is reported and the retry prints without a second certificate", async () => {
    const c = await produceCard(ctx.deps, "打印人");
    const pin = initialPin(c.cardNumber, NATIONAL_DEFAULT_POLICY);
    // Without the card in the slot, the page gives the account (the ID number typed) itself.
    const { pinBlock } = await ask({ type: "pin_block", id: "q1", pin, account: c.idNumber });
    const open = await callAs(ctx.app, token)("POST", "/kiosk/sessions", {
      card: { cardNumber: c.cardNumber, pinBlock },
    });
    assert.equal(open.status, 200, JSON.stringify(open.body));
    const asHolder = callAs(ctx.app, open.body.token);
    const issued = await asHolder("POST", "/holder/certificates", { kind: "rights_record" });
    assert.equal(issued.status, 201, JSON.stringify(issued.body));
    const serial = issued.body.serial as string;
    const pdfOf = async () =>
      (
        await ctx.app.inject({
          method: "GET",
          url: `/api/v1/holder/certificates/${serial}/pdf`,
          headers: { authorization: `Bearer ${open.body.token}` },
        })
      ).rawPayload;
    const records = async () =>
      (
        await ctx.deps.database.db
          .selectFrom("certificates")
          .select("serial")
          .where("kind", "=", "rights_record")
          .execute()
      ).length;
    const before = await records();
    const title = `QY${Date.now()}`;
    const print = async (id: string) =>
      ask(
        { type: "print", id, title, pdf: (await pdfOf()).toString("base64") },
        (e) => e.state !== "printing",
      );

    // Out of paper: staff stop the queue with the reason; the holder is told, nothing is queued.
    spawnSync("cupsdisable", ["-r", "缺纸 out of paper", devices!.queue]);
    const stopped = await print("j1");
    assert.equal(stopped.type, "print_status");
    assert.equal(stopped.state, "stopped", JSON.stringify(stopped));
    assert.match(String(stopped.message), /缺纸/);
    spawnSync("cupsenable", [devices!.queue]);

    const done = await print("j2");
    assert.equal(done.state, "completed", JSON.stringify(done));
    assert.equal(await records(), before, "the retry printed the same certificate: no second record");
    const printed = await devices!.printed(title);
    assert.ok(redPixelsOfPdf(printed) > 200, "the red seal is on the printed page");
    const qr = qrOfPdf(printed);
    assert.ok(qr.startsWith(`http://127.0.0.1:8080/v/${serial}#c=`), qr);
    const key = (await ctx.app.inject({ method: "GET", url: "/api/v1/certificate-keys/330100" })).json();
    const checked = verifyQr(qr, { "330100": key.publicKey });
    assert.ok(checked.ok, `the printed QR verifies: ${JSON.stringify(checked)}`);
    assert.equal(checked.claims.k, "rights_record");
    // A careless page: no title, a PDF that is not text. Refused; the agent goes on serving.
    for (const [id, bad] of [
      ["j3", { pdf: (await pdfOf()).toString("base64") }],
      ["j4", { title, pdf: 5 }],
      ["j5", { title: ["x"], pdf: "JVBERi0=" }],
    ] as const)
      assert.equal((await ask({ type: "print", id, ...bad })).code, "PRINT_INPUT", id);
    assert.equal((await ask({ type: "pin_block", id: "j6", pin, account: c.idNumber })).type, "pin_block");
  });
});
