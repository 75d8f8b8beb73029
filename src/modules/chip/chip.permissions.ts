import { ADMINS } from "../../shared/auth.ts";
import {
  CARD_READERS,
  counterAndSystems,
  counterOnly,
  permissionsOf,
  SELF_SERVICE,
  SETTLING,
} from "../../shared/permissions.ts";

/** Who may do what in the chip module, through which channel (one slice of the action × channel × role matrix). */
export const CHIP_PERMISSIONS = permissionsOf("chip", {
  personalise: { summary: "personalise chips", channels: counterAndSystems(ADMINS) },
  certificate: {
    summary: "a card's certificate and the issuer's public keys",
    channels: {
      ...counterAndSystems(CARD_READERS),
      kiosk: SELF_SERVICE,
    },
  },
  readerUse: {
    summary: "read a card in a reader: authenticate it, read its data, verify or change its PIN",
    channels: {
      ...counterAndSystems(CARD_READERS),
      kiosk: SELF_SERVICE,
    },
  },
  readerUnblockPin: {
    summary: "unblock a chip's PIN in a reader with an issuer script (an unlock: at the counter only)",
    channels: counterOnly(["outlet_clerk", "bank_clerk", ...ADMINS]),
  },
  readerDebit: {
    summary: "debit a chip's purse in a reader",
    channels: counterAndSystems(["medical_operator", "pharmacy_operator", ...ADMINS]),
  },
  terminals: {
    summary: "register terminals, install their PSAMs from the area's stock, read who holds which PSAM",
    channels: counterOnly(ADMINS),
  },
  psams: {
    summary:
      "issue PSAMs and distribute them to areas (Measures Art. 23: uniformly distributed by the ministry)",
    channels: counterOnly(["ministry_admin"]),
  },
  issuerScripts: {
    summary: "issuer scripts written to a card (data updates, application unblock)",
    channels: counterOnly(["outlet_clerk", "bank_clerk", ...ADMINS]),
  },
  remoteAuth: {
    summary: "authenticate a card remotely (the terminal relays the chip's answers)",
    channels: {
      ...counterAndSystems(CARD_READERS),
      kiosk: SELF_SERVICE,
    },
  },
  verifyTac: {
    summary: "check a purse purchase's TAC",
    channels: counterAndSystems([...SETTLING, ...ADMINS]),
  },
});
