import type { Kysely } from "kysely";
import type { CardRow, Database, PersonRow } from "../../db/schema.ts";
import { type Actor, authorize, SYSTEM_ACTOR } from "../../shared/auth.ts";
import type { Clock } from "../../shared/clock.ts";
import type { PiiCipher } from "../../shared/crypto.ts";
import { DomainError, isDomainError } from "../../shared/errors.ts";
import { maskPhoneNumber } from "../../shared/mask.ts";
import type { AreasService } from "../areas/areas.service.ts";
import type { AuditService } from "../audit/audit.service.ts";
import type { BenefitsService } from "../benefits/benefits.service.ts";
import type { CardsRepository } from "../cards/cards.repository.ts";
import type { CardsService } from "../cards/cards.service.ts";
import type { CredentialsService } from "../credentials/credentials.service.ts";
import type { EnrolmentRepository } from "../enrolment/enrolment.repository.ts";
import type { EnrolmentService } from "../enrolment/enrolment.service.ts";
import type { MedicalService } from "../medical/medical.service.ts";
import type { PersonsService } from "../persons/persons.service.ts";
import type { RegionTable } from "../regions/regions.ts";
import { promptText, STATE_WORDS } from "./ivr.prompts.ts";
import {
  type Answer,
  type Ask,
  advance,
  type CallState,
  cardToTell,
  type Line,
  type Prompt,
  preLossReference,
  type Step,
  startCall,
} from "./ivr.rules.ts";
import { PHONE_PERMISSIONS } from "./phone.permissions.ts";
import { createPhoneRepository, type PhoneRepository } from "./phone.repository.ts";

export { PHONE_PERMISSIONS };

/** The step as the switch is told it: what to play (its text and prompt keys), then what to do. */
export type NextAction = Readonly<{
  callId: string;
  action: "collect" | "transfer" | "hangup";
  lang: "zh" | "en";
  prompts: { key: string; text: string }[];
  collect?: Readonly<{ maxDigits: number; timeoutMs: number; terminator?: "#"; bargeIn: boolean }>;
  queue?: string;
}>;

/** How long one event may hold its call (a worker that died while answering frees it after this). */
const CALL_HOLD_MS = 30_000;
const yuan = (fen: number) => (fen / 100).toFixed(2);

/**
 * The 12333 service hotline and the 96102 loss-report line: a switch (Asterisk by FastAGI, FreeSWITCH
 * or a contact centre by HTTP) tells sscard what the caller did; sscard answers with what to play and
 * collect next (ivr.rules.ts), answering the flow's questions from the registers as the phone channel
 * (the switch's key: it may query and pre-loss, never unlock or reset). Each call's state and masked
 * transcript are kept; each business answer is audited on the phone channel.
 */
export function createPhoneService(deps: {
  db: Kysely<Database>;
  repo?: PhoneRepository;
  audit: AuditService;
  clock: Clock;
  persons: Pick<PersonsService, "rowByIdNumber">;
  cardsRepo: Pick<CardsRepository, "ofPerson">;
  /** Seals the call's state (an ID number keyed is in it while the call lasts). */
  cipher: PiiCipher;
  /** The card's password, counted on its lockout with the caller's number as the source. */
  credentials: Pick<CredentialsService, "verifyCard">;
  cards: Pick<CardsService, "reportTemporaryLoss">;
  enrolmentRepo: Pick<EnrolmentRepository, "enrolmentsOfPerson">;
  medical: Pick<MedicalService, "holderAccount">;
  benefits: Pick<BenefitsService, "ofHolder">;
  enrolment: Pick<EnrolmentService, "ofHolder">;
  areas: Pick<AreasService, "outlets" | "policyAt">;
  regions: RegionTable;
}) {
  const { db, audit, clock } = deps;
  const repo = deps.repo ?? createPhoneRepository();

  /** The last month paid in each coordination area, and the arrears in force. */
  async function insuranceOf(holder: Actor) {
    const [account, enrolments] = await Promise.all([
      deps.medical.holderAccount(holder),
      deps.enrolment.ofHolder(holder),
    ]);
    const last = new Map<string, string>();
    for (const c of account.contributions)
      if ((last.get(c.coordinationArea) ?? "") < c.month) last.set(c.coordinationArea, c.month);
    return {
      lastPaid: [...last].map(([area, month]) => ({
        area: deps.regions.fullName(area) ?? area,
        scheme: "医疗保险",
        month,
      })),
      arrearsFrom: enrolments.arrears.map((a) => a.fromDate),
    };
  }

  /** The last three benefits paid to the card, or why one was not and what to do (seed 001). */
  async function benefitPrompts(holder: Actor): Promise<Prompt[]> {
    const [zh, en] = await Promise.all([
      deps.benefits.ofHolder(holder, "zh"),
      deps.benefits.ofHolder(holder, "en"),
    ]);
    return zh.slice(0, 3).map((b, i) => {
      const [year, month] = b.period.split("-");
      const values = { year, month, yuan: yuan(b.amountFen), kind_zh: b.kindText, kind_en: en[i].kindText };
      if (b.state === "paid")
        return { key: "benefit_paid", values: { ...values, last4: (b.cardNumber ?? "").slice(-4) } };
      if (b.state === "failed")
        return {
          key: "benefit_failed",
          values: { ...values, remedy_zh: b.remedy ?? "", remedy_en: en[i].remedy ?? "" },
        };
      return { key: "benefit_under_way", values };
    });
  }

  const holderOf = (person: PersonRow): Actor => ({
    type: "holder",
    id: `holder:${person.id}`,
    name: person.name_masked,
    channel: "phone",
    grants: [],
    personId: person.id,
  });

  async function audited(
    actor: Actor,
    callId: string,
    action: string,
    person?: PersonRow,
    after: object = {},
  ) {
    await db.transaction().execute((trx) =>
      audit.record(trx, actor, undefined, {
        action,
        subjectType: person ? "person" : "ivr_call",
        subjectId: person?.id ?? callId,
        areaCode: person?.area_code,
        after: { callId, ...after },
      }),
    );
  }

  /** The answer to one of the flow's questions, from the registers. */
  async function answer(
    actor: Actor,
    call: { callId: string; areaCode: string; caller: string },
    ask: Ask,
  ): Promise<Answer> {
    if (ask.kind === "outlets") {
      const outlets = (await deps.areas.outlets(SYSTEM_ACTOR, call.areaCode))
        .filter((o) => o.kind === "outlet")
        .slice(0, 3);
      await audited(actor, call.callId, "phone.outlets");
      return {
        kind: "ok",
        prompts: outlets.length
          ? outlets.map((o) => ({ key: "outlet", values: { name: o.name, address: o.address ?? "" } }))
          : [{ key: "no_outlets" }],
      };
    }
    if (ask.kind === "initial_password") {
      const rule = (await deps.areas.policyAt(null, call.areaCode)).policy.initialPassword;
      await audited(actor, call.callId, "phone.initial_password");
      return {
        kind: "ok",
        prompts: [
          rule.rule === "fixed"
            ? { key: "initial_password_fixed", digits: rule.value }
            : { key: "initial_password_last6" },
        ],
      };
    }
    const person = await deps.persons.rowByIdNumber(db, ask.idNumber).catch(() => undefined);
    const cards = person ? await deps.cardsRepo.ofPerson(db, person.id) : [];
    const card = cardToTell(cards);
    if (!person || !card) {
      await audited(actor, call.callId, "phone.not_found");
      return { kind: "refused", prompts: [{ key: "not_found" }] };
    }
    // The lines serve their own area's people (another province's 12333 serves its own).
    authorize(actor, PHONE_PERMISSIONS.ivr, person.area_code);
    const last4 = card.card_number.slice(-4);
    if (ask.kind === "card_status") {
      await audited(actor, call.callId, "phone.card_status", person, { state: card.state });
      return {
        kind: "ok",
        prompts: [{ key: "card_state", values: { last4, state: STATE_WORDS[card.state].zh } }],
      };
    }
    if (ask.kind === "medical_number") {
      const numbers = (await deps.enrolmentRepo.enrolmentsOfPerson(db, person.id)).filter(
        (n) => n.scheme.endsWith("medical") && n.status !== "terminated",
      );
      await audited(actor, call.callId, "phone.medical_number", person);
      return numbers.length
        ? { kind: "ok", prompts: [{ key: "medical_number", digits: numbers[0].personal_number }] }
        : { kind: "refused", prompts: [{ key: "no_medical_number" }] };
    }
    // The rest needs the card's password, counted like every channel's.
    try {
      await deps.credentials.verifyCard(actor, card, { pin: ask.pin, purpose: "query" }, call.caller);
    } catch (err) {
      if (isDomainError(err, "PASSWORD_WRONG"))
        return { kind: "wrong_password", attemptsLeft: Number(err.details?.attemptsLeft ?? 0) };
      if (isDomainError(err, "PASSWORD_LOCKED") || isDomainError(err, "TOO_MANY_ATTEMPTS"))
        return { kind: "wrong_password", attemptsLeft: 0 };
      if (isDomainError(err))
        return {
          kind: "refused",
          prompts: [{ key: "pre_loss_impossible", values: { state: STATE_WORDS[card.state].zh } }],
        };
      throw err;
    }
    if (ask.kind === "pre_loss") return preLoss(actor, call, person, card, last4);
    const holder = holderOf(person);
    if (ask.kind === "account") {
      const account = await deps.medical.holderAccount(holder);
      await audited(actor, call.callId, "phone.account", person);
      const last = account.settlements.slice(0, 3);
      return {
        kind: "ok",
        prompts: [
          { key: "account_balance", values: { yuan: yuan(account.balanceFen) } },
          ...(last.length
            ? last.map((s) => ({
                key: "last_settlement",
                values: { date: s.day, place: s.institution, yuan: yuan(s.totalFen) },
              }))
            : [{ key: "no_settlements" }]),
        ],
      };
    }
    const insurance = await insuranceOf(holder);
    await audited(actor, call.callId, "phone.insurance", person);
    const prompts: Prompt[] = insurance.lastPaid.length
      ? insurance.lastPaid.map((p) => ({ key: "insurance_paid", values: p }))
      : [{ key: "insurance_none" }];
    prompts.push(
      ...(insurance.arrearsFrom.length
        ? insurance.arrearsFrom.map((from) => ({ key: "arrears", values: { from } }))
        : [{ key: "no_arrears" }]),
      ...(await benefitPrompts(holder)),
    );
    return { kind: "ok", prompts };
  }

  /** 96102: the pre-loss (in force with its blacklist entry in one transaction, the cards module's), its reference. */
  async function preLoss(
    actor: Actor,
    call: { callId: string },
    person: PersonRow,
    card: CardRow,
    last4: string,
  ): Promise<Answer> {
    if (card.state === "temporarily_lost") return { kind: "refused", prompts: [{ key: "pre_loss_already" }] };
    try {
      const lost = await deps.cards.reportTemporaryLoss(actor, card.card_number, PHONE_PERMISSIONS.ivr);
      const reference = preLossReference(card.id, lost.updatedAt);
      await audited(actor, call.callId, "phone.pre_loss", person, { reference, cardNumberLast4: last4 });
      return { kind: "ok", prompts: [{ key: "pre_loss_done", values: { last4 }, digits: reference }] };
    } catch (err) {
      if (isDomainError(err, "CARD_ACTION_NOT_ALLOWED") || isDomainError(err, "CONCURRENT_MODIFICATION"))
        return {
          kind: "refused",
          prompts: [{ key: "pre_loss_impossible", values: { state: STATE_WORDS[card.state].zh } }],
        };
      throw err;
    }
  }

  const view = (callId: string, state: CallState, step: Step): NextAction => ({
    callId,
    action: step.kind === "ask" ? "collect" : step.kind,
    lang: state.lang,
    prompts: step.prompts.map((p) => ({ key: p.key, text: promptText(p, state.lang) })),
    ...(step.kind === "collect" ? { collect: step.collect } : {}),
    ...(step.kind === "transfer" ? { queue: step.queue } : {}),
  });

  /** Runs the flow until it needs the caller (or ends), answering its questions; prompts accumulate. */
  async function settle(
    actor: Actor,
    call: { callId: string; areaCode: string; caller: string },
    first: { state: CallState; step: Step },
  ) {
    let { state, step } = first;
    const said: Prompt[] = [...step.prompts];
    while (step.kind === "ask") {
      ({ state, step } = advance(state, { kind: "answer", answer: await answer(actor, call, step.ask) }));
      said.push(...step.prompts);
    }
    return { state, step: { ...step, prompts: said } as Step };
  }

  /** A call of the caller's area (a line's keys share its calls; another area's is not found). */
  async function callOf(actor: Actor, callId: string) {
    authorize(actor, PHONE_PERMISSIONS.ivr);
    const row = await repo.call(db, callId);
    if (!row) throw new DomainError("IVR_CALL_NOT_FOUND");
    try {
      authorize(actor, PHONE_PERMISSIONS.ivr, row.area_code);
    } catch {
      throw new DomainError("IVR_CALL_NOT_FOUND");
    }
    return row;
  }

  /**
   * A call's state as stored: sealed with the PII key (an ID number keyed is in it until the call
   * ends), and at the end only where it ended; the transcript is masked already.
   */
  const store = (state: CallState) => {
    const { transcript, ...rest } = state;
    return { state: deps.cipher.encrypt(JSON.stringify(rest)), transcript: JSON.stringify(transcript) };
  };
  const load = (row: Database["ivr_calls"]): CallState => ({
    ...JSON.parse(deps.cipher.decrypt(row.state)),
    transcript: JSON.parse(row.transcript),
  });
  /** The end of a call: nothing of what was keyed is kept but the masked transcript. */
  const ended = (state: CallState): CallState => ({ ...state, node: { at: "ended" } });

  return {
    /** A call arrives on a line: its first step (the same again if the switch asks twice). */
    async start(actor: Actor, input: { callId: string; line: Line; caller: string }): Promise<NextAction> {
      const grant = authorize(actor, PHONE_PERMISSIONS.ivr);
      const existing = await repo.call(db, input.callId);
      if (existing) return this.current(await callOf(actor, input.callId));
      const first = startCall(input.line);
      const now = clock.now().toISOString();
      await repo
        .insert(db, {
          call_id: input.callId,
          line: input.line,
          caller_masked: maskPhoneNumber(input.caller),
          key_id: actor.id,
          area_code: grant.areaCode,
          ...store(first.state),
          version: 0,
          held_until: null,
          started_at: now,
          updated_at: now,
          ended_at: null,
        })
        .catch(() => {
          throw new DomainError("CONCURRENT_MODIFICATION");
        });
      return view(input.callId, first.state, first.step);
    },

    /** What the caller did (digits, silence, hang-up): the next step. */
    async event(
      actor: Actor,
      callId: string,
      input: { event: "digits" | "timeout" | "hangup"; digits?: string; caller?: string },
    ): Promise<NextAction> {
      const row = await callOf(actor, callId);
      const state = load(row);
      if (row.ended_at || input.event === "hangup") {
        if (!row.ended_at)
          await repo.update(db, callId, row.version, {
            ...store(ended(state)),
            ended_at: clock.now().toISOString(),
            updated_at: clock.now().toISOString(),
          });
        return view(callId, state, { kind: "hangup", prompts: [] });
      }
      if (input.event === "digits" && !/^[0-9*#]{1,24}$/.test(input.digits ?? ""))
        throw new DomainError("VALIDATION_FAILED", { summary: "digits: 1 to 24 of 0-9, * and #" });
      const digits = (input.digits ?? "").replace(/#$/, "");
      // The call is held before anything is done for the caller (a password checked, a card pre-lost):
      // a second event at once is refused here, not after its password attempt was counted.
      const now = clock.now().toISOString();
      const until = new Date(clock.now().getTime() + CALL_HOLD_MS).toISOString();
      if (!(await repo.hold(db, callId, row.version, now, until)))
        throw new DomainError("CONCURRENT_MODIFICATION");
      const held = row.version + 1;
      const next = await settle(
        actor,
        { callId, areaCode: row.area_code, caller: row.caller_masked },
        advance(state, input.event === "timeout" ? { kind: "timeout" } : { kind: "digits", digits }),
      ).catch(async (e: unknown) => {
        await repo.update(db, callId, held, { held_until: null });
        throw e;
      });
      const over = next.step.kind === "hangup" || next.step.kind === "transfer";
      if (
        !(await repo.update(db, callId, held, {
          ...store(over ? ended(next.state) : next.state),
          updated_at: now,
          ended_at: over ? now : null,
          held_until: null,
        }))
      )
        throw new DomainError("CONCURRENT_MODIFICATION");
      return view(callId, next.state, next.step);
    },

    /** The call's transcript (digits masked), for the agent who takes it over and for audits. */
    async transcript(actor: Actor, callId: string) {
      const row = await callOf(actor, callId);
      return {
        callId,
        line: row.line,
        caller: row.caller_masked,
        startedAt: row.started_at,
        endedAt: row.ended_at,
        transcript: JSON.parse(row.transcript) as { by: "ivr" | "caller"; text: string }[],
      };
    },

    current(row: Database["ivr_calls"]): NextAction {
      const state = load(row);
      return view(row.call_id, state, startCall(state.line).step);
    },
  };
}

export type PhoneService = ReturnType<typeof createPhoneService>;
