import type { CardRow } from "../../db/schema.ts";
import { type Actor, authorize } from "../../shared/auth.ts";
import { DomainError } from "../../shared/errors.ts";
import type { EcardContext } from "./ecard.context.ts";
import { ECARD_PERMISSIONS } from "./ecard.permissions.ts";
import { type CodeType, verifyCode } from "./ecard-code.ts";

/** Codes: verified online (single-use payment codes), the identity of a code, the signed status list. */
export function ecardCodes(ctx: EcardContext) {
  const { deps, db, repo, checkOnline, verifyAndUse, issuerKeys } = ctx;
  /**
   * The home province of a code issued by the national platform for another province's e-card (its
   * online check and its settlement go there, through the hub); undefined for this province's own codes.
   * A code that fails the offline checks (signature, expiry, its type) is refused here, before the hub.
   */
  function homeOfNationalCode(code: string, purpose: CodeType = "payment"): string | undefined {
    const national = deps.national;
    if (!national) return undefined;
    const parsed = verifyCode(
      code,
      { issuerKeys: issuerKeys(), status: new Map(), now: Math.floor(ctx.clock.now().getTime() / 1000) },
      purpose,
    );
    if (!parsed.ok) throw new DomainError("ECARD_CODE_REFUSED", { reason: parsed.reason });
    const { iss, ar } = parsed.credential;
    const nationallyIssued = iss in national.issuerKeys();
    return nationallyIssued && !ar.startsWith(national.province) ? ar.slice(0, 2) : undefined;
  }

  return {
    homeOfNationalCode,

    /** The person whose e-card showed this identity code (the hall's sign-in with the e-card). */
    async identityOfCode(code: string) {
      return (await checkOnline(code, "identity")).ecard.person_id;
    },

    /**
     * The status list changes after a version, signed (terminals apply them in order). With a national
     * cursor, a federated province adds the national list after it, as the hub signed it (other
     * provinces' e-cards); left out while the hub cannot be reached (the terminal asks again).
     */
    async statusList(actor: Actor, since: number, nationalSince?: string) {
      authorize(actor, ECARD_PERMISSIONS.terminal);
      const rows = await repo.statusChangesAfter(db, since, 50_000);
      const national =
        nationalSince !== undefined ? await deps.national?.statusList(nationalSince) : undefined;
      return deps.signer.sign({
        from: since,
        to: rows.length ? Number(rows[rows.length - 1].version) : since,
        entries: rows.map((r) => ({ eid: r.ecard_id, sv: Number(r.status_version), usable: r.usable === 1 })),
        ...(national ? { national } : {}),
      });
    },

    /**
     * Verifies a code online: the offline checks against the current status, the e-card's usability
     * now, and for a payment code its single use (a replay is refused).
     */
    async verifyOnline(actor: Actor, input: { code: string; purpose: CodeType }) {
      // Another province's national e-card: its home province checks it now (and uses a payment code).
      if (deps.national && homeOfNationalCode(input.code, input.purpose)) {
        const grant = authorize(actor, ECARD_PERMISSIONS.terminal);
        return deps.national.verifyCode({ ...input, role: grant.role });
      }
      const { parsed, usable } = await verifyAndUse(actor, input);
      return {
        valid: true as const,
        type: parsed.type,
        nameMasked: parsed.credential.nm,
        cardNumberMasked: parsed.credential.cn,
        areaCode: parsed.credential.ar,
        scope: usable.scope,
      };
    },

    /** A payment code verified online and used (once): its physical card, for a settlement. */
    async cardOfPaymentCode(actor: Actor, code: string): Promise<CardRow> {
      const { usable, card } = await verifyAndUse(actor, { code, purpose: "payment" });
      if (usable.scope !== "all") throw new DomainError("ECARD_UNUSABLE", { reason: usable.reason });
      return card;
    },
  };
}
