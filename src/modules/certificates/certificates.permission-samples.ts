import type { Sample, Walk } from "../../../test/permission-walk.ts";
import { SYSTEM_ACTOR } from "../../shared/auth.ts";

/** Sample requests for the certificates module's routes, for the permission walk (test/permissions.test.ts). */
export function certificatesPermissionSamples(w: Walk): Record<string, Sample> {
  const { deps, cardIn, asHolder, holderWithId } = w;
  /** A Hangzhou card formally lost: its temporary medical certificate's serial. */
  const temporaryCertificate = async () => {
    const c = await cardIn("active");
    const loss = await deps.cards.reportFormalLoss(SYSTEM_ACTOR, c.cardNumber, {
      holderIdNumber: c.idNumber,
    });
    return loss.replacement.tempCertificateNo!;
  };
  /** A holder signed in, and their own rights record's serial, issued in the hall. */
  const ownRecord = async () => {
    const { holderToken } = await holderWithId();
    const issued = await w.call(
      "POST",
      { url: "/api/v1/holder/certificates", body: { kind: "rights_record" } },
      holderToken,
    );
    return { url: `/api/v1/holder/certificates/${issued.json().serial}/pdf`, holderToken };
  };
  return {
    "POST /api/v1/persons/:id/certificates": {
      prepare: async () => {
        const c = await cardIn("active");
        const person = await deps.persons.findByIdNumber(SYSTEM_ACTOR, c.idNumber);
        return { url: `/api/v1/persons/${person.id}/certificates`, body: { kind: "rights_record" } };
      },
      otherArea: "forbidden",
    },
    "POST /api/v1/holder/certificates": {
      prepare: asHolder(() => ({ url: "/api/v1/holder/certificates", body: { kind: "rights_record" } })),
      otherArea: "own",
    },
    "GET /api/v1/holder/certificates/:serial/pdf": { prepare: ownRecord, otherArea: "notFound" },
    "GET /api/v1/certificates/:serial/pdf": {
      prepare: async () => ({ url: `/api/v1/certificates/${await temporaryCertificate()}/pdf` }),
      otherArea: "forbidden",
    },
    "POST /api/v1/certificates/:serial/revoke": {
      prepare: async () => ({
        url: `/api/v1/certificates/${await temporaryCertificate()}/revoke`,
        body: { reason: "填写错误" },
      }),
      otherArea: "forbidden",
    },
  };
}
