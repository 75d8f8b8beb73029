import { type Kysely, sql } from "kysely";

/**
 * The online service hall as an e-card channel: a signed-in holder's browser is a device that shows
 * the identity and payment codes, as an app does. The hall is sscard's own channel, so it has no
 * channel key ("-" matches no key's hash); an administrator suspends it like any other channel.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`insert into ecard_channels (id, code, name, class, level, parent_id, secret_hash, services, state, created_at)
    values ('00000000-0000-4000-8000-0000000000a1', 'hall', '网上服务大厅', 'hrss', 1, null, '-',
      '["credential","identity_code","payment_code"]', 'active', '2026-12-06T00:00:00.000Z')`.execute(db);
}
