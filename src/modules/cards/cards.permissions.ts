import { PERMISSIONS } from "../../shared/permissions.ts";

/** Who may do what with cards, through which channel. */
export const CARD_PERMISSIONS = PERMISSIONS.cards;
