import { randomBytes } from "node:crypto";
import type { Kysely, Transaction } from "kysely";
import type { Database } from "../../db/schema.ts";
import { type Actor, authorize, coveredPrefixes, findGrant } from "../../shared/auth.ts";
import type { Clock } from "../../shared/clock.ts";
import { DomainError } from "../../shared/errors.ts";
import { timeOrderedId } from "../../shared/ids.ts";
import type { AuditService } from "../audit/audit.service.ts";
import { CHIP_PERMISSIONS } from "./chip.permissions.ts";
import type { PsamsRepository } from "./psams.repository.ts";

type Row = Database["psams"];

/**
 * PSAMs "uniformly distributed by the ministry" (Measures Art. 23): the ministry issues them, hands them
 * to areas, and an area installs one in each terminal (loading its city keys then: terminals.issuePsam).
 * Every hand-over is a movement with its version and audit record, so who holds which is on record.
 */
export function createPsamsService(deps: {
  db: Kysely<Database>;
  repo: PsamsRepository;
  audit: AuditService;
  clock: Clock;
  areaExists: (code: string) => Promise<boolean>;
}) {
  const { db, repo, audit, clock } = deps;

  async function move(
    trx: Transaction<Database>,
    actor: Actor,
    row: Row,
    action: "distribute" | "install" | "withdraw",
    next: Partial<Row>,
  ) {
    const at = clock.now().toISOString();
    if (!(await repo.move(trx, row.serial, row.version, { ...next, updated_at: at })))
      throw new DomainError("PSAM_NOT_AVAILABLE", { serial: row.serial });
    await repo.addMovement(trx, {
      id: timeOrderedId(clock.now().getTime()),
      serial: row.serial,
      version: row.version + 1,
      at,
      actor_id: actor.id,
      actor_name: actor.name,
      action,
      area_code: next.area_code ?? row.area_code,
      terminal_no: next.terminal_no ?? null,
    });
  }

  async function issueIn(trx: Transaction<Database>, actor: Actor, count: number) {
    const at = clock.now().toISOString();
    const serials: string[] = [];
    for (let i = 0; i < count; i += 1) {
      const serial = `PSAM${randomBytes(8).toString("hex").toUpperCase()}`;
      await repo.insert(trx, {
        serial,
        state: "at_ministry",
        area_code: null,
        terminal_no: null,
        version: 0,
        issued_at: at,
        updated_at: at,
      });
      await repo.addMovement(trx, {
        id: timeOrderedId(clock.now().getTime()),
        serial,
        version: 0,
        at,
        actor_id: actor.id,
        actor_name: actor.name,
        action: "issue",
        area_code: null,
        terminal_no: null,
      });
      serials.push(serial);
    }
    return serials;
  }

  return {
    /** The ministry issues PSAMs into its own stock. */
    async issue(actor: Actor, count: number) {
      const grant = authorize(actor, CHIP_PERMISSIONS.psams);
      return db.transaction().execute(async (trx) => {
        const serials = await issueIn(trx, actor, count);
        await audit.record(trx, actor, grant, {
          action: "psam.issue",
          subjectType: "psam",
          subjectId: serials[0],
          after: { count, serials },
        });
        return { serials };
      });
    },

    /** The ministry hands PSAMs of its stock to an area; one not in the ministry's stock stops the whole hand-over. */
    async distribute(actor: Actor, input: { areaCode: string; serials: readonly string[] }) {
      const grant = authorize(actor, CHIP_PERMISSIONS.psams);
      if (!(await deps.areaExists(input.areaCode)))
        throw new DomainError("AREA_NOT_FOUND", { areaCode: input.areaCode });
      await db.transaction().execute(async (trx) => {
        for (const serial of new Set(input.serials)) {
          const row = await repo.bySerial(trx, serial);
          if (!row) throw new DomainError("PSAM_NOT_FOUND", { serial });
          if (row.state !== "at_ministry") throw new DomainError("PSAM_NOT_AVAILABLE", { serial });
          await move(trx, actor, row, "distribute", { state: "at_area", area_code: input.areaCode });
        }
        await audit.record(trx, actor, grant, {
          action: "psam.distribute",
          subjectType: "area",
          subjectId: input.areaCode,
          areaCode: input.areaCode,
          after: { serials: [...new Set(input.serials)] },
        });
      });
      return { areaCode: input.areaCode, serials: [...new Set(input.serials)] };
    },

    /**
     * Inside a terminal's PSAM issue: takes the PSAM (the one named, or the first in the area's stock) and
     * installs it in the terminal, withdrawing the one it replaces. The ministry (or the system) with an
     * area out of stock issues and hands over one in the same transaction; an area's administrator is
     * told to ask the ministry for PSAMs.
     */
    async installIn(
      trx: Transaction<Database>,
      actor: Actor,
      terminal: { terminal_no: string; area_code: string; psam_serial: string | null },
      serial?: string,
    ) {
      let row = serial ? await repo.bySerial(trx, serial) : await repo.inStock(trx, terminal.area_code);
      if (serial && (row?.state !== "at_area" || row.area_code !== terminal.area_code))
        throw new DomainError("PSAM_NOT_AVAILABLE", { serial });
      if (!row) {
        if (!findGrant(actor, CHIP_PERMISSIONS.psams))
          throw new DomainError("PSAM_NONE_IN_STOCK", { areaCode: terminal.area_code });
        const [issued] = await issueIn(trx, actor, 1);
        await move(trx, actor, (await repo.bySerial(trx, issued))!, "distribute", {
          state: "at_area",
          area_code: terminal.area_code,
        });
        row = (await repo.bySerial(trx, issued))!;
      }
      await move(trx, actor, row, "install", { state: "in_terminal", terminal_no: terminal.terminal_no });
      const replaced = terminal.psam_serial ? await repo.bySerial(trx, terminal.psam_serial) : undefined;
      if (replaced?.state === "in_terminal" && replaced.serial !== row.serial)
        await move(trx, actor, replaced, "withdraw", { state: "at_area", terminal_no: null });
      return row.serial;
    },

    /** Who holds which PSAM: the ministry's stock, each area's stock, each terminal's (the caller's areas). */
    async list(actor: Actor) {
      authorize(actor, CHIP_PERMISSIONS.terminals);
      const rows = await repo.list(db, coveredPrefixes(actor, CHIP_PERMISSIONS.terminals));
      return rows.map((r) => ({
        serial: r.serial,
        state: r.state,
        areaCode: r.area_code,
        terminalNo: r.terminal_no,
        updatedAt: r.updated_at,
      }));
    },

    /** One PSAM's hand-overs, oldest first. */
    async history(actor: Actor, serial: string) {
      authorize(actor, CHIP_PERMISSIONS.terminals);
      const row = await repo.bySerial(db, serial);
      const prefixes = coveredPrefixes(actor, CHIP_PERMISSIONS.terminals);
      if (!row || (prefixes && !prefixes.some((p) => (row.area_code ?? "").startsWith(p))))
        throw new DomainError("PSAM_NOT_FOUND", { serial });
      return (await repo.movements(db, serial)).map((m) => ({
        at: m.at,
        by: m.actor_name,
        action: m.action,
        areaCode: m.area_code,
        terminalNo: m.terminal_no,
      }));
    },
  };
}

export type PsamsService = ReturnType<typeof createPsamsService>;
