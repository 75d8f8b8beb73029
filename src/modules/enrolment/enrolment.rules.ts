import { monthsBetween } from "../../shared/clock.ts";
import { CARD_STATE_RULES, type CardState } from "../cards/cards.rules.ts";
/**
 * Insurance enrolment rules (pure): schemes and their families, enrolment statuses and their moves,
 * coordination areas, the 30-day registration deadline, and the online check at card reading.
 */

export const SCHEMES = {
  employee_medical: {
    family: "medical",
    kind: "employee",
    zh: "职工基本医疗保险",
    en: "urban employee basic medical",
  },
  resident_medical: {
    family: "medical",
    kind: "resident",
    zh: "城乡居民基本医疗保险",
    en: "urban and rural resident basic medical",
  },
  employee_pension: {
    family: "pension",
    kind: "employee",
    zh: "职工基本养老保险",
    en: "employee basic pension",
  },
  resident_pension: {
    family: "pension",
    kind: "resident",
    zh: "城乡居民基本养老保险",
    en: "resident basic pension",
  },
  unemployment: { family: "unemployment", kind: "employee", zh: "失业保险", en: "unemployment" },
  work_injury: { family: "work_injury", kind: "employee", zh: "工伤保险", en: "work injury" },
  maternity: { family: "maternity", kind: "employee", zh: "生育保险", en: "maternity" },
} as const;
export type Scheme = keyof typeof SCHEMES;
export const SCHEME_NAMES = Object.keys(SCHEMES) as [Scheme, ...Scheme[]];

/** The schemes an employer registers a new employee in unless told otherwise (the "five insurances"). */
export const EMPLOYEE_SCHEMES: readonly Scheme[] = [
  "employee_medical",
  "employee_pension",
  "unemployment",
  "work_injury",
  "maternity",
];

/**
 * Enrolment statuses. `sealed` is the enrolment kept after contributions stopped (封存), distinct
 * from a card's `archived` state; `transferred_out` and `terminated` are final.
 */
export const ENROLMENT_STATUSES = ["active", "suspended", "transferred_out", "terminated", "sealed"] as const;
export type EnrolmentStatus = (typeof ENROLMENT_STATUSES)[number];

const MOVES: Record<EnrolmentStatus, readonly EnrolmentStatus[]> = {
  active: ["suspended", "sealed", "transferred_out", "terminated"],
  suspended: ["active", "sealed", "transferred_out", "terminated"],
  sealed: ["active", "transferred_out", "terminated"],
  transferred_out: [],
  terminated: [],
};

/**
 * What a merge of personal numbers would leave insured twice: the families (medical, pension …) with
 * more than one active enrolment in the coordination area once `suspending` are suspended. A person
 * is insured once per family in a coordination area (resident and employee medical exclude each other).
 */
export function mergeConflicts(
  enrolments: readonly { id: string; scheme: Scheme; status: EnrolmentStatus }[],
  suspending: readonly string[] = [],
): { family: string; enrolmentIds: string[] }[] {
  const byFamily = new Map<string, string[]>();
  for (const e of enrolments) {
    if (e.status !== "active" || suspending.includes(e.id)) continue;
    const family = SCHEMES[e.scheme].family;
    byFamily.set(family, [...(byFamily.get(family) ?? []), e.id]);
  }
  return [...byFamily]
    .filter(([, ids]) => ids.length > 1)
    .map(([family, enrolmentIds]) => ({ family, enrolmentIds }));
}

export function canMove(from: EnrolmentStatus, to: EnrolmentStatus): boolean {
  return MOVES[from].includes(to);
}

/** Statuses that still hold a place in the coordination area (count for duplicates). */
export const LIVE: readonly EnrolmentStatus[] = ["active", "suspended", "sealed"];

/**
 * The coordination (pooling) area of a region: its prefecture-level city (XXYY00). Municipalities
 * directly under the central government (11, 12, 31, 50) pool at province level (XX0000).
 */
export function coordinationArea(regionCode: string): string {
  if (["11", "12", "31", "50"].includes(regionCode.slice(0, 2))) return `${regionCode.slice(0, 2)}0000`;
  return `${regionCode.slice(0, 4)}00`;
}

/** Days between two dates YYYY-MM-DD (b − a). */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

/** The legal deadline: an employer registers an employee within 30 days of hiring (Social Insurance Law art. 58). */
export const REGISTRATION_DAYS = 30;

export function registrationLate(hiredOn: string, registeredOn: string): boolean {
  return daysBetween(hiredOn, registeredOn) > REGISTRATION_DAYS;
}

/**
 * What is overdue about a hire on `today`: registered later than the deadline, or not registered and
 * the deadline passed (null: nothing).
 */
export function registrationOverdue(
  hiredOn: string,
  registeredOn: string | null,
  today: string,
): "registered_late" | "not_registered" | null {
  if (registeredOn !== null) return registrationLate(hiredOn, registeredOn) ? "registered_late" : null;
  return daysBetween(hiredOn, today) > REGISTRATION_DAYS ? "not_registered" : null;
}

/** Other live enrolments of the same family in the same coordination area but another county: the seed's duplicate case. */
export function duplicatesOf<
  E extends { id: string; scheme: Scheme; areaCode: string; status: EnrolmentStatus },
>(existing: readonly E[], scheme: Scheme, areaCode: string): E[] {
  return existing.filter(
    (e) =>
      e.status === "active" && SCHEMES[e.scheme].family === SCHEMES[scheme].family && e.areaCode !== areaCode,
  );
}

// ---------------------------------------------------------------------------------------------
// The online check at card reading

export const CHECK_DIAGNOSTICS = {
  CARD_NUMBER_NOT_FOUND: {
    zh: { cause: "卡号不存在：卡管系统中没有这张卡", remedy: "请持卡人携带身份证到社保卡服务网点核实卡信息" },
    en: {
      cause: "The card number does not exist in the card system",
      remedy: "The holder should bring the ID card to a card service outlet to check the card record",
    },
  },
  CARD_DATA_MISMATCH: {
    zh: {
      cause: "卡面或芯片信息与身份证信息不一致",
      remedy: "请持卡人携带身份证到社保卡服务网点更正信息或补换卡",
    },
    en: {
      cause: "The card's data differ from the ID record",
      remedy: "The holder should bring the ID card to an outlet to correct the record or replace the card",
    },
  },
  CARD_INVALID: {
    zh: { cause: "该卡已失效（已注销、已挂失或已换新卡）", remedy: "请使用新卡，或到服务网点补换卡" },
    en: {
      cause: "The card is invalid (cancelled, formally lost or replaced)",
      remedy: "Use the new card, or replace the card at an outlet",
    },
  },
  CARD_NOT_ENABLED: {
    zh: { cause: "该卡尚未在卡管系统中登记启用", remedy: "请持卡人到服务网点或银行网点启用社保卡" },
    en: {
      cause: "The card is not recorded and enabled in the card system",
      remedy: "The holder should activate the card at an outlet or bank branch",
    },
  },
  CARD_TEMPORARILY_LOST: {
    zh: { cause: "该卡已临时挂失", remedy: "如卡已找回，请持卡人解除挂失后再使用" },
    en: {
      cause: "The card is reported temporarily lost",
      remedy: "If the card was found, the holder should revoke the loss report first",
    },
  },
  CARD_EXPIRED: {
    zh: { cause: "该卡已过有效期", remedy: "请持卡人到服务网点办理换卡" },
    en: { cause: "The card has expired", remedy: "The holder should renew the card at an outlet" },
  },
  TEMPORARY_CERTIFICATE_NOT_FOUND: {
    zh: {
      cause: "临时就医凭证号不存在：凭证登记簿中没有这张凭证",
      remedy: "请核对凭证号，或扫描凭证上的二维码核验真伪",
    },
    en: {
      cause: "The temporary medical certificate number is not in the register of certificates",
      remedy: "Check the number, or scan the certificate's QR code to verify it",
    },
  },
  TEMPORARY_CERTIFICATE_INVALID: {
    zh: {
      cause: "临时就医凭证已失效（新卡已领取、凭证已撤销或已过期）",
      remedy: "请使用新社会保障卡就医；尚未领卡的，请到服务网点核实",
    },
    en: {
      cause:
        "The temporary medical certificate is no longer valid (the new card was collected, or it was revoked or expired)",
      remedy: "Use the new social security card; if it is not collected yet, check at a card service outlet",
    },
  },
  MULTIPLE_ENROLMENT_IN_AREA: {
    zh: {
      cause: "此人在本统筹区多次参保（在其他县区仍有有效参保）",
      remedy: "请参保人到原参保县区暂停参保后再使用社保卡",
    },
    en: {
      cause:
        "The person is insured several times in this coordination area (another county's enrolment is still active)",
      remedy: "Suspend the enrolment in the other county, then use the card",
    },
  },
  MULTIPLE_PERSONAL_NUMBERS: {
    zh: {
      cause: "此人在本统筹区有多个个人编号（如先参加居民保险、后参加职工保险）",
      remedy: "请参保人携带身份证到社保中心办理个人编号合并，再启用社保卡",
    },
    en: {
      cause:
        "The person has several personal numbers in this coordination area (e.g. resident then employee insurance)",
      remedy:
        "The holder should bring the ID card to the social security centre to merge the numbers, then activate the card",
    },
  },
  MEDICAL_NUMBER_NOT_FOUND: {
    zh: {
      cause: "此人基本信息中未找到医保卡号（本统筹区无医疗保险参保）",
      remedy: "请到参保地经办机构核实医疗保险参保登记",
    },
    en: {
      cause:
        "No medical insurance number in the person's basic information (no medical enrolment in this area)",
      remedy: "Check the medical insurance registration with the insuring agency",
    },
  },
  MEDICAL_FUNCTION_SUSPENDED: {
    zh: {
      cause: "欠缴或停保，医保功能已暂停",
      remedy: "请补缴欠费或恢复参保后再使用医保功能",
    },
    en: {
      cause: "Arrears or a suspended enrolment: the medical function is suspended",
      remedy: "Pay the arrears or resume the enrolment, then use the medical function",
    },
  },
} as const;
export type CheckDiagnostic = keyof typeof CHECK_DIAGNOSTICS;

/** What the check knows, gathered by the service in a few reads. */
export type CheckFacts = Readonly<{
  card?: {
    cardIdCode: string;
    state: CardState;
    ssFunction: "not_activated" | "activated";
    validUntil: string | null;
  };
  /**
   * Checking a temporary medical certificate instead of a card (seed 003: it stands for the card while
   * the replacement is made): its status today replaces the card's own checks.
   */
  temporaryCertificate?: { found: boolean; valid: boolean };
  /** The presented data against the registry: card identification code, ID number and name equal. */
  dataMatches: boolean;
  enrolments: readonly {
    scheme: Scheme;
    areaCode: string;
    status: EnrolmentStatus;
    personalNumber: string;
  }[];
  /** Personal numbers of the person in the area that are not merged into another. */
  unmergedNumbers: readonly string[];
  /** Resolves a personal number through its merge alias to the surviving number. */
  survivorOf: (n: string) => string;
  arrearsActive: boolean;
  today: string;
}>;

export type CheckOutcome =
  | { ok: false; diagnostic: CheckDiagnostic }
  | {
      ok: true;
      medicalFunction: "active";
      medicalInsuranceNumber: string;
      schemes: { scheme: Scheme; status: EnrolmentStatus; areaCode: string }[];
    };

/**
 * The online check, in the order a reader meets the problems: the card (exists, matches the ID
 * record, usable), then enrolment in the card's coordination area (duplicates, several personal
 * numbers, a medical enrolment, arrears).
 */
export function onlineCheck(f: CheckFacts): CheckOutcome {
  const no = (diagnostic: CheckDiagnostic): CheckOutcome => ({ ok: false, diagnostic });
  const card = f.card;
  if (f.temporaryCertificate && !f.temporaryCertificate.found) return no("TEMPORARY_CERTIFICATE_NOT_FOUND");
  if (!card) return no("CARD_NUMBER_NOT_FOUND");
  if (!f.dataMatches) return no("CARD_DATA_MISMATCH");
  if (f.temporaryCertificate) {
    if (!f.temporaryCertificate.valid) return no("TEMPORARY_CERTIFICATE_INVALID");
    return insured(f);
  }
  const byState = CARD_STATE_RULES[card.state].onlineCheck;
  if (byState === "CARD_INVALID" || byState === "CARD_TEMPORARILY_LOST") return no(byState);
  if (byState === "CARD_EXPIRED" || (card.validUntil !== null && card.validUntil < f.today))
    return no("CARD_EXPIRED");
  if (byState !== "ok") return no(byState);
  if (card.ssFunction !== "activated") return no("CARD_NOT_ENABLED");
  return insured(f);
}

/** The enrolment half of the check once the card (or the certificate standing for it) passed. */
function insured(f: CheckFacts): CheckOutcome {
  const standing = medicalStanding(f);
  if (standing) return { ok: false, diagnostic: standing };
  const activeMedical = f.enrolments.filter(
    (e) => SCHEMES[e.scheme].family === "medical" && e.status === "active",
  );
  return {
    ok: true,
    medicalFunction: "active",
    medicalInsuranceNumber: f.survivorOf(activeMedical[0].personalNumber),
    schemes: f.enrolments
      .filter((e) => LIVE.includes(e.status))
      .map((e) => ({ scheme: e.scheme, status: e.status, areaCode: e.areaCode })),
  };
}

/** What the check knows of a person's insurance in one coordination area. */
export type StandingFacts = Pick<CheckFacts, "enrolments" | "arrearsActive"> & {
  unmergedNumbers: readonly string[];
};

/**
 * The enrolment half of the online check: what is wrong with a person's medical insurance in the
 * card's coordination area, in the order the check reports it (undefined: insured).
 */
export function medicalStanding(f: StandingFacts): CheckDiagnostic | undefined {
  const medical = f.enrolments.filter((e) => SCHEMES[e.scheme].family === "medical");
  const activeMedical = medical.filter((e) => e.status === "active");
  if (new Set(activeMedical.map((e) => e.areaCode)).size > 1) return "MULTIPLE_ENROLMENT_IN_AREA";
  if (f.unmergedNumbers.length > 1) return "MULTIPLE_PERSONAL_NUMBERS";
  if (!medical.some((e) => LIVE.includes(e.status))) return "MEDICAL_NUMBER_NOT_FOUND";
  if (f.arrearsActive || activeMedical.length === 0) return "MEDICAL_FUNCTION_SUSPENDED";
  return undefined;
}

/**
 * Why a settlement is refused for the person's insurance, by the online check's diagnostics: arrears
 * first (a person in arrears is suspended whatever the records), then what the check flags in the
 * records (insured twice in the area, several personal numbers, a medical enrolment suspended). A
 * person with no medical enrolment on record (an account funded before enrolment was recorded, as
 * legacy data) is not refused here: the account's balance decides.
 */
export function settlementStanding(f: StandingFacts): CheckDiagnostic | undefined {
  if (f.arrearsActive) return "MEDICAL_FUNCTION_SUSPENDED";
  const standing = medicalStanding(f);
  return standing === "MEDICAL_NUMBER_NOT_FOUND" ? undefined : standing;
}

/**
 * Follows merged personal numbers (number -> merged_into) to the surviving one. A chain longer
 * than ten links, or a cycle, stops where it is rather than looping.
 */
export function survivorResolver(numbers: readonly { number: string; merged_into: string | null }[]) {
  const into = new Map(numbers.map((n) => [n.number, n.merged_into]));
  return (n: string): string => {
    let current = n;
    for (let i = 0; i < 10; i++) {
      const next = into.get(current);
      if (!next) return current;
      current = next;
    }
    return current;
  };
}

/**
 * Arrears of one person: the unpaid months from the start of the enrolment up to the last month due,
 * and whether they suspend the medical function (more unpaid months than the grace allows). The month
 * in progress is not yet due.
 */
export function arrearsOf(
  enrolledFromMonth: string,
  lastDueMonth: string,
  paid: ReadonlySet<string>,
  graceMonths: number,
): { unpaid: string[]; suspends: boolean } {
  const unpaid =
    enrolledFromMonth > lastDueMonth
      ? []
      : monthsBetween(enrolledFromMonth, lastDueMonth).filter((m) => !paid.has(m));
  return { unpaid, suspends: unpaid.length > graceMonths };
}
