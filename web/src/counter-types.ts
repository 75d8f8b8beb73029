/** What the counter pages read from the API. */
export type Person = {
  id: string;
  idNumberMasked: string;
  name: string;
  sex: "M" | "F";
  birthDate: string;
  areaCode: string;
};
export type CardView = {
  cardNumber: string;
  state: string;
  areaCode: string;
  validUntil: string | null;
  readyDate: string | null;
  tempCertificateNo: string | null;
  collectionSlipNo: string | null;
  feeFen: number | null;
  applicationKind: string;
  allowedActions: string[];
  /** What the card's state allows, as the server's state table says (cards.rules CARD_STATE_RULES). */
  services: string[];
  passwordPurposes: string[];
  holdsProvinceSlot: boolean;
  holder: { personId: string; idNumberMasked: string; nameMasked: string };
};
export type HistoryEntry = {
  seq: number;
  at: string;
  action: string;
  toState: string;
  actorRole: string;
  channel: string;
};
