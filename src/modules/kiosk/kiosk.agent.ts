import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocket, WebSocketServer } from "ws";
import { type IdCardFacts, idCardRecord } from "./id-card.rules.ts";

/**
 * The kiosk's device agent: a local service on 127.0.0.1 that owns the terminal's hardware and tells
 * the kiosk page what happens through a WebSocket — the resident ID card swiped (the reader SDK's
 * 256-byte record), the social security card inserted or pulled. Only the kiosk page's own origin may
 * connect (another page in the browser cannot listen to the readers).
 *
 * Devices sit behind adapters. This part ships the simulators (`--simulate`, for the demo and the
 * tests, clearly marked as such): the ID card reader and the card slot are driven over HTTP on the
 * same port (`POST /simulator/id-card`, `POST /simulator/card`, `DELETE /simulator/card`). The PC/SC
 * card reader with the kiosk's PSAM, the A4 printer (IPP to CUPS) and the payment terminal are the
 * next adapters (issue 20).
 */
export type AgentEvent =
  | { type: "hello"; devices: Record<"idCardReader" | "cardReader" | "printer", "simulator" | "missing"> }
  | { type: "id_card"; record: string }
  | { type: "card_inserted"; cardNumber: string }
  | { type: "card_removed" };

export type KioskAgent = Readonly<{ url: string; port: number; close: () => Promise<void> }>;

export async function startKioskAgent(options: {
  port?: number;
  /** The kiosk page's origin (e.g. http://127.0.0.1:8080): the only one allowed to connect. */
  origin: string;
  simulate: boolean;
}): Promise<KioskAgent> {
  const clients = new Set<WebSocket>();
  let inserted: string | undefined;
  const devices: Extract<AgentEvent, { type: "hello" }>["devices"] = {
    idCardReader: options.simulate ? "simulator" : "missing",
    cardReader: options.simulate ? "simulator" : "missing",
    printer: "missing",
  };
  const broadcast = (event: AgentEvent) => {
    const text = JSON.stringify(event);
    for (const c of clients) if (c.readyState === WebSocket.OPEN) c.send(text);
  };
  const body = async (request: IncomingMessage) => {
    let text = "";
    for await (const chunk of request) {
      text += chunk;
      if (text.length > 8192) throw new Error("too large");
    }
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  };

  const server: Server = createServer((request, response) => {
    const reply = (status: number, value: unknown) => {
      response.writeHead(status, { "content-type": "application/json" });
      response.end(JSON.stringify(value));
    };
    if (!options.simulate || !request.url?.startsWith("/simulator/"))
      return reply(404, { error: "not found" });
    body(request).then(
      (input) => {
        if (request.url === "/simulator/id-card" && request.method === "POST") {
          broadcast({ type: "id_card", record: idCardRecord(input as IdCardFacts).toString("base64") });
          return reply(200, { swiped: true });
        }
        if (request.url === "/simulator/card" && request.method === "POST") {
          if (typeof input.cardNumber !== "string" || !/^[0-9A-Z]{9}$/.test(input.cardNumber))
            return reply(400, { error: "cardNumber: 9 capital letters or digits" });
          inserted = input.cardNumber;
          broadcast({ type: "card_inserted", cardNumber: inserted });
          return reply(200, { inserted });
        }
        if (request.url === "/simulator/card" && request.method === "DELETE") {
          inserted = undefined;
          broadcast({ type: "card_removed" });
          return reply(200, { removed: true });
        }
        reply(404, { error: "not found" });
      },
      () => reply(400, { error: "bad request" }),
    );
  });
  const wss = new WebSocketServer({
    server,
    verifyClient: ({ origin }: { origin: string }) => origin === options.origin,
  });
  wss.on("connection", (socket) => {
    clients.add(socket);
    socket.on("close", () => clients.delete(socket));
    socket.send(JSON.stringify({ type: "hello", devices } satisfies AgentEvent));
    if (inserted)
      socket.send(JSON.stringify({ type: "card_inserted", cardNumber: inserted } satisfies AgentEvent));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 17300, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `ws://127.0.0.1:${port}`,
    close: async () => {
      for (const c of clients) c.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
