import { newIdNumber } from "../../../test/fixtures.ts";
import type { Sample, Walk } from "../../../test/permission-walk.ts";

/** Sample requests for the employers module's routes, for the permission walk (test/permissions.test.ts). */
export function employersPermissionSamples(w: Walk): Record<string, Sample> {
  const { fixed, hzEmployer, newCreditCode, newPerson } = w;
  return {
    "POST /api/v1/employers": {
      prepare: async () => ({
        url: "/api/v1/employers",
        body: {
          creditCode: newCreditCode("330106"),
          name: "新单位",
          areaCode: "330106",
          contactName: "张",
          contactPhone: "12345",
        },
      }),
      otherArea: "forbidden",
    },
    "GET /api/v1/employers/:id": {
      prepare: fixed(`/api/v1/employers/${hzEmployer}`),
      otherArea: "forbidden",
    },
    "GET /api/v1/employers/:id/employees": {
      prepare: fixed(`/api/v1/employers/${hzEmployer}/employees`),
      otherArea: "forbidden",
    },
    "POST /api/v1/employers/:id/employees": {
      prepare: async () => ({
        url: `/api/v1/employers/${hzEmployer}/employees`,
        body: { idNumber: newIdNumber(), name: "新员工", ethnicity: "01", hiredOn: "2026-11-01" },
      }),
      otherArea: "forbidden",
    },
    "POST /api/v1/employers/:id/employees/batch": {
      prepare: async () => ({
        url: `/api/v1/employers/${hzEmployer}/employees/batch`,
        body: { csv: `id_number,name,ethnicity,hired_on\n${newIdNumber()},新员工,01,2026-11-01` },
      }),
      otherArea: "forbidden",
    },
    "POST /api/v1/employers/:id/hires": {
      prepare: async () => ({
        url: `/api/v1/employers/${hzEmployer}/hires`,
        body: { idNumber: await newPerson(), hiredOn: "2026-11-01" },
      }),
      otherArea: "forbidden",
    },
    "GET /api/v1/areas/:code/overdue-registrations": {
      prepare: fixed("/api/v1/areas/330100/overdue-registrations"),
      otherArea: "forbidden",
    },
  };
}
