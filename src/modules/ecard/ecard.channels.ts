import { randomBytes, randomUUID } from "node:crypto";
import type { Database } from "../../db/schema.ts";
import { type Actor, authorize } from "../../shared/auth.ts";
import { DomainError } from "../../shared/errors.ts";
import type { CHANNEL_CLASSES, CHANNEL_SERVICES, EcardContext } from "./ecard.context.ts";
import { ECARD_PERMISSIONS } from "./ecard.permissions.ts";

/** The channels (apps) that carry the e-card: registration, suspension, their keys. */
export function ecardChannels(ctx: EcardContext) {
  const { db, audit, clock, repo, secretHash } = ctx;
  return {
    /** Registers a channel (app); its secret is returned once and stored only as a keyed hash. */
    async registerChannel(
      actor: Actor,
      input: {
        code: string;
        name: string;
        class: (typeof CHANNEL_CLASSES)[number];
        level: 1 | 2;
        parentCode?: string;
        services: readonly (typeof CHANNEL_SERVICES)[number][];
      },
    ) {
      const grant = authorize(actor, ECARD_PERMISSIONS.channels);
      let parentId: string | null = null;
      if (input.level === 2) {
        const parent = input.parentCode ? await repo.channelByCode(db, input.parentCode) : undefined;
        if (parent?.level !== 1)
          throw new DomainError("VALIDATION_FAILED", {
            summary: "parentCode: a level-1 channel for a level-2 channel",
          });
        parentId = parent.id;
      } else if (input.parentCode)
        throw new DomainError("VALIDATION_FAILED", { summary: "parentCode: only for level-2 channels" });
      const secret = randomBytes(32).toString("base64url");
      const row: Database["ecard_channels"] = {
        id: randomUUID(),
        code: input.code,
        name: input.name,
        class: input.class,
        level: input.level,
        parent_id: parentId,
        secret_hash: secretHash(secret),
        services: JSON.stringify(input.services),
        state: "active",
        created_at: clock.now().toISOString(),
      };
      await db.transaction().execute(async (trx) => {
        if (await repo.channelByCode(trx, input.code)) throw new DomainError("CONCURRENT_MODIFICATION");
        await repo.insertChannel(trx, row);
        await audit.record(trx, actor, grant, {
          action: "ecard.channel.register",
          subjectType: "ecard_channel",
          subjectId: row.id,
          areaCode: null,
          after: { code: row.code, class: row.class, level: row.level, services: input.services },
        });
      });
      return { id: row.id, code: row.code, level: row.level, state: row.state, token: `ecc_${secret}` };
    },

    /** Suspends, reactivates or retires a channel; a suspended channel is refused at its next call. */
    async setChannelState(actor: Actor, id: string, state: "active" | "suspended" | "exited") {
      const grant = authorize(actor, ECARD_PERMISSIONS.channels);
      await db.transaction().execute(async (trx) => {
        if (!(await repo.setChannelState(trx, id, state))) throw new DomainError("ECARD_CHANNEL_NOT_FOUND");
        await audit.record(trx, actor, grant, {
          action: "ecard.channel.state",
          subjectType: "ecard_channel",
          subjectId: id,
          areaCode: null,
          after: { state },
        });
      });
      return { id, state };
    },

    /** A channel's bearer token to its actor; not cached, so a suspension takes effect at once. */
    async authenticateChannel(token: string): Promise<Actor> {
      const row = await repo.channelBySecret(db, secretHash(token.slice(4)));
      if (!row) throw new DomainError("UNAUTHENTICATED");
      if (row.state !== "active") throw new DomainError("CHANNEL_SUSPENDED");
      return { type: "channel", id: row.id, name: row.code, channel: "ecard", grants: [] };
    },
  };
}
