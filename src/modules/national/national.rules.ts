import type { KeyObject } from "node:crypto";
import { type Actor, NATIONAL, type Role } from "../../shared/auth.ts";
import { equalHex, hmacSm3Hex } from "../../shared/crypto.ts";
import { SETTLING } from "../../shared/permissions.ts";
import { type CardState, holdsProvinceSlot } from "../cards/cards.rules.ts";
import type { EnrolmentDeps } from "../enrolment/enrolment.context.ts";

/**
 * The national layer's rules (issue 24): one active card per person nationwide, the hub's decision on a
 * province's reservation, and the signature a province puts on what it sends the hub. Pure: no I/O, the
 * time passed in.
 */

/** A person's card as the national registry knows it: where it was issued, its state and its version. */
export type NationalCard = Readonly<{
  cardNumber: string;
  province: string;
  state: CardState;
  version: number;
}>;

/** A card change as a province publishes it (its outbox row's payload). */
export type CardChange = Readonly<{
  nationalIndex: string;
  cardNumber: string;
  state: NationalCard["state"];
  version: number;
}>;

/**
 * An e-card's status as a province publishes it (its first at issue, then each change), with its card
 * at the time (so the registry has the card even when this arrives before the card's own change): the
 * e-card's id and status version, and whether it may be used.
 */
export type EcardChange = CardChange & Readonly<{ ecardId: string; sv: number; usable: boolean }>;

/**
 * Whether the national status list carries an e-card's status: every change does; the first status
 * (version 1, at issue) is where every credential starts, so a terminal needs no entry for it.
 */
export const listedNationally = (e: Pick<EcardChange, "sv">) => e.sv > 1;

/** Whether an outbox payload is an e-card's status change (else a card change). */
export const isEcardChange = (c: CardChange | EcardChange): c is EcardChange => "ecardId" in c;

/**
 * Where a terminal is in the national e-card status list: per province, the last entry it applied (the
 * hub numbers each province's entries in the order it committed them). Written `33:120,32:45`.
 */
export type StatusCursor = ReadonlyMap<string, number>;

/** Reads a cursor (empty: from the start); undefined when it is not `province:number,…` with known provinces. */
export function parseStatusCursor(text: string): StatusCursor | undefined {
  const out = new Map<string, number>();
  for (const part of text.split(",").filter(Boolean)) {
    const m = /^(\d{2}):(\d{1,15})$/.exec(part);
    if (!m || !PROVINCES.some(([c]) => c === m[1]) || out.has(m[1])) return undefined;
    out.set(m[1], Number(m[2]));
  }
  return out;
}

/** A cursor as text, provinces in order (the same cursor always reads the same). */
export const formatStatusCursor = (cursor: StatusCursor) =>
  [...cursor]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([p, n]) => `${p}:${n}`)
    .join(",");

/**
 * What crosses the hub, as the modules that make and answer it define it (one definition each): a
 * check as the hub forwards it, the home province's answer, a settlement's basket.
 */
export type RemoteCheckInput = Parameters<NonNullable<EnrolmentDeps["remoteCheck"]>>[0];
export type { RemoteCheckAnswer } from "../enrolment/enrolment.context.ts";
export type {
  RefundView,
  RemoteRefundInput,
  RemoteSettleInput as RemoteSettleRequest,
} from "../medical/medical.context.ts";

/** The parts of the home province's settlement receipt the hub records (the rest passes through). */
export type SettlementReceipt = {
  settlementId: string;
  day: string;
  totals: { totalFen: number; accountFen: number; selfFen: number; coveredFen: number };
} & Record<string, unknown>;

/** A province's claim on a person's national slot while its application is written (a few seconds). */
export type Reservation = Readonly<{ province: string; at: string }>;

/** How long a reservation without a card holds the slot: a province that never sends its card loses it. */
export const RESERVATION_HOLD_MS = 10 * 60 * 1000;

/** How far the clock of a signed request may be from the hub's. */
export const REQUEST_SKEW_MS = 5 * 60 * 1000;

/** The provinces of the mainland (GB/T 2260), as the hub's reference table starts. */
export const PROVINCES: readonly [string, string][] = [
  ["11", "北京市"],
  ["12", "天津市"],
  ["13", "河北省"],
  ["14", "山西省"],
  ["15", "内蒙古自治区"],
  ["21", "辽宁省"],
  ["22", "吉林省"],
  ["23", "黑龙江省"],
  ["31", "上海市"],
  ["32", "江苏省"],
  ["33", "浙江省"],
  ["34", "安徽省"],
  ["35", "福建省"],
  ["36", "江西省"],
  ["37", "山东省"],
  ["41", "河南省"],
  ["42", "湖北省"],
  ["43", "湖南省"],
  ["44", "广东省"],
  ["45", "广西壮族自治区"],
  ["46", "海南省"],
  ["50", "重庆市"],
  ["51", "四川省"],
  ["52", "贵州省"],
  ["53", "云南省"],
  ["54", "西藏自治区"],
  ["61", "陕西省"],
  ["62", "甘肃省"],
  ["63", "青海省"],
  ["64", "宁夏回族自治区"],
  ["65", "新疆维吾尔自治区"],
];

/** A province's name by its code (the code itself when unknown). */
export const provinceName = (code: string) => PROVINCES.find(([c]) => c === code)?.[1] ?? code;

/** The cards that hold a person's one national place: the states that hold the province's slot. */
export const slotHolders = (cards: readonly NationalCard[]) =>
  cards.filter((c) => holdsProvinceSlot(c.state));

/**
 * The hub's answer to a province reserving a person's national slot: refused while another province
 * holds an active card (or its own reservation, for RESERVATION_HOLD_MS), granted otherwise.
 */
export function reservationOutcome(
  cards: readonly NationalCard[],
  reservation: Reservation | null,
  province: string,
  now: Date,
):
  | { ok: true }
  | { ok: false; code: "NATIONAL_CARD_HELD"; province: string; cardNumber: string }
  | { ok: false; code: "NATIONAL_SLOT_RESERVED"; province: string } {
  const held = slotHolders(cards).find((c) => c.province !== province);
  if (held)
    return { ok: false, code: "NATIONAL_CARD_HELD", province: held.province, cardNumber: held.cardNumber };
  if (
    reservation &&
    reservation.province !== province &&
    now.getTime() - Date.parse(reservation.at) < RESERVATION_HOLD_MS
  )
    return { ok: false, code: "NATIONAL_SLOT_RESERVED", province: reservation.province };
  return { ok: true };
}

/**
 * The persons with active cards in more than one province ("multiple social security cards", seed 001):
 * each is listed with its cards, the newest last, for the provinces to cancel all but one.
 */
export function duplicatesOf(cards: readonly (NationalCard & { nationalIndex: string })[]) {
  const byPerson = new Map<string, NationalCard[]>();
  for (const c of cards)
    if (holdsProvinceSlot(c.state))
      byPerson.set(c.nationalIndex, [...(byPerson.get(c.nationalIndex) ?? []), c]);
  return [...byPerson]
    .filter(([, held]) => new Set(held.map((c) => c.province)).size > 1)
    .map(([nationalIndex, held]) => ({ nationalIndex, cards: held }));
}

/** A pair of provinces' settlements of a day: the treating province's hospitals, the home province's cards. */
type ProvincePair = { treatingProvince: string; homeProvince: string };

/**
 * A day's netting pairs: each pair's settlements with the day's refunds beside them (a pair with only
 * refunds, of an earlier day's settlements, is listed with none), in province order.
 */
export function nettingPairs(
  settled: readonly (ProvincePair & { count: number; accountFen: number; totalFen: number })[],
  refunds: readonly (ProvincePair & { count: number; accountFen: number })[],
) {
  const key = (p: ProvincePair) => `${p.treatingProvince}|${p.homeProvince}`;
  const pairs = new Map(settled.map((p) => [key(p), { ...p, refundCount: 0, refundedAccountFen: 0 }]));
  for (const r of refunds) {
    const pair = pairs.get(key(r)) ?? {
      ...{ treatingProvince: r.treatingProvince, homeProvince: r.homeProvince },
      ...{ count: 0, accountFen: 0, totalFen: 0, refundCount: 0, refundedAccountFen: 0 },
    };
    pairs.set(key(r), { ...pair, refundCount: r.count, refundedAccountFen: r.accountFen });
  }
  return [...pairs.values()].sort((a, b) => key(a).localeCompare(key(b)));
}

/**
 * Where the hub records what a treating hospital did through it (the distribution column of
 * `hub_settlements` and `hub_refunds`): its province, its code and its own key, so no other hospital
 * or province can name it.
 */
export const hubRecordKey = (
  province: string,
  institutionCode: string,
  key: string,
  kind: "settlement" | "refund" = "settlement",
) =>
  kind === "refund"
    ? `${province}|${institutionCode}|refund|${key}`
    : `${province}|${institutionCode}|${key}`;

/**
 * A province's net position in a day's cross-province settlements: what its hospitals are owed (it
 * treated other provinces' holders) less what its accounts owe (its holders treated elsewhere), each
 * less the day's refunds (the account money that went back).
 */
export function netPosition(
  pairs: readonly {
    treatingProvince: string;
    homeProvince: string;
    accountFen: number;
    refundedAccountFen: number;
  }[],
  province: string,
): number {
  let net = 0;
  for (const p of pairs) {
    const owed = p.accountFen - p.refundedAccountFen;
    if (p.treatingProvince === province) net += owed;
    if (p.homeProvince === province) net -= owed;
  }
  return net;
}

/**
 * The hub acting for another province's hospital or pharmacy in this province: a peer system (type
 * `channel`) on the terminal channel with the caller's settling role (a hospital's by default). Passwords
 * reach it as the asking province accepted them: never a terminal's in clear (pin.rules clearPinRefused).
 */
export const hubActorFor = (from: string, role: string): Actor => ({
  type: "channel",
  id: `national-hub:${from}`,
  name: `${provinceName(from)}（全国平台转发）`,
  channel: "terminal",
  grants: [
    {
      role: (SETTLING as readonly string[]).includes(role) ? (role as Role) : "medical_operator",
      areaCode: NATIONAL,
      outletId: null,
    },
  ],
});

/** The national blind index of an ID number: HMAC-SM3 under the national index key (not a province's own). */
export const nationalIndex = (key: KeyObject, idNumber: string) =>
  hmacSm3Hex(key, `national:${idNumber.trim().toUpperCase()}`);

/** A signed request's parts: the signing province, its time, the method, the path and the raw body. */
export type HubRequest = { province: string; at: string; method: string; path: string; body: string };

/** What is signed: the parts, one per line. */
const signedText = (r: HubRequest) =>
  `${r.province}\n${r.at}\n${r.method.toUpperCase()}\n${r.path}\n${r.body}`;

/** A province's signature on a request to the hub: HMAC-SM3 under the key the hub gave it. */
export const signHubRequest = (key: KeyObject, r: HubRequest) => hmacSm3Hex(key, signedText(r));

/** Why a signed request is refused, or null: a wrong signature, or a time too far from the hub's. */
export function hubRequestProblem(
  key: KeyObject,
  r: HubRequest & { signature: string },
  now: Date,
): "signature" | "time" | null {
  const at = Date.parse(r.at);
  if (!Number.isFinite(at) || Math.abs(now.getTime() - at) > REQUEST_SKEW_MS) return "time";
  if (!/^[0-9a-f]{64}$/.test(r.signature) || !equalHex(signHubRequest(key, r), r.signature))
    return "signature";
  return null;
}

/** `33=<64 hex>,44=<64 hex>`: each province's request key, as the hub is configured with them. */
export function parseProvinceKeys(text: string): Map<string, Buffer> {
  const keys = new Map<string, Buffer>();
  for (const part of text
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^(\d{2})[=:]([0-9a-fA-F]{64})$/.exec(part);
    if (!m)
      throw new Error(
        `SSCARD_HUB_PROVINCES: "${part.slice(0, 8)}…" is not <2-digit province>=<64 hex digits>`,
      );
    if (keys.has(m[1])) throw new Error(`SSCARD_HUB_PROVINCES: province ${m[1]} twice`);
    keys.set(m[1], Buffer.from(m[2], "hex"));
  }
  return keys;
}
