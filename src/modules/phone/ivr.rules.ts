import { createHash } from "node:crypto";
import { maskIdNumber } from "../../shared/mask.ts";

/**
 * The 12333 and 96102 call flows as a pure state machine, telephony-agnostic: an event from the switch
 * (the call starts, the caller keyed digits, nothing was keyed in time, the business answered) gives
 * the next state and the next step — prompts to play (a key interrupts them: barge-in) and digits to
 * collect, a business question for sscard, a transfer to the agents' queue, or the end of the call.
 * No I/O and no clock: the service asks the business and stores the state.
 */

export type Line = "12333" | "96102";
export type Lang = "zh" | "en";

/** A prompt by its key (ivr.prompts.ts) with its values; `digits` values are read digit by digit. */
export type Prompt = Readonly<{ key: string; values?: Readonly<Record<string, string>>; digits?: string }>;

/** What sscard must answer before the flow goes on. */
export type Ask =
  | { kind: "card_status"; idNumber: string }
  | { kind: "medical_number"; idNumber: string }
  | { kind: "insurance"; idNumber: string; pin: string }
  | { kind: "account"; idNumber: string; pin: string }
  | { kind: "outlets" }
  | { kind: "initial_password" }
  | { kind: "pre_loss"; idNumber: string; pin: string };

/** The business's answer: prompts to play, or why it refused (a wrong password counts). */
export type Answer =
  | { kind: "ok"; prompts: Prompt[] }
  | { kind: "wrong_password"; attemptsLeft: number }
  | { kind: "refused"; prompts: Prompt[] };

export type Collect = Readonly<{ maxDigits: number; timeoutMs: number; terminator?: "#"; bargeIn: boolean }>;

export type Step =
  | { kind: "collect"; prompts: Prompt[]; collect: Collect }
  | { kind: "ask"; prompts: Prompt[]; ask: Ask }
  | { kind: "transfer"; prompts: Prompt[]; queue: string }
  | { kind: "hangup"; prompts: Prompt[] };

export type Event =
  | { kind: "start"; line: Line }
  | { kind: "digits"; digits: string }
  | { kind: "timeout" }
  | { kind: "answer"; answer: Answer };

type Service = "status" | "medical_number" | "account" | "insurance" | "pre_loss";

/** Where the call is: a menu, or an entry for a service. */
export type Node =
  | { at: "menu" }
  | { at: "id"; service: Service }
  | { at: "confirm"; service: Service; idNumber: string }
  | { at: "pin"; service: Service; idNumber: string }
  | { at: "waiting"; service: Service | "outlets" | "initial_password"; idNumber?: string }
  | { at: "after" }
  | { at: "ended" };

/** One line of the call's transcript: who said or keyed what (digits masked). */
export type TranscriptLine = Readonly<{ by: "ivr" | "caller"; text: string }>;

export type CallState = Readonly<{
  line: Line;
  lang: Lang;
  node: Node;
  /** Invalid entries or silences in a row at this node. */
  retries: number;
  /** Wrong passwords in this call (at most MAX_PIN_TRIES_PER_CALL, whatever the card's lockout allows). */
  pinTries: number;
  transcript: readonly TranscriptLine[];
}>;

export const MAX_RETRIES = 3;
export const MAX_PIN_TRIES_PER_CALL = 3;
const MENU_TIMEOUT = 8_000;
const ENTRY_TIMEOUT = 15_000;
export const AGENTS = "12333-agents";

/** The menus' keys: what each digit does on each line. */
const MENU_12333: Readonly<Record<string, Service | "outlets" | "initial_password">> = {
  "1": "status",
  "2": "medical_number",
  "3": "account",
  "4": "insurance",
  "5": "outlets",
  "6": "initial_password",
};
/** What is told only after the card's password: the account, the contributions, and the pre-loss. */
const NEEDS_PIN: readonly Service[] = ["account", "insurance", "pre_loss"];

/** An ID number as keyed: `*` stands for the X; 18 characters with a valid shape. */
export function idFromKeys(keys: string): string | undefined {
  const id = keys.replaceAll("*", "X");
  return /^\d{17}[\dX]$/.test(id) ? id : undefined;
}

/** Digits masked for the transcript: an ID number keeps its first 3 and last 4, a password nothing. */
export function masked(keys: string, what: "id" | "pin" | "menu"): string {
  if (what === "pin") return "*".repeat(keys.length);
  if (what === "id") return maskIdNumber(keys);
  return keys;
}

const say = (key: string, extra: Omit<Prompt, "key"> = {}): Prompt => ({ key, ...extra });
const menuCollect: Collect = { maxDigits: 1, timeoutMs: MENU_TIMEOUT, bargeIn: true };
const idCollect: Collect = { maxDigits: 18, timeoutMs: ENTRY_TIMEOUT, terminator: "#", bargeIn: true };
const pinCollect: Collect = { maxDigits: 6, timeoutMs: ENTRY_TIMEOUT, terminator: "#", bargeIn: true };

function menuStep(line: Line, before: Prompt[] = []): Step {
  return line === "12333"
    ? { kind: "collect", prompts: [...before, say("menu_12333")], collect: menuCollect }
    : { kind: "collect", prompts: [...before, say("menu_96102")], collect: menuCollect };
}

function entryFor(): Step {
  return { kind: "collect", prompts: [say("enter_id")], collect: idCollect };
}

/** The state's transcript with what the IVR says next. */
function heard(state: CallState, step: Step): CallState {
  const lines = step.prompts.map((p) => ({
    by: "ivr" as const,
    text: p.key + (p.digits ? `:${masked(p.digits, "id")}` : ""),
  }));
  return { ...state, transcript: [...state.transcript, ...lines] };
}

const at = (state: CallState, node: Node, extra: Partial<CallState> = {}): CallState => ({
  ...state,
  node,
  retries: 0,
  ...extra,
});

/** A silence or an invalid entry: the same question again, or after three the call goes to an agent. */
function retry(state: CallState, again: Step, why: "invalid" | "silence"): { state: CallState; step: Step } {
  if (state.retries + 1 >= MAX_RETRIES) {
    const step: Step = { kind: "transfer", prompts: [say("to_agent")], queue: AGENTS };
    return { state: heard({ ...state, node: { at: "ended" } }, step), step };
  }
  const step: Step = {
    ...again,
    prompts: [say(why === "invalid" ? "invalid_entry" : "no_entry"), ...again.prompts],
  } as Step;
  return { state: heard({ ...state, retries: state.retries + 1 }, step), step };
}

function go(state: CallState, step: Step): { state: CallState; step: Step } {
  return { state: heard(state, step), step };
}

/** The step that asks again at the state's node (after a silence or an invalid entry). */
function again(state: CallState): Step {
  const n = state.node;
  if (n.at === "menu" || n.at === "after") return menuStep(state.line);
  if (n.at === "id") return entryFor();
  if (n.at === "confirm") return confirmStep(n.idNumber);
  if (n.at === "pin") return { kind: "collect", prompts: [say("enter_pin")], collect: pinCollect };
  return { kind: "hangup", prompts: [say("goodbye")] };
}

const confirmStep = (idNumber: string): Step => ({
  kind: "collect",
  prompts: [say("confirm_id", { digits: idNumber })],
  collect: menuCollect,
});

/** The first step of a call. */
export function startCall(line: Line): { state: CallState; step: Step } {
  const state: CallState = {
    line,
    lang: "zh",
    node: { at: "menu" },
    retries: 0,
    pinTries: 0,
    transcript: [],
  };
  return go(state, menuStep(line, [say(line === "12333" ? "welcome_12333" : "welcome_96102")]));
}

/** The next state and step for an event. */
export function advance(state: CallState, event: Event): { state: CallState; step: Step } {
  const n = state.node;
  if (n.at === "ended") return { state, step: { kind: "hangup", prompts: [] } };
  if (event.kind === "timeout") return retry(state, again(state), "silence");
  if (event.kind === "answer") return answered(state, event.answer);
  if (event.kind === "start") return startCall(event.line);

  const keys = event.digits;
  const what = n.at === "pin" ? "pin" : n.at === "id" ? "id" : "menu";
  const withKeys: CallState = {
    ...state,
    transcript: [...state.transcript, { by: "caller", text: masked(keys, what) }],
  };
  // "0" alone reaches an agent at any point (no ID number or password is a lone 0).
  if (keys === "0") {
    const step: Step = { kind: "transfer", prompts: [say("to_agent")], queue: AGENTS };
    return go(at(withKeys, { at: "ended" }), step);
  }
  if (keys === "9" && what === "menu" && state.lang === "zh") {
    const english = at(withKeys, { at: "menu" }, { lang: "en" });
    return go(english, menuStep(state.line));
  }
  if (n.at === "menu" || n.at === "after") {
    if (state.line === "96102") {
      if (keys === "1") return go(at(withKeys, { at: "id", service: "pre_loss" }), entryFor());
      return retry(withKeys, menuStep(state.line), "invalid");
    }
    const choice = MENU_12333[keys];
    if (!choice) return retry(withKeys, menuStep(state.line), "invalid");
    if (choice === "outlets" || choice === "initial_password") {
      const step: Step = { kind: "ask", prompts: [], ask: { kind: choice } };
      return go(at(withKeys, { at: "waiting", service: choice }), step);
    }
    return go(at(withKeys, { at: "id", service: choice }), entryFor());
  }
  if (n.at === "id") {
    const idNumber = idFromKeys(keys);
    if (!idNumber) return retry(withKeys, entryFor(), "invalid");
    return go(at(withKeys, { at: "confirm", service: n.service, idNumber }), confirmStep(idNumber));
  }
  if (n.at === "confirm") {
    if (keys === "2") return go(at(withKeys, { at: "id", service: n.service }), entryFor());
    if (keys !== "1") return retry(withKeys, confirmStep(n.idNumber), "invalid");
    if (NEEDS_PIN.includes(n.service)) {
      const step: Step = { kind: "collect", prompts: [say("enter_pin")], collect: pinCollect };
      return go(at(withKeys, { at: "pin", service: n.service, idNumber: n.idNumber }), step);
    }
    return go(at(withKeys, { at: "waiting", service: n.service, idNumber: n.idNumber }), {
      kind: "ask",
      prompts: [],
      ask: askFor(n.service, n.idNumber, ""),
    });
  }
  if (n.at === "pin") {
    if (!/^\d{6}$/.test(keys)) return retry(withKeys, again(withKeys), "invalid");
    return go(at(withKeys, { at: "waiting", service: n.service, idNumber: n.idNumber }), {
      kind: "ask",
      prompts: [],
      ask: askFor(n.service, n.idNumber, keys),
    });
  }
  // Digits while sscard is answering: ignored.
  return { state: withKeys, step: { kind: "collect", prompts: [], collect: menuCollect } };
}

function askFor(service: Service, idNumber: string, pin: string): Ask {
  if (service === "account") return { kind: "account", idNumber, pin };
  if (service === "pre_loss") return { kind: "pre_loss", idNumber, pin };
  if (service === "status") return { kind: "card_status", idNumber };
  if (service === "medical_number") return { kind: "medical_number", idNumber };
  return { kind: "insurance", idNumber, pin };
}

/** What the business answered, said to the caller; then the menu again (12333) or goodbye (96102). */
function answered(state: CallState, answer: Answer): { state: CallState; step: Step } {
  const n = state.node;
  if (n.at !== "waiting") return { state, step: again(state) };
  if (answer.kind === "wrong_password") {
    const tries = state.pinTries + 1;
    if (tries >= MAX_PIN_TRIES_PER_CALL || answer.attemptsLeft <= 0) {
      const step: Step = {
        kind: "hangup",
        prompts: [say(answer.attemptsLeft <= 0 ? "password_locked" : "password_tries_used"), say("goodbye")],
      };
      return go(at(state, { at: "ended" }, { pinTries: tries }), step);
    }
    const step: Step = {
      kind: "collect",
      prompts: [say("password_wrong", { values: { left: String(answer.attemptsLeft) } }), say("enter_pin")],
      collect: pinCollect,
    };
    const service = n.service as Service;
    return go(at(state, { at: "pin", service, idNumber: n.idNumber ?? "" }, { pinTries: tries }), step);
  }
  if (state.line === "96102") {
    const step: Step = { kind: "hangup", prompts: [...answer.prompts, say("goodbye")] };
    return go(at(state, { at: "ended" }), step);
  }
  return go(at(state, { at: "after" }), menuStep(state.line, [...answer.prompts, say("back_to_menu")]));
}

/** The card a caller hears about: the person's newest card not cancelled (a cancelled one only if there is no other). */
export function cardToTell<C extends { state: string; created_at: string }>(
  cards: readonly C[],
): C | undefined {
  return (
    [...cards].sort((a, b) => (a.created_at < b.created_at ? 1 : -1)).find((c) => c.state !== "cancelled") ??
    cards[0]
  );
}

/** The 10-digit reference read back for a pre-loss: from the card and the moment it was lost, so the same loss gives the same reference. */
export function preLossReference(cardId: string, lostAt: string): string {
  const hash = createHash("sha256").update(`${cardId}|${lostAt}`).digest("hex").slice(0, 12);
  return BigInt(`0x${hash}`).toString().padStart(10, "0").slice(-10);
}
