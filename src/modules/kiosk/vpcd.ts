import { connect, type Socket } from "node:net";

/** An ATR of a contact card (T=1), as a virtual card answers vpcd's "get ATR". */
export const VIRTUAL_ATR = Buffer.from("3B8F8001804F0CA0000003060300030000000068", "hex");

/**
 * Puts a card (anything that answers APDUs synchronously: the project's virtual card or PSAM) into
 * one slot of vsmartcard's vpcd reader behind pcscd — the card is "inserted" while the connection
 * lasts. vpcd's protocol: each message is a 2-byte big-endian length then either one control byte
 * (0 power off, 1 power on, 2 reset, 4 get ATR: answered with the ATR) or a command APDU (answered
 * with the response APDU). For tests and a demo kiosk without hardware; run it in another process
 * than the PC/SC client (a blocking transmit would wait on its own event loop).
 */
export function insertIntoVpcd(
  card: { transmit: (apdu: Buffer) => Buffer },
  options: { port: number; host?: string; atr?: Buffer },
): Promise<{ remove: () => Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(options.port, options.host ?? "127.0.0.1");
    let pending = Buffer.alloc(0);
    const send = (data: Buffer) => {
      const head = Buffer.alloc(2);
      head.writeUInt16BE(data.length);
      socket.write(Buffer.concat([head, data]));
    };
    socket.on("data", (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        const message = pending.subarray(2, 2 + pending.readUInt16BE(0));
        pending = pending.subarray(2 + message.length);
        if (message.length === 1) {
          if (message[0] === 4) send(options.atr ?? VIRTUAL_ATR);
        } else send(card.transmit(message));
      }
    });
    socket.once("error", reject);
    socket.once("connect", () =>
      resolve({
        remove: () =>
          new Promise<void>((done) => {
            socket.once("close", () => done());
            socket.destroy();
          }),
      }),
    );
  });
}
