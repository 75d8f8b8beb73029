import { ADMINS, type Channel, ROLES, type Role } from "./auth.ts";

export { rolesOn } from "./auth.ts";

/**
 * Who may take an action, channel by channel: the roles a principal on that channel must hold. A
 * channel not named may not take the action at all, whatever the role.
 *
 * The channels (the principal is the channel, its role only places it in an area):
 * - `counter`: a member of staff signed in at a workstation (an outlet's counter, a bank branch, a
 *   hospital's window, an administrator's office). Only a staff session is on this channel; an API
 *   key never is. What the seeds reserve for the service institution (unlock, reset, formal loss
 *   and replacement, cancellation, hand-over) is on this channel only.
 * - `terminal`: an institution's own system with an API key (a hospital's or pharmacy's terminal,
 *   a bank's system, a card bureau's production line, an employer's payroll system).
 * - `kiosk`: a self-service terminal (in outlets and designated medical institutions).
 * - `phone`: the 12333 service hotline and the 96102 loss-report line.
 * - `web`: an online service platform calling in (the online hall's own holders sign in as holders).
 * - `system`: the CLI and the scheduled jobs; they act as the counter does.
 */
export type Permission = Readonly<{
  action: string;
  summary: string;
  channels: Readonly<Partial<Record<Channel, readonly Role[]>>>;
}>;

/** The channels a matrix cell can name (the e-card's channel apps have routes of their own). */
export const MATRIX_CHANNELS = [
  "counter",
  "terminal",
  "kiosk",
  "phone",
  "web",
] as const satisfies readonly Channel[];

const SETTLING = ["medical_operator", "pharmacy_operator"] as const satisfies readonly Role[];
/** Who reads cards in a reader or relays them: institutions, outlets, banks, administrators. */
const CARD_READERS = [
  "medical_operator",
  "pharmacy_operator",
  "outlet_clerk",
  "bank_clerk",
  ...ADMINS,
] as const satisfies readonly Role[];
/** A self-service terminal, the hotline, an online platform: keys of an outlet's area. */
const SELF_SERVICE = ["outlet_clerk"] as const satisfies readonly Role[];

/** An action on the counter only. */
const counterOnly = (roles: readonly Role[]) => ({ counter: roles });
/** An action at the counter and from an institution's system, with the same roles. */
const counterAndSystems = (roles: readonly Role[]) => ({ counter: roles, terminal: roles });

/**
 * The matrix of action × channel × role, in one place: every route declares one of these, every
 * service authorises with the same entry, and docs/permissions.md is generated from it.
 */
const MATRIX = {
  areas: {
    read: {
      summary: "areas, their outlets, policies and work calendars",
      channels: { ...counterAndSystems(ROLES), kiosk: SELF_SERVICE, phone: SELF_SERVICE, web: SELF_SERVICE },
    },
    // Issuer identification numbers are the ministry's to allocate (Measures Art. 6-7): until the
    // application and approval workflow exists, only the ministry registers a card-issuing area.
    create: { summary: "register a card-issuing area", channels: counterOnly(["ministry_admin"]) },
    writePolicy: { summary: "publish a regional policy version", channels: counterOnly(ADMINS) },
    createOutlet: { summary: "register a service outlet or bank branch", channels: counterOnly(ADMINS) },
  },
  audit: {
    read: { summary: "read the audit log", channels: counterOnly(["auditor", ...ADMINS]) },
    verify: {
      summary: "verify the audit chain",
      channels: counterOnly(["auditor", "ministry_admin", "province_admin"]),
    },
  },
  cards: {
    lifecycle: { summary: "the card lifecycle's states and transitions", channels: counterAndSystems(ROLES) },
    read: {
      summary: "a card's status and history, the card search, the blacklist",
      channels: {
        ...counterAndSystems([
          "outlet_clerk",
          "bank_clerk",
          "medical_operator",
          "pharmacy_operator",
          "auditor",
          ...ADMINS,
        ]),
        kiosk: SELF_SERVICE,
        phone: SELF_SERVICE,
        web: SELF_SERVICE,
      },
    },
    apply: {
      summary: "card applications, one or a batch",
      channels: counterAndSystems(["outlet_clerk", ...ADMINS]),
    },
    produce: { summary: "production batches and their returns", channels: counterAndSystems(ADMINS) },
    counter: {
      summary:
        "the outlet's card business: hand-over, activation, revoking a pre-loss, formal loss and replacement, renewal, cancellation, duplicates",
      channels: counterOnly(["outlet_clerk", ...ADMINS]),
    },
    reportLoss: {
      summary: "pre-loss (temporary loss): the 96102 line, the counter, a self-service terminal",
      channels: { counter: ["outlet_clerk", ...ADMINS], kiosk: SELF_SERVICE, phone: SELF_SERVICE },
    },
    bank: {
      summary: "the financial function and the bank's tasks (the card's partner bank)",
      channels: counterAndSystems(["bank_clerk"]),
    },
    calendar: { summary: "an area's working-day calendar", channels: counterOnly(ADMINS) },
  },
  chip: {
    personalise: { summary: "personalise chips", channels: counterAndSystems(ADMINS) },
    certificate: {
      summary: "a card's certificate and the issuer's public keys",
      channels: {
        ...counterAndSystems(CARD_READERS),
        kiosk: SELF_SERVICE,
      },
    },
    readerUse: {
      summary: "read a card in a reader: authenticate it, read its data, verify or change its PIN",
      channels: {
        ...counterAndSystems(CARD_READERS),
        kiosk: SELF_SERVICE,
      },
    },
    readerUnblockPin: {
      summary: "unblock a chip's PIN in a reader with an issuer script (an unlock: at the counter only)",
      channels: counterOnly(["outlet_clerk", "bank_clerk", ...ADMINS]),
    },
    readerDebit: {
      summary: "debit a chip's purse in a reader",
      channels: counterAndSystems(["medical_operator", "pharmacy_operator", ...ADMINS]),
    },
    terminals: { summary: "register terminals and issue their PSAMs", channels: counterOnly(ADMINS) },
    issuerScripts: {
      summary: "issuer scripts written to a card (data updates, application unblock)",
      channels: counterOnly(["outlet_clerk", "bank_clerk", ...ADMINS]),
    },
    remoteAuth: {
      summary: "authenticate a card remotely (the terminal relays the chip's answers)",
      channels: {
        ...counterAndSystems(CARD_READERS),
        kiosk: SELF_SERVICE,
      },
    },
    verifyTac: {
      summary: "check a purse purchase's TAC",
      channels: counterAndSystems([...SETTLING, ...ADMINS]),
    },
  },
  credentials: {
    verify: {
      summary: "verify the card's password",
      channels: {
        ...counterAndSystems(["outlet_clerk", ...SETTLING, ...ADMINS]),
        kiosk: SELF_SERVICE,
        phone: SELF_SERVICE,
      },
    },
    change: {
      summary:
        "change the card's password with the current one (outlets, self-service, a pharmacy's PIN pad)",
      channels: { counter: ["outlet_clerk", ...SETTLING], terminal: SETTLING, kiosk: SELF_SERVICE },
    },
    unlockOrReset: {
      summary: "unlock a locked password, reset a forgotten one: at the service outlet only",
      channels: counterOnly(["outlet_clerk"]),
    },
    read: {
      summary: "a card's password status and attempts",
      channels: counterOnly(["outlet_clerk", "auditor", ...ADMINS]),
    },
  },
  ecard: {
    channels: { summary: "register and suspend e-card channels", channels: counterOnly(ADMINS) },
    photos: { summary: "a person's identity photo", channels: counterOnly(["outlet_clerk", ...ADMINS]) },
    terminal: {
      summary: "verify an e-card's code at a terminal",
      channels: {
        ...counterAndSystems(["medical_operator", "pharmacy_operator", "outlet_clerk", ...ADMINS]),
        kiosk: SELF_SERVICE,
      },
    },
  },
  employers: {
    register: { summary: "register an employer", channels: counterOnly(["outlet_clerk", ...ADMINS]) },
    read: {
      summary: "an employer and its employees",
      channels: counterAndSystems(["outlet_clerk", "auditor", ...ADMINS, "employer_operator"]),
    },
    employees: {
      summary: "register employees (the employer's own operators, and clerks on its behalf)",
      channels: counterAndSystems(["outlet_clerk", ...ADMINS, "employer_operator"]),
    },
    report: {
      summary: "the employers' report",
      channels: counterOnly(["outlet_clerk", "auditor", ...ADMINS]),
    },
  },
  enrolment: {
    manage: {
      summary: "enrol, transfer and stop insurance",
      channels: counterOnly(["outlet_clerk", ...ADMINS]),
    },
    read: {
      summary: "a person's enrolments",
      channels: {
        ...counterAndSystems(["outlet_clerk", "auditor", ...ADMINS]),
        kiosk: SELF_SERVICE,
        phone: SELF_SERVICE,
      },
    },
    arrearsRun: {
      summary: "the arrears run: suspend the medical function beyond the grace of unpaid months",
      channels: counterOnly(ADMINS),
    },
    check: {
      summary: "check that a card's holder is insured (at treatment)",
      channels: counterAndSystems(["medical_operator", "pharmacy_operator", "outlet_clerk", ...ADMINS]),
    },
  },
  jobs: {
    // The periodic jobs act on every area: the ministry runs them, auditors and the ministry watch them.
    read: {
      summary: "the periodic jobs, their schedules and runs",
      channels: counterOnly(["auditor", "ministry_admin"]),
    },
    run: {
      summary: "run a periodic job now for its current period",
      channels: counterOnly(["ministry_admin"]),
    },
  },
  medical: {
    institutions: { summary: "designated institutions", channels: counterOnly(ADMINS) },
    read: {
      summary: "institutions, the catalogue, accounts",
      channels: counterAndSystems([...ADMINS, "auditor", ...SETTLING]),
    },
    catalogue: {
      summary: "publish the drug and service catalogue",
      channels: counterOnly(["ministry_admin", "province_admin"]),
    },
    settle: {
      summary: "settle and refund at a designated institution",
      channels: counterAndSystems(SETTLING),
    },
    contributions: {
      summary: "record contributions",
      channels: counterAndSystems(["outlet_clerk", ...ADMINS, "employer_operator"]),
    },
    transfer: { summary: "the monthly account transfer", channels: counterOnly(ADMINS) },
    reconcile: {
      summary: "daily reconciliation",
      channels: counterAndSystems([...SETTLING, "auditor", ...ADMINS]),
    },
  },
  persons: {
    register: { summary: "register a person", channels: counterOnly(["outlet_clerk", ...ADMINS]) },
    read: {
      summary: "find and read a person (masked)",
      channels: counterAndSystems(["outlet_clerk", "bank_clerk", ...SETTLING, ...ADMINS]),
    },
    update: { summary: "change a person's data", channels: counterOnly(["outlet_clerk", ...ADMINS]) },
    revealIdNumber: {
      summary: "show a person's ID number in clear",
      channels: counterOnly(["outlet_clerk", ...ADMINS]),
    },
  },
  staff: {
    manage: { summary: "staff accounts and API keys", channels: counterOnly(ADMINS) },
    self: {
      summary: "who am I, sign out",
      channels: { counter: ROLES, terminal: ROLES, kiosk: ROLES, phone: ROLES, web: ROLES },
    },
    ownPassword: { summary: "change my own password (a staff session's)", channels: counterOnly(ROLES) },
  },
} as const satisfies Record<
  string,
  Record<
    string,
    { summary: string; channels: Partial<Record<(typeof MATRIX_CHANNELS)[number], readonly Role[]>> }
  >
>;

type Matrix = typeof MATRIX;

/** Every permission, by module and name, each carrying its action name (`cards.counter`). */
export const PERMISSIONS = Object.fromEntries(
  Object.entries(MATRIX).map(([module, entries]) => [
    module,
    Object.fromEntries(
      Object.entries(entries).map(([name, entry]) => [name, { action: `${module}.${name}`, ...entry }]),
    ),
  ]),
) as { [M in keyof Matrix]: { [N in keyof Matrix[M]]: Permission } };

/** Every permission in the matrix, in order. */
export const ALL_PERMISSIONS: readonly Permission[] = Object.values(PERMISSIONS).flatMap((m) =>
  Object.values(m as Record<string, Permission>),
);
