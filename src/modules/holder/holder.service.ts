import { randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import type { Database, PersonRow } from "../../db/schema.ts";
import type { Actor } from "../../shared/auth.ts";
import type { Clock } from "../../shared/clock.ts";
import { hmacSha256Hex, secretKey } from "../../shared/crypto.ts";
import { DomainError } from "../../shared/errors.ts";
import type { AuditService } from "../audit/audit.service.ts";
import type { CardsRepository } from "../cards/cards.repository.ts";
import type { PersonsRepository } from "../persons/persons.repository.ts";
import { sessionProblem } from "../staff/staff.rules.ts";
import type { HolderRepository } from "./holder.repository.ts";

/** A holder's session in the online service hall: short, and ended by 10 idle minutes. */
export const HOLDER_SESSION = { ttlMinutes: 30, idleMinutes: 10 } as const;
/** A session at a self-service kiosk: shorter still, ended by 2 idle minutes (or the card pulled). */
export const KIOSK_SESSION = { ttlMinutes: 15, idleMinutes: 2 } as const;
const SESSIONS = { web: HOLDER_SESSION, kiosk: KIOSK_SESSION } as const;
export type SessionScope = "all" | "query";

/** Cards a holder can sign in with: issued and not lost for good, cancelled or expired. */
const SIGN_IN_STATES = ["active", "archived", "locked", "temporarily_lost"];

/**
 * Holders of the online service hall sign in with their ID number and their card's social security
 * password (checked, counted and locked like every password attempt). The token is stored only as a
 * keyed hash; the actor it gives acts only on the holder's own cards.
 */
export function createHolderService(deps: {
  repo: HolderRepository;
  db: Kysely<Database>;
  clock: Clock;
  tokenKey: Buffer;
  audit: AuditService;
  cards: CardsRepository;
  persons: PersonsRepository;
  findPerson: (q: Kysely<Database>, idNumber: string) => Promise<PersonRow | undefined>;
  verifyPassword: (
    actor: Actor,
    cardNumber: string,
    pin: string,
    source: string,
  ) => Promise<{ initial: boolean }>;
  /** The person an e-card identity code belongs to, verified online (refused codes throw). */
  identityOfCode: (code: string) => Promise<string>;
}) {
  const { db, clock, audit } = deps;
  const { repo } = deps;
  const key = secretKey(deps.tokenKey);
  const hash = (token: string) => hmacSha256Hex(key, `holder:${token}`);

  const actorOf = (
    personId: string,
    nameMasked: string,
    channel: "web" | "kiosk" = "web",
    scope: SessionScope = "all",
  ): Actor => ({
    type: "holder",
    id: `holder:${personId}`,
    name: nameMasked,
    channel,
    grants: [],
    personId,
    ...(scope === "query" ? { scope } : {}),
  });

  /**
   * A new session for a person, with its audit record; the token is returned once. The hall's, or a
   * kiosk's (its channel and scope; the kiosk named in the record).
   */
  async function openSession(
    person: PersonRow,
    how: Record<string, string>,
    at: { channel: "web" | "kiosk"; scope: SessionScope } = { channel: "web", scope: "all" },
  ) {
    const actor = actorOf(person.id, person.name_masked, at.channel, at.scope);
    const token = `ssh_${randomBytes(32).toString("base64url")}`;
    const now = clock.now();
    const expiresAt = new Date(now.getTime() + SESSIONS[at.channel].ttlMinutes * 60_000).toISOString();
    await db.transaction().execute(async (trx) => {
      await repo.insertSession(trx, {
        token_hash: hash(token),
        person_id: person.id,
        name_masked: person.name_masked,
        channel: at.channel,
        scope: at.scope,
        created_at: now.toISOString(),
        expires_at: expiresAt,
        last_seen_at: now.toISOString(),
        revoked_at: null,
      });
      await audit.record(trx, actor, undefined, {
        action: "holder.login",
        subjectType: "person",
        subjectId: person.id,
        areaCode: person.area_code,
        after: how,
      });
    });
    return {
      token,
      expiresAt,
      idleMinutes: SESSIONS[at.channel].idleMinutes,
      scope: at.scope,
      holder: { nameMasked: person.name_masked, idNumberMasked: person.id_number_masked },
    };
  }

  return {
    async login(input: { idNumber: string; pin: string; source: string }) {
      const person = await deps.findPerson(db, input.idNumber);
      // An unknown person and a wrong password look the same from outside.
      if (!person) throw new DomainError("INVALID_CREDENTIALS");
      const cards = await deps.cards.ofPerson(db, person.id);
      const card = cards.find((c) => SIGN_IN_STATES.includes(c.state));
      if (!card) throw new DomainError("HOLDER_NO_CARD");
      const actor = actorOf(person.id, person.name_masked);
      const { initial } = await deps.verifyPassword(actor, card.card_number, input.pin, input.source);
      // Still the initial password: the hall asks the holder to change it (the seeds ask for it).
      return {
        ...(await openSession(person, { card: card.card_number, with: "password" })),
        initialPassword: initial,
      };
    },

    /** Sign-in with the e-card: the holder's app shows an identity code, which sscard verifies online. */
    async loginWithEcard(input: { code: string }) {
      const personId = await deps.identityOfCode(input.code);
      const person = await deps.persons.byId(db, personId);
      if (!person) throw new DomainError("INVALID_CREDENTIALS");
      return openSession(person, { with: "ecard" });
    },

    async authenticate(token: string): Promise<Actor> {
      const row = await repo.sessionByHash(db, hash(token));
      if (!row) throw new DomainError("UNAUTHENTICATED");
      const now = clock.now();
      const problem = sessionProblem(
        { expiresAt: row.expires_at, lastSeenAt: row.last_seen_at, revokedAt: row.revoked_at },
        now,
        SESSIONS[row.channel === "kiosk" ? "kiosk" : "web"].idleMinutes,
      );
      if (problem) throw new DomainError("UNAUTHENTICATED", { reason: `session ${problem}` });
      // A kiosk's 2 idle minutes are kept to the second; the hall's to the minute.
      if (now.getTime() - Date.parse(row.last_seen_at) > (row.channel === "kiosk" ? 1_000 : 60_000))
        await repo.touchSession(db, row.token_hash, now.toISOString());
      return actorOf(
        row.person_id,
        row.name_masked,
        row.channel === "kiosk" ? "kiosk" : "web",
        row.scope === "query" ? "query" : "all",
      );
    },

    /**
     * A session at a self-service kiosk for a person the kiosk has identified (the card and its
     * password: all services; the resident ID card swiped: `query`, reads and prints only).
     */
    openKioskSession: (person: PersonRow, kiosk: Actor, how: "card" | "id_card") =>
      openSession(
        person,
        { with: how, kiosk: kiosk.id },
        { channel: "kiosk", scope: how === "card" ? "all" : "query" },
      ),

    async logout(token: string) {
      await repo.revokeSession(db, hash(token), clock.now().toISOString());
    },
  };
}

export type HolderService = ReturnType<typeof createHolderService>;
