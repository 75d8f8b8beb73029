import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../../http/access.ts";
import {
  AUTH_ERRORS,
  areaCodeSchema,
  dateSchema,
  errors,
  idNumberSchema,
  uuidSchema,
} from "../../http/schemas.ts";
import { languageOf } from "../../shared/language.ts";
import { withProblemText } from "../../shared/validation-messages.ts";
import { SCHEME_NAMES } from "../enrolment/enrolment.rules.ts";
import type { EmployersService } from "./employers.service.ts";
import { EMPLOYER_PERMISSIONS } from "./employers.service.ts";

const employerSchema = z.object({
  id: uuidSchema,
  creditCode: z.string(),
  name: z.string(),
  areaCode: z.string(),
  contactName: z.string(),
  contactPhone: z.string(),
  createdAt: z.string(),
});
const fieldErrors = z.array(
  z.object({
    field: z.string(),
    problem: z.string(),
    text: z.string().optional().describe("the problem in the caller's language"),
  }),
);
const params = z.object({ id: uuidSchema });

/** Employers, their registration of new employees within 30 days, and the overdue report. */
export function employersRoutes(deps: { employers: EmployersService }): FastifyPluginAsyncZod {
  const { employers } = deps;
  const employees = { permission: EMPLOYER_PERMISSIONS.employees };
  return async (app) => {
    app.post(
      "/employers",
      {
        config: { access: { permission: EMPLOYER_PERMISSIONS.register } },
        schema: {
          operationId: "registerEmployer",
          tags: ["employers"],
          summary:
            "Register an employer (unit) by its unified social credit code (GB 32100, check character verified)",
          body: z.strictObject({
            creditCode: z.string().min(1).max(32),
            name: z.string().trim().min(1).max(100),
            areaCode: areaCodeSchema,
            contactName: z.string().trim().min(1).max(50),
            contactPhone: z.string().regex(/^[0-9+\- ]{5,20}$/, "a phone number"),
          }),
          response: { 201: employerSchema, ...errors(...AUTH_ERRORS, 404, 409) },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await employers.register(actorOf(request), request.body)),
    );

    app.get(
      "/employers/:id",
      {
        config: { access: { permission: EMPLOYER_PERMISSIONS.read } },
        schema: {
          operationId: "getEmployer",
          tags: ["employers"],
          summary: "An employer (its own operators see only their own)",
          params,
          response: { 200: employerSchema, ...errors(...AUTH_ERRORS, 404) },
        },
      },
      async (request) => employers.get(actorOf(request), request.params.id),
    );

    app.get(
      "/employers/:id/employees",
      {
        config: { access: { permission: EMPLOYER_PERMISSIONS.read } },
        schema: {
          operationId: "listEmployees",
          tags: ["employers"],
          summary:
            "An employer's employees: each hire, its registration, the day it is due (30 days after hiring) and whether it is overdue",
          params,
          response: {
            200: z.array(
              z.object({
                employmentId: uuidSchema,
                idNumberMasked: z.string(),
                nameMasked: z.string(),
                hiredOn: z.string(),
                registeredOn: z.string().nullable(),
                registerBy: z.string(),
                overdue: z.enum(["registered_late", "not_registered"]).nullable(),
              }),
            ),
            ...errors(...AUTH_ERRORS, 404),
          },
        },
      },
      async (request) => employers.employees(actorOf(request), request.params.id),
    );
    app.post(
      "/employers/:id/employees",
      {
        config: { access: employees },
        schema: {
          operationId: "registerEmployee",
          tags: ["employers"],
          summary:
            "Register a new employee: the person (when new), the hiring, and enrolment in the employee schemes; later than 30 days after hiring is flagged",
          params,
          body: z.strictObject({
            idNumber: idNumberSchema,
            name: z.string().trim().min(1).max(64).optional(),
            ethnicity: z
              .string()
              .regex(/^\d{2}$/)
              .optional(),
            hiredOn: dateSchema,
            areaCode: areaCodeSchema.optional(),
            schemes: z.array(z.enum(SCHEME_NAMES)).min(1).max(7).optional(),
          }),
          response: {
            201: z.object({
              employmentId: uuidSchema,
              late: z.boolean(),
              daysAfterHiring: z.number().int(),
              enrolments: z.array(
                z.object({
                  id: uuidSchema,
                  scheme: z.enum(SCHEME_NAMES),
                  personalNumber: z.string(),
                  duplicatesInArea: z.array(z.string()),
                }),
              ),
            }),
            ...errors(...AUTH_ERRORS, 404, 409),
          },
        },
      },
      async (request, reply) =>
        reply
          .status(201)
          .send(await employers.registerEmployee(actorOf(request), request.params.id, request.body)),
    );

    app.post(
      "/employers/:id/employees/batch",
      {
        config: { access: employees },
        schema: {
          operationId: "registerEmployeesInBatch",
          tags: ["employers"],
          summary:
            "Register employees from CSV (id_number,name,ethnicity,hired_on[,area_code]); any row with an error imports nothing and the report names the fields",
          params,
          body: z.strictObject({ csv: z.string().min(1).max(5_000_000) }),
          response: {
            200: z.object({
              imported: z.number().int(),
              rejected: z.number().int(),
              rows: z.array(
                z.object({
                  line: z.number().int(),
                  status: z.enum(["imported", "rejected", "not_imported"]),
                  errors: fieldErrors,
                  late: z.boolean().optional(),
                  enrolments: z.number().int().optional(),
                }),
              ),
            }),
            ...errors(...AUTH_ERRORS, 404, 409),
          },
        },
      },
      async (request) => {
        const report = await employers.registerEmployeesCsv(
          actorOf(request),
          request.params.id,
          request.body.csv,
        );
        const lang = languageOf(request.headers["accept-language"]);
        return {
          ...report,
          rows: report.rows.map((row) => ({ ...row, errors: withProblemText(row.errors, lang) })),
        };
      },
    );

    app.post(
      "/employers/:id/hires",
      {
        config: { access: employees },
        schema: {
          operationId: "declareHire",
          tags: ["employers"],
          summary:
            "Declare a hire before registering it; it is reported as overdue 30 days after the hiring date",
          params,
          body: z.strictObject({ idNumber: idNumberSchema, hiredOn: dateSchema }),
          response: {
            201: z.object({ employmentId: uuidSchema, registerBy: z.string() }),
            ...errors(...AUTH_ERRORS, 404, 409),
          },
        },
      },
      async (request, reply) =>
        reply
          .status(201)
          .send(await employers.declareHire(actorOf(request), request.params.id, request.body)),
    );

    app.get(
      "/areas/:code/overdue-registrations",
      {
        config: { access: { permission: EMPLOYER_PERMISSIONS.report } },
        schema: {
          operationId: "listOverdueRegistrations",
          tags: ["employers"],
          summary:
            "Employers of the area with registrations later than 30 days after hiring, and hires not registered within 30 days",
          params: z.object({ code: areaCodeSchema }),
          response: {
            200: z.array(
              z.object({
                employerId: z.string(),
                creditCode: z.string(),
                employerName: z.string(),
                areaCode: z.string(),
                idNumberMasked: z.string(),
                nameMasked: z.string(),
                hiredOn: z.string(),
                registeredOn: z.string().nullable(),
                kind: z.enum(["registered_late", "not_registered"]),
                daysAfterHiring: z.number().int(),
              }),
            ),
            ...errors(...AUTH_ERRORS),
          },
        },
      },
      async (request) => employers.overdueReport(actorOf(request), request.params.code),
    );
  };
}
