import { openPsam } from "../chip/psam.ts";
import { type CardChannel, ReaderError, type ReaderRefusal, readCardBasic } from "../chip/reader.ts";

/** What the kiosk learns from an inserted card once its PSAM has authenticated it. */
export type InsertedCard = Readonly<{ cardNumber: string; ssn: string; cardIdCode: string }>;

export type PcscEvents = Readonly<{
  inserted: (card: InsertedCard) => void;
  refused: (refusal: ReaderRefusal | "PSAM_MISSING" | "READER_ERROR") => void;
  removed: () => void;
  psam: (state: "ready" | "missing") => void;
}>;

type Devices = {
  on: (event: string, handler: (arg: never) => void) => void;
  start: () => void;
  stop: () => void;
};
type PcscCard = { transmit: (apdu: Buffer) => Promise<Buffer> };

/**
 * The kiosk's PC/SC readers through pcscd (the `smartcard` binding, an optional dependency): the
 * reader whose name contains `psamReader` holds the kiosk's PSAM, any other one takes the holder's
 * card. An inserted card is authenticated with the PSAM (internal and external authentication, as a
 * hospital terminal does) before the page hears of it; a card that fails says why.
 */
export async function watchPcsc(
  options: { psamReader: string; supportedRegions: readonly string[]; today: () => string },
  events: PcscEvents,
): Promise<{ stop: () => void }> {
  const binding = "smartcard"; // optional: absent where pcsclite's headers were missing at install
  const { Devices } = (await import(binding)) as { Devices: new () => Devices };
  const devices = new Devices();
  let psam: Awaited<ReturnType<typeof openPsam>> | undefined;
  const channel = (card: PcscCard): CardChannel => ({ transmit: (apdu) => card.transmit(apdu) });

  devices.on("card-inserted", async ({ reader, card }: { reader: { name: string }; card: PcscCard }) => {
    if (reader.name.includes(options.psamReader)) {
      psam = await openPsam(channel(card)).catch(() => undefined);
      events.psam(psam ? "ready" : "missing");
      return;
    }
    if (!psam) return events.refused("PSAM_MISSING");
    try {
      const basic = await readCardBasic(channel(card), {
        terminalNo: psam.terminalNo,
        deviceNo: `KIOSK-${psam.terminalNo}`,
        sam: psam,
        // The kiosk holds no blacklist: sscard refuses a stopped card when the session is opened.
        isBlacklisted: async () => false,
        supportedRegions: options.supportedRegions,
        today: options.today,
      });
      events.inserted({ cardNumber: basic.cardNumber, ssn: basic.ssn, cardIdCode: basic.cardIdCode });
    } catch (err) {
      events.refused(err instanceof ReaderError ? err.refusal : "READER_ERROR");
    }
  });
  devices.on("card-removed", ({ reader }: { reader: { name: string } }) => {
    if (reader.name.includes(options.psamReader)) {
      psam = undefined;
      events.psam("missing");
    } else events.removed();
  });
  devices.on("error", () => events.refused("READER_ERROR"));
  devices.start();
  return { stop: () => devices.stop() };
}
