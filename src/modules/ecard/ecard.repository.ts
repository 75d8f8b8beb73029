import type { Kysely, Transaction } from "kysely";
import type { Dialect } from "../../db/database.ts";
import { preparedLock } from "../../db/prepared.ts";
import type { Database } from "../../db/schema.ts";

type Q = Kysely<Database>;
type Trx = Transaction<Database>;

/**
 * SQL for the e-card: e-cards and their status list, channels and device bindings, identity and kept
 * face photos, consents, counter tickets, authorisations while lost, code uses, and the family service.
 */
export function createEcardRepository(dialect: Dialect) {
  const lockById = preparedLock(dialect, (q, id: string) =>
    q.selectFrom("ecards").selectAll().where("id", "=", id),
  );
  return {
    byId: (q: Q, id: string) => q.selectFrom("ecards").selectAll().where("id", "=", id).executeTakeFirst(),
    /** The e-card held until the caller's transaction ends (its password counters are checked and written there). */
    lockById: (trx: Trx, id: string): Promise<Database["ecards"] | undefined> => lockById(trx, id),
    ofCard: (q: Q, cardId: string) =>
      q.selectFrom("ecards").selectAll().where("card_id", "=", cardId).executeTakeFirst(),
    /** A person's newest e-card. */
    newestOf: (q: Q, personId: string) =>
      q
        .selectFrom("ecards")
        .selectAll()
        .where("person_id", "=", personId)
        .orderBy("created_at", "desc")
        .executeTakeFirst(),
    idsOfPerson: async (q: Q, personId: string) =>
      (await q.selectFrom("ecards").select("id").where("person_id", "=", personId).execute()).map(
        (e) => e.id,
      ),
    insert: (trx: Trx, row: Database["ecards"]) => trx.insertInto("ecards").values(row).execute(),
    update: (q: Q, id: string, set: Partial<Database["ecards"]>) =>
      q.updateTable("ecards").set(set).where("id", "=", id).execute(),

    /** Appends to the status list in the caller's transaction (versions in order). */
    async appendStatus(trx: Trx, row: Omit<Database["ecard_status_changes"], "version">) {
      const last = await trx
        .selectFrom("ecard_status_changes")
        .select((e) => e.fn.max("version").as("v"))
        .executeTakeFirst();
      await trx
        .insertInto("ecard_status_changes")
        .values({ ...row, version: Number(last?.v ?? 0) + 1 })
        .execute();
    },
    statusChangesAfter: (q: Q, since: number, limit: number) =>
      q
        .selectFrom("ecard_status_changes")
        .selectAll()
        .where("version", ">", since)
        .orderBy("version")
        .limit(limit)
        .execute(),

    activeAuthorisation: (q: Q, ecardId: string, now: string) =>
      q
        .selectFrom("ecard_authorisations")
        .select("id")
        .where("ecard_id", "=", ecardId)
        .where("revoked_at", "is", null)
        .where("expires_at", ">", now)
        .executeTakeFirst(),
    /** Ends every authorisation of an e-card still running (the loss it was given for is over). */
    revokeAuthorisations: (trx: Trx, ecardId: string, at: string) =>
      trx
        .updateTable("ecard_authorisations")
        .set({ revoked_at: at })
        .where("ecard_id", "=", ecardId)
        .where("revoked_at", "is", null)
        .where("expires_at", ">", at)
        .execute(),
    insertAuthorisation: (trx: Trx, row: Database["ecard_authorisations"]) =>
      trx.insertInto("ecard_authorisations").values(row).execute(),

    channelById: (q: Q, id: string) =>
      q.selectFrom("ecard_channels").selectAll().where("id", "=", id).executeTakeFirst(),
    channelByCode: (q: Q, code: string) =>
      q.selectFrom("ecard_channels").selectAll().where("code", "=", code).executeTakeFirst(),
    channelBySecret: (q: Q, secretHash: string) =>
      q.selectFrom("ecard_channels").selectAll().where("secret_hash", "=", secretHash).executeTakeFirst(),
    insertChannel: (trx: Trx, row: Database["ecard_channels"]) =>
      trx.insertInto("ecard_channels").values(row).execute(),
    /** Sets a channel's state; false when there is no such channel. */
    setChannelState: async (trx: Trx, id: string, state: Database["ecard_channels"]["state"]) =>
      Number(
        (await trx.updateTable("ecard_channels").set({ state }).where("id", "=", id).executeTakeFirst())
          .numUpdatedRows,
      ) === 1,

    insertDevice: (trx: Trx, row: Database["ecard_devices"]) =>
      trx.insertInto("ecard_devices").values(row).execute(),
    activeDevice: (q: Q, ecardId: string, channelId: string, deviceKey: string) =>
      q
        .selectFrom("ecard_devices")
        .selectAll()
        .where("ecard_id", "=", ecardId)
        .where("channel_id", "=", channelId)
        .where("device_key", "=", deviceKey)
        .where("revoked_at", "is", null)
        .executeTakeFirst(),
    /** Revokes the devices of a channel on these e-cards; only those with one of `deviceKeys` when given. */
    revokeDevices: (
      trx: Trx,
      ecardIds: readonly string[],
      channelId: string,
      at: string,
      deviceKeys?: readonly string[],
    ) =>
      ecardIds.length === 0 || deviceKeys?.length === 0
        ? Promise.resolve()
        : trx
            .updateTable("ecard_devices")
            .set({ revoked_at: at })
            .where("ecard_id", "in", ecardIds)
            .where("channel_id", "=", channelId)
            .where("revoked_at", "is", null)
            .$if(deviceKeys !== undefined, (q) => q.where("device_key", "in", deviceKeys!))
            .execute()
            .then(() => undefined),
    /** The keys of the devices an e-card is active on through a channel. */
    deviceKeysOf: async (q: Q, ecardId: string, channelId: string) =>
      (
        await q
          .selectFrom("ecard_devices")
          .select("device_key")
          .where("ecard_id", "=", ecardId)
          .where("channel_id", "=", channelId)
          .where("revoked_at", "is", null)
          .execute()
      ).map((r) => r.device_key),
    /** The channels an e-card is active in, with when each device was bound. */
    channelsOf: (q: Q, ecardId: string) =>
      q
        .selectFrom("ecard_devices as d")
        .innerJoin("ecard_channels as c", "c.id", "d.channel_id")
        .select(["c.code", "c.name", "c.state", "d.created_at"])
        .where("d.ecard_id", "=", ecardId)
        .where("d.revoked_at", "is", null)
        .orderBy("d.created_at")
        .execute(),

    codeUsed: async (q: Q, codeId: string) =>
      (await q
        .selectFrom("ecard_code_uses")
        .select("code_id")
        .where("code_id", "=", codeId)
        .executeTakeFirst()) !== undefined,
    insertCodeUse: (trx: Trx, row: Database["ecard_code_uses"]) =>
      trx.insertInto("ecard_code_uses").values(row).execute(),
    recentUses: (q: Q, ecardId: string, limit: number) =>
      q
        .selectFrom("ecard_code_uses")
        .select(["used_at", "used_by"])
        .where("ecard_id", "=", ecardId)
        .orderBy("used_at", "desc")
        .limit(limit)
        .execute(),

    identityPhoto: (q: Q, personId: string) =>
      q.selectFrom("person_photos").selectAll().where("person_id", "=", personId).executeTakeFirst(),
    /** Replaces a person's identity photo. */
    async setIdentityPhoto(trx: Trx, row: Database["person_photos"]) {
      await trx.deleteFrom("person_photos").where("person_id", "=", row.person_id).execute();
      await trx.insertInto("person_photos").values(row).execute();
    },
    insertKeptPhoto: (trx: Trx, row: Database["kept_face_photos"]) =>
      trx.insertInto("kept_face_photos").values(row).execute(),
    keptPhotoCount: async (q: Q, personId: string) =>
      Number(
        (
          await q
            .selectFrom("kept_face_photos")
            .select((eb) => eb.fn.countAll<number>().as("n"))
            .where("person_id", "=", personId)
            .executeTakeFirstOrThrow()
        ).n,
      ),
    deleteKeptPhotos: async (trx: Trx, personId: string) =>
      Number(
        (await trx.deleteFrom("kept_face_photos").where("person_id", "=", personId).executeTakeFirst())
          .numDeletedRows,
      ),

    insertConsent: (trx: Trx, row: Database["ecard_consents"]) =>
      trx.insertInto("ecard_consents").values(row).execute(),
    activeConsentCount: async (q: Q, personId: string, kind: string) =>
      Number(
        (
          await q
            .selectFrom("ecard_consents")
            .select((eb) => eb.fn.countAll<number>().as("n"))
            .where("person_id", "=", personId)
            .where("kind", "=", kind)
            .where("withdrawn_at", "is", null)
            .executeTakeFirstOrThrow()
        ).n,
      ),
    withdrawConsents: async (trx: Trx, personId: string, kind: string, at: string) =>
      Number(
        (
          await trx
            .updateTable("ecard_consents")
            .set({ withdrawn_at: at })
            .where("person_id", "=", personId)
            .where("kind", "=", kind)
            .where("withdrawn_at", "is", null)
            .executeTakeFirst()
        ).numUpdatedRows,
      ),

    insertCounterTicket: (trx: Trx, row: Database["ecard_counter_tickets"]) =>
      trx.insertInto("ecard_counter_tickets").values(row).execute(),
    /** Uses a person's unexpired, unused counter ticket once; false when there is none. */
    spendCounterTicket: async (trx: Trx, ticketHash: string, personId: string, now: string) =>
      Number(
        (
          await trx
            .updateTable("ecard_counter_tickets")
            .set({ used_at: now })
            .where("ticket_hash", "=", ticketHash)
            .where("person_id", "=", personId)
            .where("used_at", "is", null)
            .where("expires_at", ">", now)
            .executeTakeFirst()
        ).numUpdatedRows,
      ) === 1,

    familyMember: (q: Q, id: string) =>
      q.selectFrom("ecard_family").selectAll().where("id", "=", id).executeTakeFirst(),
    /** The relatives a holder's e-card carries now. */
    presentFamily: (q: Q, holderEcardId: string) =>
      q
        .selectFrom("ecard_family")
        .select(["id", "relative_person_id", "relationship", "added_at"])
        .where("holder_ecard_id", "=", holderEcardId)
        .where("removed_at", "is", null)
        .execute(),
    insertFamilyMember: (trx: Trx, row: Database["ecard_family"]) =>
      trx.insertInto("ecard_family").values(row).execute(),
    /** Removes a relative still present; false when another removal came first. */
    removeFamilyMember: async (trx: Trx, id: string, at: string) =>
      Number(
        (
          await trx
            .updateTable("ecard_family")
            .set({ removed_at: at })
            .where("id", "=", id)
            .where("removed_at", "is", null)
            .executeTakeFirst()
        ).numUpdatedRows,
      ) === 1,
  };
}

export type EcardRepository = ReturnType<typeof createEcardRepository>;
