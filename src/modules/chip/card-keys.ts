import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.ts";
import type { Actor } from "../../shared/auth.ts";
import { DomainError, isDomainError } from "../../shared/errors.ts";
import type { AuditService } from "../audit/audit.service.ts";
import type { CardsRepository } from "../cards/cards.repository.ts";
import type { KeyType } from "../keys/derivation.ts";
import type { Hsm } from "../keys/hsm.ts";

/**
 * A registered card's keys, derived inside the encryption machine at the key version the card was
 * personalised with (version 1 for cards sscard did not personalise). A retired version is refused
 * and the refusal audited. The keys stay inside sscard: callers turn them into cryptograms and MACs.
 */
export function createCardKeys(deps: {
  cards: Pick<CardsRepository, "byIdCode" | "recordPersonalisation">;
  db: Kysely<Database>;
  hsm: () => Hsm;
  audit: AuditService;
}) {
  const { db, audit } = deps;

  /** Audits a refused card operation (wrong MAC, replay, retired key version …). */
  async function refuse(actor: Actor, cardIdCode: string, action: string, reason: string) {
    await db.transaction().execute((trx) =>
      audit.record(trx, actor, undefined, {
        action,
        subjectType: "card",
        subjectId: cardIdCode,
        areaCode: cardIdCode.slice(0, 6),
        after: { reason },
      }),
    );
  }

  return {
    refuse,
    async forCard<T extends KeyType>(actor: Actor, cardIdCode: string, types: readonly T[], action: string) {
      const card = await deps.cards.byIdCode(db, cardIdCode);
      if (!card) throw new DomainError("CARD_NOT_FOUND");
      const version = Number(card.key_version ?? 1);
      const keys = {} as Record<T, Buffer>;
      try {
        for (const type of types)
          keys[type] = await deps.hsm().cardKey({
            type,
            algorithm: "SM4",
            version,
            city: cardIdCode.slice(0, 6),
            cardIdCode,
          });
      } catch (err) {
        if (isDomainError(err, "KEY_VERSION_RETIRED"))
          await refuse(actor, cardIdCode, action, `key version ${version} retired`);
        throw err;
      }
      return { card, version, keys };
    },
  };
}

export type CardKeys = ReturnType<typeof createCardKeys>;
