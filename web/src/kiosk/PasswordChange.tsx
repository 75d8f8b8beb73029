import { useState } from "react";
import { apiAs } from "../api.ts";
import { useT } from "../i18n.tsx";
import { Notice, Section, useAction } from "../ui.tsx";
import type { AskAgent } from "./agent.ts";
import { Keypad } from "./Keypad.tsx";

/**
 * The card's password changed at the kiosk (seed 003's business handling): the current password, the
 * new one twice, each typed on the shuffled pad and enciphered by the device agent as a PIN block
 * bound to the card in the reader; the kiosk's own key sends the change (a kiosk may change a password
 * with the current one, never unlock or reset it).
 */
export function PasswordChange(props: { cardNumber: string; kioskKey: string; ask: AskAgent }) {
  const t = useT();
  const [step, setStep] = useState<"current" | "next" | "again">("current");
  const [pins, setPins] = useState({ current: "", next: "", again: "" });
  const [done, setDone] = useState(false);
  const { busy, error, run } = useAction();
  const block = async (pin: string) => {
    const answer = await props.ask({ type: "pin_block", pin });
    if (answer.type !== "pin_block") throw new Error(t.code(answer.type === "error" ? answer.code : ""));
    return answer.pinBlock;
  };
  const reset = () => {
    setPins({ current: "", next: "", again: "" });
    setStep("current");
  };
  const submit = () =>
    void run(async () => {
      if (step !== "again") return setStep(step === "current" ? "next" : "again");
      if (pins.again !== pins.next) {
        reset();
        throw new Error(t("kioskPinsDiffer"));
      }
      try {
        await apiAs(props.kioskKey, "POST", `/cards/${props.cardNumber}/password/change`, {
          current: { pinBlock: await block(pins.current) },
          next: { pinBlock: await block(pins.next) },
        });
        setDone(true);
      } finally {
        reset();
      }
    });
  return (
    <Section title={t("kioskPasswordChange")}>
      {done ? <Notice kind="ok">{t("kioskPasswordChanged")}</Notice> : null}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <Keypad
          key={step}
          value={pins[step]}
          onChange={(v) => setPins({ ...pins, [step]: v })}
          label={t(
            step === "current" ? "kioskPinCurrent" : step === "next" ? "kioskPinNext" : "kioskPinAgain",
          )}
        />
        {error ? <Notice kind="error">{error}</Notice> : null}
        <button type="submit" className="primary" disabled={busy || pins[step].length !== 6}>
          {t("kioskOk")}
        </button>
      </form>
    </Section>
  );
}
