import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocket, WebSocketServer } from "ws";
import { chinaDate } from "../../shared/clock.ts";
import { encipherFormat4 } from "../keys/pin-block.ts";
import type { IdCardFacts } from "./id-card.rules.ts";
import { type IdCardReader, simulatedIdCardReader } from "./id-card-reader.ts";
import { type PaymentResult, type PaymentTerminal, simulatedPaymentTerminal } from "./payment-terminal.ts";
import { type InsertedCard, watchPcsc } from "./pcsc.ts";
import { ippPrinter, type PrintStatus } from "./printer.ts";

/**
 * The kiosk's device agent: a local service on 127.0.0.1 that owns the terminal's hardware and tells
 * the kiosk page what happens through a WebSocket. Only the kiosk page's own origin may connect
 * (another page in the browser cannot listen to the readers). Devices sit behind adapters:
 * - the card reader and the kiosk's PSAM through PC/SC (`pcsc`): a card is authenticated with the
 *   PSAM before the page hears of it;
 * - the PIN pad: the digits typed on the screen's shuffled pad come to the agent, which enciphers
 *   them as an ISO 9564 format 4 block under the kiosk's PIN key, bound to the card's social security
 *   number (or the ID number typed for a pre-loss); sscard refuses a kiosk's clear PIN;
 * - the A4 printer through IPP (`printer`), with the job's status (out of paper, jam) for the holder;
 * - the payment terminal (`payment-terminal.ts`): the order's amount taken on the bank's terminal;
 * - simulators (`simulate`, for the demo and the tests, clearly marked): the ID card reader (the
 *   vendor SDK's 256-byte record) and a card slot, driven over HTTP on the same port
 *   (`POST /simulator/id-card`, `POST /simulator/card`, `DELETE /simulator/card`), and a payment
 *   terminal answered by `POST /simulator/payment {result}`.
 */
export type AgentEvent =
  | {
      type: "hello";
      devices: Record<
        "idCardReader" | "cardReader" | "pinPad" | "printer" | "paymentTerminal",
        "simulator" | "missing" | "ready"
      >;
    }
  | { type: "id_card"; record: string }
  | { type: "card_inserted"; cardNumber: string }
  | { type: "card_refused"; refusal: string }
  | { type: "card_removed" }
  | { type: "pin_block"; id: string; pinBlock: { format: 4; block: string } }
  | ({ type: "print_status"; id: string } & PrintStatus)
  | ({ type: "payment"; id: string } & PaymentResult)
  | { type: "error"; id: string; code: string };

type PageMessage =
  | { type: "pin_block"; id: string; pin: string; account?: string }
  | { type: "print"; id: string; pdf: string; title: string }
  | { type: "pay"; id: string; orderNo: string; amountFen: number };

/** What the kiosk was given when it was registered: its terminal number and its PIN key (format 4). */
export type KioskTerminal = Readonly<{ terminalNo: string; pinKey: string; regions?: readonly string[] }>;

export type KioskAgent = Readonly<{ url: string; port: number; close: () => Promise<void> }>;

export async function startKioskAgent(options: {
  port?: number;
  /** The kiosk page's origin (e.g. http://127.0.0.1:8080): the only one allowed to connect. */
  origin: string;
  simulate: boolean;
  terminal?: KioskTerminal;
  /** PC/SC: the reader whose name contains this holds the PSAM; the others take cards. */
  pcsc?: { psamReader: string };
  /** The A4 printer's IPP address, e.g. ipp://127.0.0.1:631/printers/kiosk. */
  printer?: string;
  /** A resident ID card reader's SDK adapter (with `simulate` and none, the simulated reader). */
  idCardReader?: IdCardReader;
  now?: () => Date;
}): Promise<KioskAgent> {
  const clients = new Set<WebSocket>();
  let inserted: InsertedCard | undefined;
  const devices: Extract<AgentEvent, { type: "hello" }>["devices"] = {
    idCardReader: options.simulate ? "simulator" : "missing",
    cardReader: options.pcsc ? "missing" : options.simulate ? "simulator" : "missing",
    pinPad: options.terminal ? "ready" : "missing",
    printer: options.printer ? "ready" : "missing",
    paymentTerminal: options.simulate ? "simulator" : "missing",
  };
  const terminal: PaymentTerminal | undefined = options.simulate ? simulatedPaymentTerminal() : undefined;
  const broadcast = (event: AgentEvent) => {
    const text = JSON.stringify(event);
    for (const c of clients) if (c.readyState === WebSocket.OPEN) c.send(text);
  };
  const idSimulator = options.simulate ? simulatedIdCardReader() : undefined;
  const idReader: IdCardReader | undefined = options.idCardReader ?? idSimulator;
  if (options.idCardReader) devices.idCardReader = "ready";
  const stopIdReader = idReader?.start((read) =>
    broadcast({ type: "id_card", record: read.record.toString("base64") }),
  );
  const printer = options.printer ? ippPrinter(options.printer) : undefined;
  const pcsc = options.pcsc
    ? await watchPcsc(
        {
          psamReader: options.pcsc.psamReader,
          supportedRegions: options.terminal?.regions ?? [""],
          today: () => chinaDate((options.now ?? (() => new Date()))()),
        },
        {
          psam: (state) => {
            devices.cardReader = state === "ready" ? "ready" : "missing";
            broadcast({ type: "hello", devices });
          },
          inserted: (card) => {
            inserted = card;
            broadcast({ type: "card_inserted", cardNumber: card.cardNumber });
          },
          refused: (refusal) => broadcast({ type: "card_refused", refusal }),
          removed: () => {
            inserted = undefined;
            broadcast({ type: "card_removed" });
          },
        },
      )
    : undefined;

  /** The page's requests: a PIN block for the digits typed, a print. Answers go to the asking page. */
  async function handle(socket: WebSocket, message: PageMessage) {
    const answer = (event: AgentEvent) =>
      socket.readyState === WebSocket.OPEN && socket.send(JSON.stringify(event));
    if (message.type === "pin_block") {
      const account = message.account ?? inserted?.ssn;
      if (
        !options.terminal ||
        !account ||
        !/^\d{17}[\dX]$/.test(account) ||
        typeof message.pin !== "string" ||
        !/^\d{6}$/.test(message.pin)
      )
        return answer({
          type: "error",
          id: message.id,
          code: options.terminal ? "PIN_BLOCK_INPUT" : "PIN_PAD_MISSING",
        });
      const key = Buffer.from(options.terminal.pinKey, "hex");
      const block = encipherFormat4(key, message.pin, account.slice(0, 17)).toString("hex").toUpperCase();
      return answer({ type: "pin_block", id: message.id, pinBlock: { format: 4, block } });
    }
    if (message.type === "pay") {
      const valid =
        typeof message.orderNo === "string" &&
        /^PO\d{24}$/.test(message.orderNo) &&
        Number.isSafeInteger(message.amountFen) &&
        message.amountFen > 0;
      if (!terminal || !valid)
        return answer({
          type: "error",
          id: message.id,
          code: terminal ? "PAYMENT_INPUT" : "PAYMENT_TERMINAL_MISSING",
        });
      const paid = await terminal.pay({ orderNo: message.orderNo, amountFen: message.amountFen });
      return answer({ type: "payment", id: message.id, ...paid });
    }
    if (message.type === "print") {
      if (!printer) return answer({ type: "error", id: message.id, code: "PRINTER_MISSING" });
      if (typeof message.pdf !== "string" || typeof message.title !== "string")
        return answer({ type: "error", id: message.id, code: "PRINT_INPUT" });
      const pdf = Buffer.from(message.pdf, "base64");
      if (pdf.subarray(0, 5).toString() !== "%PDF-")
        return answer({ type: "error", id: message.id, code: "NOT_A_PDF" });
      const report = (s: PrintStatus) => answer({ type: "print_status", id: message.id, ...s });
      try {
        report(await printer.print(pdf, message.title.slice(0, 60), report));
      } catch {
        report({ state: "failed", reasons: ["printer-unreachable"], message: "" });
      }
    }
  }

  const body = async (request: IncomingMessage) => {
    let text = "";
    for await (const chunk of request) {
      text += chunk;
      if (text.length > 8192) throw new Error("too large");
    }
    const value: unknown = text ? JSON.parse(text) : {};
    if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error("not an object");
    return value as Record<string, unknown>;
  };

  const server: Server = createServer((request, response) => {
    const reply = (status: number, value: unknown) => {
      response.writeHead(status, { "content-type": "application/json" });
      response.end(JSON.stringify(value));
    };
    if (!options.simulate || !request.url?.startsWith("/simulator/"))
      return reply(404, { error: "not found" });
    body(request)
      .then((input) => {
        if (request.url === "/simulator/id-card" && request.method === "POST") {
          idSimulator!.swipe(input as IdCardFacts);
          return reply(200, { swiped: true });
        }
        if (request.url === "/simulator/card" && request.method === "POST") {
          if (typeof input.cardNumber !== "string" || !/^[0-9A-Z]{9}$/.test(input.cardNumber))
            return reply(400, { error: "cardNumber: 9 capital letters or digits" });
          if (typeof input.ssn !== "string" || !/^\d{17}[\dX]$/.test(input.ssn))
            return reply(400, { error: "ssn: the holder's social security number (18 characters)" });
          inserted = { cardNumber: input.cardNumber, ssn: input.ssn, cardIdCode: "" };
          broadcast({ type: "card_inserted", cardNumber: inserted.cardNumber });
          return reply(200, { inserted: inserted.cardNumber });
        }
        if (request.url === "/simulator/payment" && request.method === "POST") {
          const result = input.result;
          if (result !== "approved" && result !== "declined" && result !== "cancelled")
            return reply(400, { error: "result: approved, declined or cancelled" });
          return terminal?.answer?.(result)
            ? reply(200, { answered: result })
            : reply(409, { error: "no payment is waiting" });
        }
        if (request.url === "/simulator/card" && request.method === "DELETE") {
          inserted = undefined;
          broadcast({ type: "card_removed" });
          return reply(200, { removed: true });
        }
        reply(404, { error: "not found" });
      })
      .catch(() => {
        if (!response.headersSent) reply(400, { error: "bad request" });
      });
  });
  const wss = new WebSocketServer({
    server,
    maxPayload: 4 * 1024 * 1024,
    verifyClient: ({ origin }: { origin: string }) => origin === options.origin,
  });
  wss.on("connection", (socket) => {
    clients.add(socket);
    socket.on("close", () => clients.delete(socket));
    socket.on("message", (data) => {
      let message: PageMessage;
      try {
        message = JSON.parse(String(data)) as PageMessage;
      } catch {
        return;
      }
      // Whatever a page sends, the agent answers or ignores it; it never stops serving.
      if (typeof message?.id === "string")
        handle(socket, message).catch(() => {
          if (socket.readyState === WebSocket.OPEN)
            socket.send(
              JSON.stringify({ type: "error", id: message.id, code: "AGENT_ERROR" } satisfies AgentEvent),
            );
        });
    });
    socket.send(JSON.stringify({ type: "hello", devices } satisfies AgentEvent));
    if (inserted)
      socket.send(
        JSON.stringify({ type: "card_inserted", cardNumber: inserted.cardNumber } satisfies AgentEvent),
      );
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 17300, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `ws://127.0.0.1:${port}`,
    close: async () => {
      pcsc?.stop();
      stopIdReader?.();
      for (const c of clients) c.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
