import type { Sample, Walk } from "../../../test/permission-walk.ts";
import { SYSTEM_ACTOR } from "../../shared/auth.ts";

/** Sample requests for the certificates module's routes, for the permission walk (test/permissions.test.ts). */
export function certificatesPermissionSamples(w: Walk): Record<string, Sample> {
  const { deps, cardIn } = w;
  /** A Hangzhou card formally lost: its temporary medical certificate's serial. */
  const temporaryCertificate = async () => {
    const c = await cardIn("active");
    const loss = await deps.cards.reportFormalLoss(SYSTEM_ACTOR, c.cardNumber, {
      holderIdNumber: c.idNumber,
    });
    return loss.replacement.tempCertificateNo!;
  };
  return {
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
