import type { Kysely } from "kysely";
import { sm2 } from "sm-crypto-v2";
import type { Clock } from "../../shared/clock.ts";
import { DomainError } from "../../shared/errors.ts";
import { createSm2Signer } from "../../shared/signed.ts";
import { CARD_STATE_RULES } from "../cards/cards.rules.ts";
import type { NationalStatusList } from "../ecard/ecard.schemas.ts";
import { type Credential, signCredential, verifyCode } from "../ecard/ecard-code.ts";
import type { HubRepository } from "./hub.repository.ts";
import type { HubDatabase } from "./hub.tables.ts";
import { formatStatusCursor, type NationalCard, provinceName, type StatusCursor } from "./national.rules.ts";

/** The key id national e-card credentials carry (`iss`). */
export const NATIONAL_ECARD_KEY_ID = "national-ecard-1";

/** At most this many entries in one status list answer (the terminal asks again from `to`). */
const STATUS_PAGE = 5_000;

/** How long a hub process reuses the provinces' status cursors (its own appends refresh them at once). */
const CURSORS_FRESH_MS = 1_000;

/** At most this many signed status answers kept for a second (distinct cursors). */
const ANSWERS_KEPT = 10_000;

/**
 * The hub as the national e-card platform (seed 004): it signs provinces' e-card credentials, publishes
 * their keys, keeps the national status list and reads the area a national code belongs to.
 */
export function createHubEcard(deps: {
  db: Kysely<HubDatabase>;
  repo: HubRepository;
  clock: Clock;
  ecardKey?: string;
  statusPage?: number;
}) {
  const statusPage = deps.statusPage ?? STATUS_PAGE;
  const ecardPublicKeys: Record<string, string> = deps.ecardKey
    ? { [NATIONAL_ECARD_KEY_ID]: sm2.getPublicKeyFromPrivateKey(deps.ecardKey) }
    : {};
  const { db, repo, clock } = deps;
  // The national status list is signed with the national e-card key, under the same key id.
  const statusSigner = deps.ecardKey ? createSm2Signer(Buffer.from(deps.ecardKey, "hex")) : undefined;
  let cursors:
    | { read: number; seqs: Promise<Map<string, number>>; answers: Map<string, Promise<NationalStatusList>> }
    | undefined;
  /**
   * The provinces' status cursors, read at most once a second per process (one small table), with the
   * signed answers given since, by cursor: terminals that are caught up share one answer and one
   * signature. A change listed by this process starts a new second at once.
   */
  const statusSnapshot = () => {
    if (!cursors || performance.now() - cursors.read > CURSORS_FRESH_MS)
      cursors = { read: performance.now(), seqs: repo.statusCursors(db), answers: new Map() };
    return cursors;
  };

  /** The status list after `since`, as the provinces' cursors `seqs` say, signed. */
  async function statusAnswer(
    since: StatusCursor,
    seqs: ReadonlyMap<string, number>,
  ): Promise<NationalStatusList> {
    const to = new Map(since);
    let more = false;
    const moved = [...seqs]
      .filter(([p, last]) => last > (since.get(p) ?? 0))
      .sort(([a], [b]) => a.localeCompare(b));
    const entries: { eid: string; sv: number; usable: boolean }[] = [];
    // The provinces that moved, in order, until the answer holds a page (a terminal far behind asks again).
    for (const [province, last] of moved) {
      const room = statusPage - entries.length;
      if (room <= 0) {
        more = true;
        break;
      }
      const rows = await repo.statusAfter(db, province, since.get(province) ?? 0, room);
      if (rows.length === 0) continue;
      const end = Number(rows[rows.length - 1].seq);
      to.set(province, end);
      if (end < last) more = true;
      for (const r of rows)
        entries.push({ eid: r.ecard_id, sv: Number(r.sv), usable: Number(r.usable) === 1 });
    }
    return statusSigner!.sign({
      keyId: NATIONAL_ECARD_KEY_ID,
      from: formatStatusCursor(since),
      to: formatStatusCursor(to),
      more,
      entries,
    });
  }

  /**
   * The home province of a code of a national e-card: its credential, signed by this hub
   * (checked offline: signature, expiry, the code's type), names the card's area. The code's single use
   * is the home province's to check.
   */
  function homeOfCode(code: string, purpose: "identity" | "payment" = "payment") {
    const parsed = verifyCode(
      code,
      { issuerKeys: ecardPublicKeys, status: new Map(), now: Math.floor(clock.now().getTime() / 1000) },
      purpose,
    );
    if (!parsed.ok) throw new DomainError("ECARD_CODE_REFUSED", { reason: parsed.reason });
    return parsed.credential.ar.slice(0, 2);
  }

  return {
    homeOfCode,

    /** A change was listed by this process: the next poll reads the cursors again. */
    listed() {
      cursors = undefined;
    },

    /**
     * The national e-card status list after a terminal's cursor, signed with the national e-card key:
     * each province's entries in the order the hub committed them, provinces in order, up to a page
     * (`more`: ask again from `to`). A terminal applies every entry (the highest status version of an e-card wins).
     */
    async statusList(since: StatusCursor) {
      if (!statusSigner) throw new DomainError("HUB_UNAVAILABLE");
      const snapshot = statusSnapshot();
      const key = formatStatusCursor(since);
      let answer = snapshot.answers.get(key);
      if (!answer) {
        if (snapshot.answers.size >= ANSWERS_KEPT) snapshot.answers.clear();
        answer = snapshot.seqs.then((seqs) => statusAnswer(since, seqs));
        snapshot.answers.set(key, answer);
        // A failed read is not kept: the next poll reads again.
        answer.catch(() => {
          snapshot.answers.delete(key);
          if (cursors === snapshot) cursors = undefined;
        });
      }
      return answer;
    },

    /**
     * Signs a province's e-card credential as the national platform (seed 004: the e-card is issued by
     * the national social security card platform): the card must be the province's in the registry, in a
     * state whose e-card may be used, and the credential's area the province's own.
     */
    async signEcardCredential(province: string, input: { cardNumber: string; credential: Credential }) {
      if (!deps.ecardKey) throw new DomainError("HUB_UNAVAILABLE");
      const route = await repo.route(db, input.cardNumber);
      if (!route) throw new DomainError("NATIONAL_CARD_UNKNOWN");
      if (route.province !== province)
        throw new DomainError("NATIONAL_CARD_HELD", {
          province: route.province,
          provinceName: provinceName(route.province),
        });
      if (!(await repo.isAreaOf(db, input.credential.ar, province)))
        throw new DomainError("VALIDATION_FAILED", {
          summary: "credential.ar: an area of the signing province",
        });
      const scope = CARD_STATE_RULES[route.state as NationalCard["state"]].ecard;
      if (scope === "none" || scope === "not_issued")
        throw new DomainError("ECARD_UNUSABLE", { reason: `card_${route.state}` });
      const credential: Credential = { ...input.credential, iss: NATIONAL_ECARD_KEY_ID };
      return { credential: signCredential(credential, deps.ecardKey) };
    },

    /** The public keys of national e-card credentials, for every province's terminals. */
    ecardIssuerKeys: () => ecardPublicKeys,
  };
}
