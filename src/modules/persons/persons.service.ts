import { randomUUID } from "node:crypto";
import type { Kysely, Transaction } from "kysely";
import { uniqueAs } from "../../db/database.ts";
import type { Database, PersonRow } from "../../db/schema.ts";
import { type Actor, authorize, type Grant, holderPersonId } from "../../shared/auth.ts";
import { type Clock, chinaDate } from "../../shared/clock.ts";
import type { PiiCipher } from "../../shared/crypto.ts";
import { DomainError } from "../../shared/errors.ts";
import { maskIdNumber, maskName } from "../../shared/mask.ts";
import type { AuditService } from "../audit/audit.service.ts";
import type { RegionTable } from "../regions/regions.ts";
import { type IdNumberFacts, parseIdNumber } from "./id-number.rules.ts";
import { PERSON_PERMISSIONS } from "./persons.permissions.ts";
import type { PersonsRepository } from "./persons.repository.ts";
import { type Pii, readPii, writePii } from "./pii.ts";

export { PERSON_PERMISSIONS };

/** A person as services and routes see one: the ID number masked, personal fields decrypted. */
export type Person = Readonly<{
  id: string;
  idNumberMasked: string;
  name: string;
  sex: "M" | "F";
  birthDate: string;
  birthRegionCode: string;
  ethnicity: string;
  phone: string | null;
  address: string | null;
  areaCode: string;
  photoRef: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}>;

export type RegisterPersonInput = {
  idNumber: string;
  name: string;
  ethnicity: string;
  areaCode: string;
  phone?: string | null;
  address?: string | null;
  photoRef?: string | null;
};

/** The person registry: keyed by the citizen ID number, stored encrypted with a blind index. */
/** What a holder may change of their own record. */
const HOLDER_FIELDS = ["version", "phone", "address"];

export function createPersonsService(deps: {
  db: Kysely<Database>;
  persons: PersonsRepository;
  audit: AuditService;
  clock: Clock;
  cipher: PiiCipher;
  regions: RegionTable;
}) {
  const { db, persons, audit, clock, cipher, regions } = deps;

  function validId(idNumber: string): IdNumberFacts {
    const result = parseIdNumber(idNumber, chinaDate(clock.now()), regions);
    if (!result.ok) throw new DomainError("INVALID_ID_NUMBER", { reason: result.problem });
    return result.facts;
  }

  function toPerson(row: PersonRow): Person {
    const pii = readPii(cipher, row);
    return {
      id: row.id,
      idNumberMasked: row.id_number_masked,
      name: pii.name,
      sex: row.sex,
      birthDate: row.birth_date,
      birthRegionCode: row.birth_region_code,
      ethnicity: row.ethnicity,
      phone: pii.phone,
      address: pii.address,
      areaCode: row.area_code,
      photoRef: row.photo_ref,
      version: Number(row.version),
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }

  async function requireRow(id: string): Promise<PersonRow> {
    const row = await persons.byId(db, id);
    if (!row) throw new DomainError("PERSON_NOT_FOUND");
    return row;
  }

  /**
   * Registers a person inside a transaction the caller holds (an employer's registration of a new
   * employee uses it), with the audit record; PERSON_EXISTS when the ID number is registered.
   */
  async function registerIn(
    trx: Transaction<Database>,
    actor: Actor,
    grant: Grant | undefined,
    input: RegisterPersonInput,
  ): Promise<PersonRow> {
    const facts = validId(input.idNumber);
    const index = cipher.blindIndex(facts.idNumber);
    const now = clock.now().toISOString();
    const row: PersonRow = {
      id: randomUUID(),
      id_number_index: index,
      id_number_enc: cipher.encrypt(facts.idNumber),
      id_number_masked: maskIdNumber(facts.idNumber),
      pii_enc: writePii(cipher, {
        name: input.name,
        phone: input.phone ?? null,
        address: input.address ?? null,
      }),
      name_masked: maskName(input.name),
      sex: facts.sex,
      birth_date: facts.birthDate,
      birth_region_code: facts.regionCode,
      ethnicity: input.ethnicity,
      area_code: input.areaCode,
      photo_ref: input.photoRef ?? null,
      version: 1,
      created_at: now,
      updated_at: now,
    };
    if (await persons.byIndex(trx, index)) throw new DomainError("PERSON_EXISTS");
    await persons.insert(trx, row);
    await audit.record(trx, actor, grant, {
      action: "person.register",
      subjectType: "person",
      subjectId: row.id,
      areaCode: row.area_code,
      after: {
        idNumber: row.id_number_masked,
        name: row.name_masked,
        sex: row.sex,
        area: row.area_code,
      },
    });
    return row;
  }

  return {
    /** Registers a person in an area; the ID number must be valid and not yet registered. */
    async register(actor: Actor, input: RegisterPersonInput): Promise<Person> {
      const grant = authorize(actor, PERSON_PERMISSIONS.register, input.areaCode);
      validId(input.idNumber);
      const exists = () => new DomainError("PERSON_EXISTS");
      const row = await uniqueAs(
        db.transaction().execute((trx) => registerIn(trx, actor, grant, input)),
        exists,
      );
      return toPerson(row);
    },

    registerIn,

    /** A person's row by ID number for other services (invalid numbers refused; no authorisation here). */
    async rowByIdNumber(q: Kysely<Database> | Transaction<Database>, idNumber: string) {
      return persons.byIndex(q, cipher.blindIndex(validId(idNumber).idNumber));
    },

    /** Finds a person by ID number through the blind index; invalid numbers are refused before any lookup. */
    async findByIdNumber(actor: Actor, idNumber: string): Promise<Person> {
      authorize(actor, PERSON_PERMISSIONS.read);
      const facts = validId(idNumber);
      const row = await persons.byIndex(db, cipher.blindIndex(facts.idNumber));
      if (!row) throw new DomainError("PERSON_NOT_FOUND");
      authorize(actor, PERSON_PERMISSIONS.read, row.area_code);
      return toPerson(row);
    },

    async get(actor: Actor, id: string): Promise<Person> {
      authorize(actor, PERSON_PERMISSIONS.read);
      const row = await requireRow(id);
      authorize(actor, PERSON_PERMISSIONS.read, row.area_code);
      return toPerson(row);
    },

    /** The signed-in holder's own contact data, to keep it up to date (the hall, the kiosk). */
    async holderContact(actor: Actor) {
      const row = await requireRow(holderPersonId(actor));
      const { phone, address } = readPii(cipher, row);
      return { nameMasked: row.name_masked, phone, address, version: Number(row.version) };
    },

    /**
     * Updates contact data, ethnicity or photo; `version` must match the record the clerk saw. A holder
     * updates their own phone and address only.
     */
    async update(
      actor: Actor,
      id: string,
      input: {
        version: number;
        name?: string;
        phone?: string | null;
        address?: string | null;
        ethnicity?: string;
        photoRef?: string | null;
      },
    ): Promise<Person> {
      // A holder keeps their own phone and address (the hall, a kiosk's card session); nothing else.
      const holder = actor.type === "holder";
      if (holder && (actor.personId !== id || Object.keys(input).some((k) => !HOLDER_FIELDS.includes(k))))
        throw new DomainError("FORBIDDEN");
      if (!holder) authorize(actor, PERSON_PERMISSIONS.update);
      const current = await requireRow(id);
      const grant = holder ? undefined : authorize(actor, PERSON_PERMISSIONS.update, current.area_code);
      const pii = readPii(cipher, current);
      const next: Pii = {
        name: input.name ?? pii.name,
        phone: input.phone === undefined ? pii.phone : input.phone,
        address: input.address === undefined ? pii.address : input.address,
      };
      const changed = Object.keys(input).filter((k) => k !== "version");
      return db.transaction().execute(async (trx) => {
        const updatedAt = clock.now().toISOString();
        const ok = await persons.update(trx, id, input.version, {
          pii_enc: writePii(cipher, next),
          name_masked: maskName(next.name),
          ethnicity: input.ethnicity ?? current.ethnicity,
          photo_ref: input.photoRef === undefined ? current.photo_ref : input.photoRef,
          updated_at: updatedAt,
        });
        if (!ok) throw new DomainError("CONCURRENT_MODIFICATION");
        await audit.record(trx, actor, grant, {
          action: "person.update",
          subjectType: "person",
          subjectId: id,
          areaCode: current.area_code,
          before: { version: input.version },
          after: { version: input.version + 1, fields: changed },
        });
        const row = await persons.byId(trx, id);
        return toPerson(row!);
      });
    },

    /** Shows the full ID number to a clerk; each reveal is an audited action. */
    async revealIdNumber(actor: Actor, id: string, reason: string): Promise<{ idNumber: string }> {
      authorize(actor, PERSON_PERMISSIONS.revealIdNumber);
      const row = await requireRow(id);
      const grant = authorize(actor, PERSON_PERMISSIONS.revealIdNumber, row.area_code);
      await db.transaction().execute((trx) =>
        audit.record(trx, actor, grant, {
          action: "person.reveal_id_number",
          subjectType: "person",
          subjectId: id,
          areaCode: row.area_code,
          after: { reason },
        }),
      );
      return { idNumber: cipher.decrypt(row.id_number_enc) };
    },
  };
}

export type PersonsService = ReturnType<typeof createPersonsService>;
