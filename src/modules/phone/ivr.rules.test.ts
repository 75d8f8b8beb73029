import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { promptText, spelled } from "./ivr.prompts.ts";
import {
  AGENTS,
  advance,
  type CallState,
  cardToTell,
  type Event,
  idFromKeys,
  MAX_PIN_TRIES_PER_CALL,
  masked,
  preLossReference,
  type Step,
  startCall,
} from "./ivr.rules.ts";

/** Plays a call: each event in turn, the steps the switch was told. */
function play(line: "12333" | "96102", events: Event[]) {
  let { state, step } = startCall(line);
  const steps: Step[] = [step];
  for (const e of events) {
    ({ state, step } = advance(state, e));
    steps.push(step);
  }
  return { state, steps, last: steps[steps.length - 1] };
}
const keys = (digits: string): Event => ({ kind: "digits", digits });
const keysOf = (step: Step) => step.prompts.map((p) => p.key);
const ID = "330106199003071990";
const ID_X = "33010619900307123X";

describe("the IVR's call flows", () => {
  it("12333: the menu, an ID number keyed (* for X) and read back digit by digit, the question for sscard, its answer, the menu again", () => {
    const { state, steps } = play("12333", [keys("1"), keys("33010619900307123*"), keys("1")]);
    assert.deepEqual(keysOf(steps[0]), ["welcome_12333", "menu_12333"]);
    assert.equal(steps[0].kind === "collect" && steps[0].collect.bargeIn, true, "a key interrupts the menu");
    assert.deepEqual(keysOf(steps[1]), ["enter_id"]);
    assert.deepEqual(steps[2].prompts[0], { key: "confirm_id", digits: ID_X });
    assert.deepEqual(steps[3], { kind: "ask", prompts: [], ask: { kind: "card_status", idNumber: ID_X } });
    const answered = advance(state, {
      kind: "answer",
      answer: { kind: "ok", prompts: [{ key: "card_state", values: { last4: "1234", state: "x" } }] },
    });
    assert.deepEqual(keysOf(answered.step), ["card_state", "back_to_menu", "menu_12333"]);
    assert.equal(answered.state.node.at, "after");
  });

  it("reads back an ID number with repeated digits whole, and says the digits one by one", () => {
    const { steps } = play("12333", [keys("2"), keys(ID)]);
    assert.equal(steps[2].prompts[0].digits, ID);
    assert.equal(
      promptText(steps[2].prompts[0], "zh"),
      "您输入的身份证号码是：三 三 零 幺 零 六 幺 九 九 零 零 三 零 七 幺 九 九 零。确认请按1，重新输入请按2。",
    );
    assert.equal(spelled("12X", "en"), "one, two, X");
  });

  it("a wrong ID number or silence asks again; the third time the caller goes to an agent", () => {
    const bad = play("12333", [keys("1"), keys("12345"), keys("12345678901234567")]);
    assert.deepEqual(keysOf(bad.steps[2]), ["invalid_entry", "enter_id"]);
    assert.equal(bad.state.retries, 2);
    const silent = play("12333", [{ kind: "timeout" }, { kind: "timeout" }, { kind: "timeout" }]);
    assert.deepEqual(keysOf(silent.steps[1]), ["no_entry", "menu_12333"]);
    assert.deepEqual(silent.last, { kind: "transfer", prompts: [{ key: "to_agent" }], queue: AGENTS });
    assert.equal(silent.state.node.at, "ended");
    assert.equal(idFromKeys("1234"), undefined);
    assert.equal(idFromKeys("33010619900307123*"), ID_X);
  });

  it("0 reaches an agent at any point, the menu, the ID number or the password", () => {
    for (const before of [[], [keys("3")], [keys("3"), keys(ID), keys("1")]]) {
      const { last } = play("12333", [...before, keys("0")]);
      assert.equal(last.kind, "transfer", JSON.stringify(before));
    }
  });

  it("9 switches to English; the prompts are then said in English", () => {
    const { state, last } = play("12333", [keys("9")]);
    assert.equal(state.lang, "en");
    assert.match(promptText(last.prompts[0], "en"), /press 1/);
  });

  it("the password: three wrong tries per call at most, and a locked card is told where to go", () => {
    let { state } = play("12333", [keys("3"), keys(ID), keys("1"), keys("000000")]);
    assert.equal(state.node.at, "waiting");
    let step: Step | undefined;
    for (let i = 1; i < MAX_PIN_TRIES_PER_CALL; i++) {
      ({ state, step } = advance(state, {
        kind: "answer",
        answer: { kind: "wrong_password", attemptsLeft: 5 - i },
      }));
      assert.deepEqual(keysOf(step), ["password_wrong", "enter_pin"]);
      ({ state, step } = advance(state, keys("000000")));
      assert.equal(step.kind, "ask");
    }
    ({ state, step } = advance(state, {
      kind: "answer",
      answer: { kind: "wrong_password", attemptsLeft: 3 },
    }));
    assert.deepEqual(step, { kind: "hangup", prompts: [{ key: "password_tries_used" }, { key: "goodbye" }] });
    const locked = play("12333", [keys("3"), keys(ID), keys("1"), keys("000000")]);
    const end = advance(locked.state, {
      kind: "answer",
      answer: { kind: "wrong_password", attemptsLeft: 0 },
    });
    assert.deepEqual(keysOf(end.step), ["password_locked", "goodbye"]);
    const short = play("12333", [keys("3"), keys(ID), keys("1"), keys("12345")]);
    assert.deepEqual(keysOf(short.last), ["invalid_entry", "enter_pin"]);
  });

  it("96102: ID number, confirmation, password, the pre-loss asked of sscard, its reference said, goodbye; the transcript masks what was keyed", () => {
    const { state, steps } = play("96102", [keys("1"), keys(ID), keys("1"), keys("135790")]);
    assert.deepEqual(keysOf(steps[0]), ["welcome_96102", "menu_96102"]);
    assert.deepEqual(steps[4], {
      kind: "ask",
      prompts: [],
      ask: { kind: "pre_loss", idNumber: ID, pin: "135790" },
    });
    const done = advance(state, {
      kind: "answer",
      answer: { kind: "ok", prompts: [{ key: "pre_loss_done", digits: "12345678" }] },
    });
    assert.deepEqual(keysOf(done.step), ["pre_loss_done", "goodbye"]);
    assert.equal(done.step.kind, "hangup");
    const text = JSON.stringify(done.state.transcript);
    assert.ok(!text.includes(ID) && !text.includes("135790"), text);
    assert.ok(text.includes(masked(ID, "id")) && text.includes("******"));
    const ended: CallState = done.state;
    assert.equal(advance(ended, keys("1")).step.kind, "hangup", "nothing after the end");
  });
});

describe("what a caller is told of", () => {
  it("hears of the newest card not cancelled, a cancelled one only when there is no other", () => {
    const old = { state: "active", created_at: "2020-01-01T00:00:00Z" };
    const cancelled = { state: "cancelled", created_at: "2026-01-01T00:00:00Z" };
    const replacement = { state: "applied", created_at: "2026-02-01T00:00:00Z" };
    assert.equal(cardToTell([old, cancelled]), old);
    assert.equal(cardToTell([old, cancelled, replacement]), replacement);
    assert.equal(cardToTell([cancelled]), cancelled);
    assert.equal(cardToTell([]), undefined);
  });

  it("gets a 10-digit pre-loss reference, the same for the same loss and another for another", () => {
    const a = preLossReference("card-1", "2026-11-22T02:00:00.000Z");
    assert.match(a, /^\d{10}$/);
    assert.equal(preLossReference("card-1", "2026-11-22T02:00:00.000Z"), a);
    assert.notEqual(preLossReference("card-1", "2026-11-23T02:00:00.000Z"), a);
    assert.notEqual(preLossReference("card-2", "2026-11-22T02:00:00.000Z"), a);
  });
});
