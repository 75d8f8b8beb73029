import { enrolmentArrears } from "./enrolment.arrears.ts";
import { enrolmentCheck } from "./enrolment.check.ts";
import { createEnrolmentContext, type EnrolmentDeps } from "./enrolment.context.ts";
import { enrolmentEnrol } from "./enrolment.enrol.ts";
import { enrolmentMerge } from "./enrolment.merge.ts";
import { ENROLMENT_PERMISSIONS } from "./enrolment.permissions.ts";
import { enrolmentReads } from "./enrolment.reads.ts";

export type { EnrolInput, EnrolmentView } from "./enrolment.context.ts";
export { ENROLMENT_PERMISSIONS };

/**
 * Insurance enrolment, assembled from one file per use case: enrolling and status changes, reads,
 * merging personal numbers, arrears, and the online check at card reading. Shared helpers are in
 * enrolment.context.ts.
 */
export function createEnrolmentService(deps: EnrolmentDeps) {
  const ctx = createEnrolmentContext(deps);
  return {
    ...enrolmentEnrol(ctx),
    ...enrolmentReads(ctx),
    ...enrolmentMerge(ctx),
    ...enrolmentArrears(ctx),
    ...enrolmentCheck(ctx),
  };
}

export type EnrolmentService = ReturnType<typeof createEnrolmentService>;
