import type { CardRow } from "../../db/schema.ts";
import type { RowReason } from "../../shared/row-reasons.ts";
import { allowedActions, canSettle, holdsProvinceSlot, stateRule } from "./cards.rules.ts";

/** A card as callers see it: no personal data beyond the masked holder. */
export type CardView = ReturnType<typeof toView>;

export function toView(
  card: CardRow,
  holder: { idNumberMasked: string; nameMasked: string },
  replaces?: string | null,
  collectionSlipNo?: string | null,
) {
  const state = card.state;
  return {
    id: card.id,
    cardNumber: card.card_number,
    cardIdCode: card.card_id_code,
    specVersion: card.spec_version,
    cardType: card.card_type,
    state,
    socialSecurityFunction: card.ss_function,
    financialFunction: card.financial_function,
    bankCode: card.bank_code,
    areaCode: card.area_code,
    holder: { personId: card.person_id, ...holder },
    issueDate: card.issue_date,
    validUntil: card.valid_until,
    applicationKind: card.application_kind,
    replacesCardNumber: replaces ?? null,
    replacementReason: card.replacement_reason,
    tempCertificateNo: card.temp_certificate_no,
    /** The collection slip (领卡凭证) of a replacement after a formal loss, until the card is collected. */
    collectionSlipNo: collectionSlipNo ?? null,
    readyDate: card.ready_date,
    feeFen: card.fee_fen,
    cancelReason: card.cancel_reason,
    canSettle: canSettle(state),
    allowedActions: allowedActions(state),
    services: [...stateRule(state).services],
    passwordPurposes: [...stateRule(state).password],
    holdsProvinceSlot: holdsProvinceSlot(state),
    version: card.version,
    createdAt: card.created_at,
    updatedAt: card.updated_at,
  };
}

export type ApplyInput = {
  idNumber: string;
  areaCode: string;
  photoRef?: string | null;
  bankCode?: string | null;
  /** For an applicant under 16: the guardian applying for them, with their own ID. */
  guardian?: { idNumber: string; name: string; relation: "parent" | "grandparent" | "other" };
};

/** A row of a CSV file as imported; a rejected row's reason is a code the caller words in its language. */
export type RowReport = {
  line: number;
  status: "accepted" | "rejected";
  cardNumber?: string;
  reasonCode?: RowReason;
  reasonParams?: Record<string, string>;
};

/** The physical card's lifecycle: applications, production, issue, loss, replacement, renewal, cancellation. */
