import type { Kysely } from "kysely";
import { uniqueAs } from "../../db/database.ts";
import type { Database } from "../../db/schema.ts";
import { type Actor, authorize, coveredPrefixes } from "../../shared/auth.ts";
import type { Clock } from "../../shared/clock.ts";
import { DomainError } from "../../shared/errors.ts";
import type { AuditService } from "../audit/audit.service.ts";
import type { Hsm } from "../keys/hsm.ts";
import { CHIP_PERMISSIONS } from "./chip.permissions.ts";
import type { ChipRepository } from "./chip.repository.ts";
import type { PsamImage } from "./psam.ts";
import type { PsamsService } from "./psams.service.ts";

/** Who may do what here, through which channel: see src/shared/permissions.ts. */
export const TERMINAL_PERMISSIONS = { manage: CHIP_PERMISSIONS.terminals };

/** Terminal registry and PSAM issue (the PSAM image goes to the card writer, never to an API response). */
export function createTerminalsService(deps: {
  repo: ChipRepository;
  db: Kysely<Database>;
  hsm: () => Hsm;
  audit: AuditService;
  clock: Clock;
  /** Who holds which PSAM: the one installed comes from the area's stock the ministry distributed. */
  psams: Pick<PsamsService, "installIn">;
}) {
  const { db, audit, clock } = deps;
  const { repo } = deps;
  return {
    /** The terminals of the caller's areas: their institution and PSAM. */
    async list(actor: Actor) {
      authorize(actor, TERMINAL_PERMISSIONS.manage);
      const rows = await repo.terminalsIn(db, coveredPrefixes(actor, TERMINAL_PERMISSIONS.manage));
      return rows.map((t) => ({
        terminalNo: t.terminal_no,
        areaCode: t.area_code,
        name: t.name,
        institutionId: t.institution_id,
        psamSerial: t.psam_serial,
        psamIssuedAt: t.psam_issued_at,
        registeredAt: t.created_at,
      }));
    },

    /** Registers a terminal: 12 digits beginning with its area's region code. */
    async register(actor: Actor, input: { terminalNo: string; areaCode: string; name: string }) {
      const grant = authorize(actor, TERMINAL_PERMISSIONS.manage, input.areaCode);
      if (!/^\d{12}$/.test(input.terminalNo) || !input.terminalNo.startsWith(input.areaCode)) {
        throw new DomainError("VALIDATION_FAILED", {
          summary: "terminalNo: 12 digits beginning with the area's region code",
        });
      }
      const exists = () => new DomainError("TERMINAL_EXISTS", { terminalNo: input.terminalNo });
      // The unique key decides between registrations of one number at once: the later one is told so.
      const write = db.transaction().execute(async (trx) => {
        if (await repo.terminal(trx, input.terminalNo)) throw exists();
        await repo.insertTerminal(trx, {
          terminal_no: input.terminalNo,
          area_code: input.areaCode,
          name: input.name,
          psam_serial: null,
          psam_issued_at: null,
          created_at: clock.now().toISOString(),
          institution_id: null,
        });
        await audit.record(trx, actor, grant, {
          action: "terminal.register",
          subjectType: "terminal",
          subjectId: input.terminalNo,
          areaCode: input.areaCode,
          after: { name: input.name },
        });
      });
      await uniqueAs(write, exists);
    },

    /**
     * Installs a PSAM in a terminal (the one named, or the first of the area's stock the ministry
     * distributed) carrying the terminal's city keys of every version not retired; returns the image to
     * write into it.
     */
    async issuePsam(actor: Actor, terminalNo: string, psamSerial?: string): Promise<PsamImage> {
      const terminal = await repo.terminal(db, terminalNo);
      if (!terminal)
        throw new DomainError("VALIDATION_FAILED", { summary: `terminal ${terminalNo} is not registered` });
      const grant = authorize(actor, TERMINAL_PERMISSIONS.manage, terminal.area_code);
      const hsm = deps.hsm();
      const versions = await hsm.activeVersions({
        type: "internal_auth",
        algorithm: "SM4",
        city: terminal.area_code,
      });
      if (!versions.length)
        throw new DomainError("KEY_NOT_FOUND", { label: `${terminal.area_code} internal_auth` });
      const keySets = [];
      for (const version of versions)
        keySets.push({
          version,
          keys: await hsm.exportCityKeysForPsam({
            algorithm: "SM4",
            version,
            city: terminal.area_code,
            types: ["internal_auth", "external_auth"],
            optional: ["purchase"],
          }),
        });
      const serial = await db.transaction().execute(async (trx) => {
        const serial = await deps.psams.installIn(trx, actor, terminal, psamSerial);
        await repo.setPsam(trx, terminalNo, serial, clock.now().toISOString());
        await audit.record(trx, actor, grant, {
          action: "terminal.psam.issue",
          subjectType: "terminal",
          subjectId: terminalNo,
          areaCode: terminal.area_code,
          after: { serial },
        });
        return serial;
      });
      return { serial, terminalNo, city: terminal.area_code, algorithm: "SM4", keySets };
    },
  };
}

export type TerminalsService = ReturnType<typeof createTerminalsService>;
