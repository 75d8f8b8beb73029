import { randomUUID } from "node:crypto";
import type { Database } from "../../db/schema.ts";
import {
  type Actor,
  authorize,
  type Channel,
  coveredPrefixes,
  KEY_CHANNELS,
  type Role,
} from "../../shared/auth.ts";
import { DomainError } from "../../shared/errors.ts";
import type { StaffContext } from "./staff.context.ts";

/** Who may manage staff and API keys; routes declare the same lists. */
import { STAFF_PERMISSIONS } from "./staff.permissions.ts";

/** API keys for terminals, kiosks, the phone line and online platforms. */
export function staffApiKeys(ctx: StaffContext) {
  const { db, staff, audit, clock, checkGrants, tokenHash, newToken, cache } = ctx;
  return {
    /** Creates an API key for an institution or terminal; the token is returned once and stored only hashed. */
    async createApiKey(
      actor: Actor,
      input: {
        name: string;
        role: Role;
        areaCode: string;
        /** One of KEY_CHANNELS (default terminal); anything else is refused with its name. */
        channel?: string;
        employerId?: string | null;
        institutionId?: string | null;
      },
    ) {
      const grant = authorize(actor, STAFF_PERMISSIONS.manage, input.areaCode);
      await checkGrants(actor, [
        {
          role: input.role,
          areaCode: input.areaCode,
          employerId: input.employerId,
          institutionId: input.institutionId,
        },
      ]);
      const channel = (input.channel ?? "terminal") as Channel;
      if (!(KEY_CHANNELS as readonly string[]).includes(channel))
        throw new DomainError("KEY_CHANNEL_NOT_ALLOWED", { channel });
      const token = newToken("ssk");
      const row: Database["api_keys"] = {
        id: randomUUID(),
        token_hash: tokenHash(token),
        name: input.name,
        role: input.role,
        area_code: input.areaCode,
        channel,
        created_by: actor.id,
        created_at: clock.now().toISOString(),
        revoked_at: null,
        employer_id: input.employerId ?? null,
        institution_id: input.institutionId ?? null,
      };
      await db.transaction().execute(async (trx) => {
        await staff.insertApiKey(trx, row);
        await audit.record(trx, actor, grant, {
          action: "api_key.create",
          subjectType: "api_key",
          subjectId: row.id,
          areaCode: row.area_code,
          after: { name: row.name, role: row.role, channel },
        });
      });
      return {
        id: row.id,
        token,
        name: row.name,
        role: input.role,
        areaCode: row.area_code,
        channel,
        createdAt: row.created_at,
      };
    },

    async listApiKeys(actor: Actor) {
      authorize(actor, STAFF_PERMISSIONS.manage);
      const rows = await staff.apiKeys(db, coveredPrefixes(actor, STAFF_PERMISSIONS.manage));
      return rows.map((r) => ({
        id: r.id,
        name: r.name,
        role: r.role as Role,
        areaCode: r.area_code,
        channel: r.channel,
        createdAt: r.created_at,
        revokedAt: r.revoked_at,
      }));
    },

    async revokeApiKey(actor: Actor, id: string) {
      const key = await staff.apiKey(db, id);
      if (!key) throw new DomainError("API_KEY_NOT_FOUND");
      const grant = authorize(actor, STAFF_PERMISSIONS.manage, key.area_code);
      await db.transaction().execute(async (trx) => {
        await staff.revokeApiKey(trx, id, clock.now().toISOString());
        cache.deleteActor(id);
        await audit.record(trx, actor, grant, {
          action: "api_key.revoke",
          subjectType: "api_key",
          subjectId: id,
          areaCode: key.area_code,
          before: { revokedAt: key.revoked_at },
          after: { revoked: true },
        });
      });
    },
  };
}
