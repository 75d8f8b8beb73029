import type { Kysely } from "kysely";
import { type Migration, type MigrationProvider, Migrator } from "kysely/migration";
import type { Dialect } from "./database.ts";
import * as m0001 from "./migrations/0001_foundation.ts";
import * as m0002 from "./migrations/0002_cards.ts";
import * as m0003 from "./migrations/0003_credentials.ts";
import * as m0004 from "./migrations/0004_hsm_keys.ts";
import * as m0005 from "./migrations/0005_blacklist.ts";
import * as m0006 from "./migrations/0006_remote_auth.ts";
import * as m0007 from "./migrations/0007_terminals.ts";
import * as m0008 from "./migrations/0008_card_keys.ts";
import * as m0009 from "./migrations/0009_enrolment.ts";
import * as m0010 from "./migrations/0010_holder_sessions.ts";
import * as m0011 from "./migrations/0011_ecard.ts";
import * as m0012 from "./migrations/0012_ecard_password.ts";
import * as m0013 from "./migrations/0013_ecard_counter.ts";
import * as m0014 from "./migrations/0014_ecard_family.ts";
import * as m0015 from "./migrations/0015_biometric_consent.ts";
import * as m0016 from "./migrations/0016_medical.ts";
import * as m0017 from "./migrations/0017_institution_grants.ts";
import * as m0018 from "./migrations/0018_audit_checkpoints.ts";
import * as m0019 from "./migrations/0019_job_runs.ts";
import * as m0020 from "./migrations/0020_check_place.ts";
import * as m0021 from "./migrations/0021_hall_channel.ts";
import * as m0022 from "./migrations/0022_certificates.ts";
import * as m0023 from "./migrations/0023_kiosk_sessions.ts";
import * as m0024 from "./migrations/0024_payment_orders.ts";
import * as m0025 from "./migrations/0025_ivr_calls.ts";
import * as m0026 from "./migrations/0026_chip_serials_reader_slots.ts";
import * as m0027 from "./migrations/0027_ivr_call_holds.ts";
import * as m0028 from "./migrations/0028_benefits.ts";
import * as m0029 from "./migrations/0029_area_applications.ts";
import * as m0030 from "./migrations/0030_psam_custody.ts";
import * as m0031 from "./migrations/0031_key_ceremonies.ts";
import * as m0032 from "./migrations/0032_national_outbox.ts";
import * as m0033 from "./migrations/0033_remote_settlements.ts";
import type { Database } from "./schema.ts";

type DialectMigration = { up: (db: Kysely<unknown>, dialect: Dialect) => Promise<void> };

/** Every migration, in order; one set serves SQLite and PostgreSQL. */
const MIGRATIONS: Record<string, DialectMigration> = {
  "0001_foundation": m0001,
  "0002_cards": m0002,
  "0003_credentials": m0003,
  "0004_hsm_keys": m0004,
  "0005_blacklist": m0005,
  "0006_remote_auth": m0006,
  "0007_terminals": m0007,
  "0008_card_keys": m0008,
  "0009_enrolment": m0009,
  "0010_holder_sessions": m0010,
  "0011_ecard": m0011,
  "0012_ecard_password": m0012,
  "0013_ecard_counter": m0013,
  "0014_ecard_family": m0014,
  "0015_biometric_consent": m0015,
  "0016_medical": m0016,
  "0017_institution_grants": m0017,
  "0018_audit_checkpoints": m0018,
  "0019_job_runs": m0019,
  "0020_check_place": m0020,
  "0021_hall_channel": m0021,
  "0022_certificates": m0022,
  "0023_kiosk_sessions": m0023,
  "0024_payment_orders": m0024,
  "0025_ivr_calls": m0025,
  "0026_chip_serials_reader_slots": m0026,
  "0027_ivr_call_holds": m0027,
  "0028_benefits": m0028,
  "0029_area_applications": m0029,
  "0030_psam_custody": m0030,
  "0031_key_ceremonies": m0031,
  "0032_national_outbox": m0032,
  "0033_remote_settlements": m0033,
};

function migrator(db: Kysely<Database>, dialect: Dialect): Migrator {
  const provider: MigrationProvider = {
    async getMigrations() {
      const out: Record<string, Migration> = {};
      for (const [name, m] of Object.entries(MIGRATIONS)) out[name] = { up: (d) => m.up(d, dialect) };
      return out;
    },
  };
  return new Migrator({ db, provider });
}

/** Applies pending migrations; returns the names applied. Throws if one fails (its transaction rolls back). */
export async function migrateToLatest(db: Kysely<Database>, dialect: Dialect): Promise<string[]> {
  const { error, results } = await migrator(db, dialect).migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}

/** Names of migrations not yet applied (empty when the schema is current). */
export async function pendingMigrations(db: Kysely<Database>, dialect: Dialect): Promise<string[]> {
  const all = await migrator(db, dialect).getMigrations();
  return all.filter((m) => m.executedAt === undefined).map((m) => m.name);
}
