import assert from "node:assert/strict";
import { once } from "node:events";
import { describe, it } from "node:test";
import { WebSocket } from "ws";
import { decipherFormat4 } from "../keys/pin-block.ts";
import { startKioskAgent } from "./kiosk.agent.ts";

describe("the kiosk's device agent", () => {
  const ORIGIN = "http://127.0.0.1:8080";
  const TERMINAL = { terminalNo: "330100900001", pinKey: "00112233445566778899aabbccddeeff" };
  const SSN = "330106199003071234";
  /** A WebSocket client from a page of `origin`, with the events it heard. */
  async function listen(url: string, origin: string) {
    const socket = new WebSocket(url, { origin });
    const events: { type: string; [k: string]: unknown }[] = [];
    socket.on("message", (m) => events.push(JSON.parse(String(m))));
    await once(socket, "open");
    return { socket, events };
  }
  const until = async (check: () => boolean) => {
    for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(check());
  };

  it("tells only the kiosk page's origin what the readers see: the card inserted and pulled, the ID card swiped", async () => {
    const agent = await startKioskAgent({ port: 0, origin: ORIGIN, simulate: true, terminal: TERMINAL });
    try {
      const stranger = new WebSocket(agent.url, { origin: "http://evil.example" });
      const [err] = await once(stranger, "error");
      assert.match(String(err), /401/, "another page's origin is refused");

      const { socket, events } = await listen(agent.url, ORIGIN);
      await until(() => events.length === 1);
      assert.deepEqual(events[0], {
        type: "hello",
        devices: {
          idCardReader: "simulator",
          cardReader: "simulator",
          pinPad: "ready",
          printer: "missing",
          paymentTerminal: "simulator",
        },
      });
      const post = (path: string, method: string, body?: object) =>
        fetch(`http://127.0.0.1:${agent.port}/simulator/${path}`, {
          method,
          body: body && JSON.stringify(body),
        });
      assert.equal((await post("card", "POST", { cardNumber: "A12345678", ssn: SSN })).status, 200);
      // The PIN typed on the screen's pad comes back as a format 4 block bound to the card's number.
      socket.send(JSON.stringify({ type: "pin_block", id: "1", pin: "135790" }));
      await until(() => events.some((e) => e.id === "1"));
      const block = events.find((e) => e.id === "1")!.pinBlock as { format: number; block: string };
      assert.equal(block.format, 4);
      assert.equal(
        decipherFormat4(
          Buffer.from(TERMINAL.pinKey, "hex"),
          Buffer.from(block.block, "hex"),
          SSN.slice(0, 17),
        ),
        "135790",
      );
      for (const [id, bad] of [
        ["2", { pin: "12" }],
        ["3", { pin: 135790 }],
        ["4", { pin: "135790", account: "not an ID" }],
      ] as const) {
        socket.send(JSON.stringify({ type: "pin_block", id, ...bad }));
        await until(() => events.some((e) => e.id === id));
        assert.equal(events.find((e) => e.id === id)!.code, "PIN_BLOCK_INPUT", JSON.stringify(bad));
      }
      socket.send(JSON.stringify({ type: "print", id: "5", title: "x", pdf: "JVBERi0=" }));
      await until(() => events.some((e) => e.id === "5"));
      assert.equal(events.find((e) => e.id === "5")!.code, "PRINTER_MISSING");
      // The payment terminal takes the order's amount; the holder's answer on it comes back.
      const order = { orderNo: `PO20261122${"1".repeat(16)}`, amountFen: 36_000 };
      assert.equal((await post("payment", "POST", { result: "approved" })).status, 409, "nothing waiting");
      socket.send(JSON.stringify({ type: "pay", id: "6", ...order }));
      for (let i = 0; i < 50 && (await post("payment", "POST", { result: "approved" })).status !== 200; i++)
        await new Promise((r) => setTimeout(r, 10));
      await until(() => events.some((e) => e.id === "6"));
      const paid = events.find((e) => e.id === "6")!;
      assert.deepEqual([paid.type, paid.result], ["payment", "approved"]);
      assert.match(String(paid.reference), /^SIM/);
      socket.send(JSON.stringify({ type: "pay", id: "7", ...order }));
      for (let i = 0; i < 50 && (await post("payment", "POST", { result: "declined" })).status !== 200; i++)
        await new Promise((r) => setTimeout(r, 10));
      await until(() => events.some((e) => e.id === "7"));
      assert.equal(events.find((e) => e.id === "7")!.result, "declined");
      socket.send(JSON.stringify({ type: "pay", id: "8", orderNo: "x", amountFen: -1 }));
      await until(() => events.some((e) => e.id === "8"));
      assert.equal(events.find((e) => e.id === "8")!.code, "PAYMENT_INPUT");
      assert.equal((await post("payment", "POST", { result: "maybe" })).status, 400);
      assert.equal((await post("card", "DELETE")).status, 200);
      assert.equal(
        (
          await post("id-card", "POST", {
            name: "张三",
            sex: "1",
            ethnicity: "01",
            birthDate: "1990-01-01",
            address: "x",
            idNumber: "x",
            authority: "x",
            validFrom: "2020-01-01",
            validUntil: "long_term",
          })
        ).status,
        200,
      );
      await until(() => events.filter((e) => e.id === undefined).length === 4);
      const heard = events.filter((e) => e.id === undefined);
      assert.deepEqual(
        heard.slice(1).map((e) => e.type),
        ["card_inserted", "card_removed", "id_card"],
      );
      assert.equal(Buffer.from(String(heard[3].record), "base64").length, 256, "the reader SDK's record");
      assert.equal((await post("nothing", "POST")).status, 404);
      assert.equal((await post("card", "POST", { cardNumber: "not a card", ssn: SSN })).status, 400);
      assert.equal((await post("card", "POST", { cardNumber: "A12345678" })).status, 400, "no ssn");
      // A careless client: JSON that is not an object, or not JSON. Refused; the agent goes on.
      for (const raw of ["null", "[1]", "7", "{"]) {
        const r = await fetch(`http://127.0.0.1:${agent.port}/simulator/card`, { method: "POST", body: raw });
        assert.equal(r.status, 400, raw);
      }
      assert.equal((await post("card", "DELETE")).status, 200, "still serving");
      socket.close();
    } finally {
      await agent.close();
    }
  });

  it("without --simulate has no simulator and says the devices are missing", async () => {
    const agent = await startKioskAgent({ port: 0, origin: ORIGIN, simulate: false });
    try {
      const { socket, events } = await listen(agent.url, ORIGIN);
      await until(() => events.length === 1);
      assert.deepEqual(events[0].devices, {
        idCardReader: "missing",
        cardReader: "missing",
        pinPad: "missing",
        printer: "missing",
        paymentTerminal: "missing",
      });
      socket.send(JSON.stringify({ type: "pin_block", id: "1", pin: "135790", account: SSN }));
      await until(() => events.some((e) => e.id === "1"));
      assert.equal(events.find((e) => e.id === "1")!.code, "PIN_PAD_MISSING", "no PIN key, no block");
      const res = await fetch(`http://127.0.0.1:${agent.port}/simulator/card`, {
        method: "POST",
        body: "{}",
      });
      assert.equal(res.status, 404);
      socket.close();
    } finally {
      await agent.close();
    }
  });
});
