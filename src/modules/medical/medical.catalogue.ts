import { type Actor, authorize, NATIONAL } from "../../shared/auth.ts";
import { parseCsv } from "../../shared/csv.ts";
import { DomainError } from "../../shared/errors.ts";
import type { MedicalContext } from "./medical.context.ts";
import { MEDICAL_PERMISSIONS } from "./medical.permissions.ts";
import { readCatalogueRows } from "./medical.rules.ts";

/** The drug and service catalogue: versions published, the one in force on a day. */
export function medicalCatalogue(ctx: MedicalContext) {
  const { db, repo, audit, clock, today, catalogueOfDay } = ctx;
  return {
    /**
     * Imports a catalogue version from CSV (`code,name,class,self_pay_percent`; class A, B or none),
     * all or nothing: any bad row and nothing is imported; the answer lists every row's problem.
     */
    async importCatalogue(
      actor: Actor,
      input: { name: string; effectiveFrom: string; csv: string; sample: boolean },
    ) {
      const grant = authorize(actor, MEDICAL_PERMISSIONS.catalogue);
      const parsed = parseCsv(input.csv);
      if ("error" in parsed) throw new DomainError("CSV_INVALID", { reason: parsed.error });
      const missing = ["code", "name", "class", "self_pay_percent"].filter(
        (c) => !parsed.columns.includes(c),
      );
      if (missing.length)
        throw new DomainError("CSV_INVALID", { reason: `missing columns: ${missing.join(", ")}` });
      const { items, problems } = readCatalogueRows(parsed.rows);
      if (problems.length)
        throw new DomainError("CATALOGUE_INVALID", { rows: problems.slice(0, 1000), count: problems.length });
      return db.transaction().execute(async (trx) => {
        const version = await repo.nextCatalogueVersion(trx);
        await repo.insertCatalogue(
          trx,
          {
            version,
            name: input.name,
            effective_from: input.effectiveFrom,
            sample: input.sample ? 1 : 0,
            item_count: items.length,
            imported_at: clock.now().toISOString(),
          },
          items.map((i) => ({
            version,
            code: i.code,
            name: i.name,
            class: i.class,
            self_pay_bp: i.selfPayBp,
          })),
        );
        await audit.record(trx, actor, grant, {
          action: "catalogue.import",
          subjectType: "catalogue",
          subjectId: String(version),
          areaCode: NATIONAL,
          after: {
            name: input.name,
            effectiveFrom: input.effectiveFrom,
            items: items.length,
            sample: input.sample,
          },
        });
        catalogueOfDay.clear();
        return { version, effectiveFrom: input.effectiveFrom, accepted: items.length, sample: input.sample };
      });
    },

    /** Items of the catalogue in force today whose code begins with, or name contains, `text` (the till's search). */
    async searchCatalogue(actor: Actor, text: string, limit = 20) {
      authorize(actor, MEDICAL_PERMISSIONS.searchCatalogue);
      const day = today();
      const inForce = await repo.catalogueInForce(db, day);
      if (!inForce) throw new DomainError("CATALOGUE_NOT_IN_FORCE", { date: day });
      const rows = await repo.catalogueItemsLike(db, Number(inForce.version), text, limit);
      return {
        version: Number(inForce.version),
        items: rows.map((r) => ({
          code: r.code,
          name: r.name,
          class: r.class,
          selfPayBp: Number(r.self_pay_bp),
        })),
      };
    },

    async catalogue(actor: Actor, day?: string) {
      authorize(actor, MEDICAL_PERMISSIONS.read);
      const versions = await repo.catalogueVersions(db);
      const inForce = await repo.catalogueInForce(db, day ?? today());
      return {
        date: day ?? today(),
        inForceVersion: inForce ? Number(inForce.version) : null,
        versions: versions.map((v) => ({
          version: Number(v.version),
          name: v.name,
          effectiveFrom: v.effective_from,
          sample: v.sample === 1,
          items: Number(v.item_count),
        })),
      };
    },
  };
}
