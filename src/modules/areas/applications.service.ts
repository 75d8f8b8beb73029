import { createHash } from "node:crypto";
import type { Kysely, Transaction } from "kysely";
import { isUniqueViolation } from "../../db/database.ts";
import type { Database } from "../../db/schema.ts";
import { type Actor, authorize, findGrant, type Grant } from "../../shared/auth.ts";
import type { Clock } from "../../shared/clock.ts";
import { DomainError } from "../../shared/errors.ts";
import { timeOrderedId } from "../../shared/ids.ts";
import type { AuditService } from "../audit/audit.service.ts";
import type { ApplicationsRepository } from "./applications.repository.ts";
import {
  type ApplicationAction,
  applicationStep,
  type Conditions,
  type MaterialKind,
  materialProblem,
  missingForFiling,
  nextIssuerId,
} from "./applications.rules.ts";
import { AREA_PERMISSIONS } from "./areas.permissions.ts";
import type { AreasRepository } from "./areas.repository.ts";

type Row = Database["area_applications"];

/**
 * Applications to issue cards (Measures Art. 6, 7): the applicant's area files the six materials and the
 * five conditions with evidence; the province forwards or returns it; the ministry approves it,
 * allocating the issuer identification number (only then can the area's cards go to production), or
 * returns it. Every change one transaction with its step and audit record; the applicant sees the state.
 */
export function createApplicationsService(deps: {
  db: Kysely<Database>;
  repo: ApplicationsRepository;
  areas: AreasRepository;
  audit: AuditService;
  clock: Clock;
}) {
  const { db, repo, audit, clock } = deps;
  const PERMISSION_OF = {
    applicant: AREA_PERMISSIONS.apply,
    province: AREA_PERMISSIONS.review,
    ministry: AREA_PERMISSIONS.approve,
  };

  /** Who may see an application: its applicant, its province's reviewers, the ministry. */
  const sees = (actor: Actor, areaCode: string) =>
    [AREA_PERMISSIONS.apply, AREA_PERMISSIONS.review, AREA_PERMISSIONS.approve].some((p) =>
      findGrant(actor, p, areaCode),
    );

  async function load(actor: Actor, id: string) {
    const row = await repo.byId(db, id);
    if (!row || !sees(actor, row.area_code)) throw new DomainError("AREA_APPLICATION_NOT_FOUND");
    const area = await deps.areas.get(db, row.area_code);
    return { row, level: area?.level === "province" ? ("province" as const) : ("city" as const) };
  }

  async function view(row: Row) {
    const [materials, steps] = await Promise.all([repo.materials(db, row.id), repo.steps(db, row.id)]);
    const conditions = JSON.parse(row.conditions) as Conditions;
    return {
      applicationId: row.id,
      areaCode: row.area_code,
      state: row.state,
      issuerId: row.issuer_id,
      conditions,
      materials: materials.map((m) => ({
        kind: m.kind,
        fileName: m.file_name,
        contentType: m.content_type,
        sizeBytes: Number(m.size_bytes),
        sha256: m.sha256,
        uploadedAt: m.uploaded_at,
      })),
      missing: missingForFiling(
        materials.map((m) => m.kind),
        conditions,
      ),
      steps: steps.map((s) => ({
        at: s.at,
        by: s.actor_name,
        action: s.action,
        from: s.from_state,
        to: s.to_state,
        reason: s.reason,
      })),
      filedBy: row.filed_by,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }

  /** One change of an application (if nobody changed it since it was read), its step and its audit record. */
  async function change(
    trx: Transaction<Database>,
    actor: Actor,
    grant: Grant,
    row: Row,
    next: Partial<Row>,
    step: { action: string; reason?: string; after?: object },
  ) {
    const at = clock.now().toISOString();
    if (!(await repo.update(trx, row.id, row.version, { ...next, updated_at: at })))
      throw new DomainError("CONCURRENT_MODIFICATION");
    await repo.addStep(trx, {
      id: timeOrderedId(clock.now().getTime()),
      application_id: row.id,
      version: row.version + 1,
      at,
      actor_id: actor.id,
      actor_name: actor.name,
      action: step.action,
      from_state: row.state,
      to_state: next.state ?? row.state,
      reason: step.reason ?? null,
    });
    await audit.record(trx, actor, grant, {
      action: `area.application.${step.action}`,
      subjectType: "area_application",
      subjectId: row.id,
      areaCode: row.area_code,
      before: { state: row.state },
      after: {
        state: next.state ?? row.state,
        ...(step.reason ? { reason: step.reason } : {}),
        ...step.after,
      },
    });
  }

  /** Moves an application along city → province → ministry, by the party whose turn it is. */
  async function move(actor: Actor, id: string, action: ApplicationAction, reason?: string) {
    const { row, level } = await load(actor, id);
    const step = applicationStep(row.state, action, level);
    if (!step) throw new DomainError("AREA_APPLICATION_STATE", { state: row.state, action });
    const grant = authorize(actor, PERMISSION_OF[step.by], row.area_code);
    await db.transaction().execute(async (trx) => {
      const fresh = (await repo.byId(trx, id))!;
      if (fresh.version !== row.version) throw new DomainError("CONCURRENT_MODIFICATION");
      const next: Partial<Row> = { state: step.to };
      if (action === "file") {
        const missing = missingForFiling(
          (await repo.materials(trx, id)).map((m) => m.kind),
          JSON.parse(fresh.conditions) as Conditions,
        );
        if (missing.materials.length || missing.conditions.length)
          throw new DomainError("AREA_APPLICATION_INCOMPLETE", {
            materials: missing.materials.join(", ") || "—",
            conditions: missing.conditions.join(", ") || "—",
          });
      }
      if (action === "approve") {
        const taken = (await repo.issuerIdsLike(trx, row.area_code)).map((r) => r.issuer_id ?? "");
        next.issuer_id = nextIssuerId(row.area_code, taken);
        if (!(await repo.setIssuer(trx, row.area_code, next.issuer_id)))
          throw new DomainError("AREA_ALREADY_ISSUING", { areaCode: row.area_code });
      }
      await change(trx, actor, grant, fresh, next, {
        action,
        reason,
        after: next.issuer_id ? { issuerId: next.issuer_id } : {},
      });
    });
    return view((await repo.byId(db, id))!);
  }

  /** The applicant's editing of a draft or returned application. */
  async function editable(actor: Actor, id: string) {
    const { row } = await load(actor, id);
    const grant = authorize(actor, AREA_PERMISSIONS.apply, row.area_code);
    if (row.state !== "draft" && row.state !== "returned")
      throw new DomainError("AREA_APPLICATION_STATE", { state: row.state, action: "edit" });
    return { row, grant };
  }

  return {
    /** An area (city or province, not yet issuing) opens its application. */
    async open(actor: Actor, areaCode: string) {
      const grant = authorize(actor, AREA_PERMISSIONS.apply, areaCode);
      const area = await deps.areas.get(db, areaCode);
      if (!area || (area.level !== "city" && area.level !== "province"))
        throw new DomainError("AREA_NOT_FOUND", { areaCode });
      if (area.issuer_id) throw new DomainError("AREA_ALREADY_ISSUING", { areaCode });
      const at = clock.now().toISOString();
      const row: Row = {
        id: timeOrderedId(clock.now().getTime()),
        area_code: areaCode,
        state: "draft",
        version: 0,
        conditions: "{}",
        issuer_id: null,
        filed_by: actor.id,
        created_at: at,
        updated_at: at,
      };
      try {
        await db.transaction().execute(async (trx) => {
          await repo.insert(trx, row);
          await audit.record(trx, actor, grant, {
            action: "area.application.open",
            subjectType: "area_application",
            subjectId: row.id,
            areaCode,
            after: { state: "draft" },
          });
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw new DomainError("AREA_APPLICATION_EXISTS", { areaCode });
        throw err;
      }
      return view(row);
    },

    /** The applications the caller may see (its own area's, its province's, all for the ministry), newest first. */
    async list(actor: Actor) {
      if (
        ![AREA_PERMISSIONS.apply, AREA_PERMISSIONS.review, AREA_PERMISSIONS.approve].some((p) =>
          findGrant(actor, p),
        )
      )
        throw new DomainError("FORBIDDEN");
      const rows = (await repo.all(db)).filter((r) => sees(actor, r.area_code));
      return Promise.all(rows.map(view));
    },

    async get(actor: Actor, id: string) {
      return view((await load(actor, id)).row);
    },

    /** The five conditions of Art. 6, each met or not, with its evidence. */
    async setConditions(actor: Actor, id: string, conditions: Conditions) {
      const { row, grant } = await editable(actor, id);
      await db
        .transaction()
        .execute((trx) =>
          change(
            trx,
            actor,
            grant,
            row,
            { conditions: JSON.stringify(conditions) },
            { action: "conditions" },
          ),
        );
      return view((await repo.byId(db, id))!);
    },

    /** One of the six materials of Art. 7, checked (type for its kind, size, content) and kept with its SHA-256. */
    async putMaterial(
      actor: Actor,
      id: string,
      kind: MaterialKind,
      input: { fileName: string; contentType: string; contentBase64: string },
    ) {
      const { row, grant } = await editable(actor, id);
      const bytes = Buffer.from(input.contentBase64, "base64");
      const problem = materialProblem(kind, input.contentType, bytes);
      if (problem) throw new DomainError("MATERIAL_INVALID", { kind, problem });
      const sha256 = createHash("sha256").update(bytes).digest("hex");
      await db.transaction().execute(async (trx) => {
        await repo.putMaterial(trx, {
          application_id: id,
          kind,
          file_name: input.fileName,
          content_type: input.contentType,
          size_bytes: bytes.length,
          sha256,
          content: bytes.toString("base64"),
          uploaded_by: actor.id,
          uploaded_at: clock.now().toISOString(),
        });
        await change(
          trx,
          actor,
          grant,
          row,
          {},
          { action: "material", after: { kind, sha256, sizeBytes: bytes.length } },
        );
      });
      return view((await repo.byId(db, id))!);
    },

    /** A material's file, for the reviewers and the applicant. */
    async material(actor: Actor, id: string, kind: MaterialKind) {
      await load(actor, id);
      const m = await repo.material(db, id, kind);
      if (!m) throw new DomainError("AREA_APPLICATION_NOT_FOUND");
      return {
        fileName: m.file_name,
        contentType: m.content_type,
        content: Buffer.from(m.content, "base64"),
      };
    },

    file: (actor: Actor, id: string) => move(actor, id, "file"),
    forward: (actor: Actor, id: string) => move(actor, id, "forward"),
    returnIt: (actor: Actor, id: string, reason: string) => move(actor, id, "return", reason),
    approve: (actor: Actor, id: string) => move(actor, id, "approve"),
  };
}

export type ApplicationsService = ReturnType<typeof createApplicationsService>;
