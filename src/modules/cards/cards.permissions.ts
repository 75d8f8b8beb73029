import { ADMINS, ROLES } from "../../shared/auth.ts";
import { counterAndSystems, counterOnly, permissionsOf, SELF_SERVICE } from "../../shared/permissions.ts";

/** Who may do what in the cards module, through which channel (one slice of the action × channel × role matrix). */
export const CARD_PERMISSIONS = permissionsOf("cards", {
  lifecycle: { summary: "the card lifecycle's states and transitions", channels: counterAndSystems(ROLES) },
  read: {
    summary: "a card's status and history, the card search, the blacklist",
    channels: {
      ...counterAndSystems([
        "outlet_clerk",
        "bank_clerk",
        "medical_operator",
        "pharmacy_operator",
        "auditor",
        ...ADMINS,
      ]),
      kiosk: SELF_SERVICE,
      phone: SELF_SERVICE,
      web: SELF_SERVICE,
    },
  },
  apply: {
    summary: "card applications, one or a batch",
    channels: counterAndSystems(["outlet_clerk", ...ADMINS]),
  },
  produce: { summary: "production batches and their returns", channels: counterAndSystems(ADMINS) },
  counter: {
    summary:
      "the outlet's card business: hand-over, activation, revoking a pre-loss, formal loss and replacement, renewal, cancellation, duplicates",
    channels: counterOnly(["outlet_clerk", ...ADMINS]),
  },
  // A self-service terminal and the 96102 line pre-loss with the holder's ID number and card password
  // (kiosk.preLoss, phone.ivr), never by a card number alone.
  reportLoss: {
    summary: "pre-loss (temporary loss) by the card's number: the counter",
    channels: { counter: ["outlet_clerk", ...ADMINS] },
  },
  bank: {
    summary: "the financial function and the bank's tasks (the card's partner bank)",
    channels: counterAndSystems(["bank_clerk"]),
  },
  calendar: { summary: "an area's working-day calendar", channels: counterOnly(ADMINS) },
});
