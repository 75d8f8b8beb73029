import type { Kysely, Transaction } from "kysely";
import type { CardRow, Database, PersonRow } from "../../db/schema.ts";
import type { Actor, Grant } from "../../shared/auth.ts";
import type { Clock } from "../../shared/clock.ts";
import type { PiiCipher } from "../../shared/crypto.ts";
import type { AreasRepository } from "../areas/areas.repository.ts";
import type { Policy } from "../areas/areas.rules.ts";
import type { AreasService } from "../areas/areas.service.ts";
import type { AuditService } from "../audit/audit.service.ts";
import type { Signer } from "../keys/signer.ts";
import type { PersonsRepository } from "../persons/persons.repository.ts";
import type { PersonsService } from "../persons/persons.service.ts";
import type { RegionTable } from "../regions/regions.ts";
import type { CardsRepository } from "./cards.repository.ts";
import type { CardState } from "./cards.rules.ts";

/**
 * A card state change as other modules hear it: called inside the change's transaction, so what they
 * write commits or rolls back with it (the e-card follows its card). `from` is null for a new card.
 */
export type CardStateListener = (
  trx: Transaction<Database>,
  card: CardRow,
  from: CardState | null,
) => Promise<void>;

/** What a chip is personalised with: the card and its holder as the factory file gives them. */
export type ChipData = Readonly<{
  cardIdCode: string;
  cardNumber: string;
  cardType: string;
  specVersion: string;
  issuerId: string;
  issueDate: string;
  validUntil: string;
  idNumber: string;
  name: string;
  sex: "M" | "F";
  ethnicity: string;
  birthDate: string;
}>;

/** What the cards use cases are made from. */
export type CardsDeps = {
  db: Kysely<Database>;
  cards: CardsRepository;
  persons: PersonsRepository;
  areasRepo: AreasRepository;
  areas: AreasService;
  audit: AuditService;
  clock: Clock;
  cipher: PiiCipher;
  regions: RegionTable;
  /** Signs what terminals check offline (the blacklist). */
  signer: Signer;
  /** The employers (collection by an employer: the one that applied or that employs the holder). */
  employers: {
    byCreditCode: (
      q: Kysely<Database>,
      code: string,
    ) => Promise<{ id: string; credit_code: string } | undefined>;
    /** The day the employer first hired the person, if it ever did. */
    hiredOn: (q: Kysely<Database>, employerId: string, personId: string) => Promise<string | undefined>;
  };
  /**
   * Personalisation of a production batch's chips inside its transaction: the personalisation file's
   * records for the card factory (src/modules/chip/personalisation.service.ts).
   */
  personalise: (
    actor: Actor,
    trx: Transaction<Database>,
    cards: readonly ChipData[],
    policy: Pick<Policy, "initialPassword">,
  ) => Promise<readonly object[]>;
  /** Told of every state change and every new card inside its transaction (the e-card follows its card). */
  onStateChange?: readonly CardStateListener[];
  /**
   * Reserves the person's one national place before a new card is written (the national hub, issue
   * 24): throws when another province holds the person's card.
   */
  reserveNationalSlot?: (person: PersonRow) => Promise<unknown>;
  /** Told of a replacement made for a formal loss, inside its transaction (the certificates it comes with). */
  onReplacementForLoss?: (
    trx: Transaction<Database>,
    actor: Actor,
    grant: Grant | undefined,
    replacement: CardRow,
    lost: CardRow,
  ) => Promise<void>;
  /**
   * Inside a card's hand-over, its card held: the collection slip a replacement after a formal loss
   * came with is asked for (its number or its scanned QR, or "reported lost"), checked and ended.
   * Answers what the hand-over's audit record says of it (undefined: the card has no slip).
   */
  onCollection?: (
    trx: Transaction<Database>,
    actor: Actor,
    card: CardRow,
    slip: { presented?: string; lost?: boolean },
  ) => Promise<string | undefined>;
  /** The valid collection slip's number of a replacement not yet collected (the certificates register). */
  collectionSlipOf?: (q: Kysely<Database>, cardId: string) => Promise<string | undefined>;
  /** Registers a person inside the caller's transaction, with its audit record (the persons module). */
  registerPerson: PersonsService["registerIn"];
  /** Draws a random card number (tests replace it to force clashes). */
  drawCardNumber?: () => string;
  /** Gives a card its initial social security password when it is handed over (credentials module). */
  initialisePassword: (
    trx: Transaction<Database>,
    card: CardRow,
    policy: Pick<Policy, "initialPassword">,
  ) => Promise<void>;
};
