import { type ReactNode, useState } from "react";
import { ApiError } from "./api.ts";
import { useT } from "./i18n.tsx";
import { Field, Notice, Section, useAction } from "./ui.tsx";

/**
 * A password form: the current password when it is a change, the new one typed twice, and anything
 * else the action needs (`children`, e.g. a photo for a reset). The server's refusal stands beside the
 * field it is about: a wrong or locked current password on that field, a weak new one on the new
 * password, anything else above the button.
 */
export function PasswordForm({
  title,
  askCurrent,
  submit,
  done,
  children,
}: {
  title: string;
  askCurrent: boolean;
  submit: (input: { current: string; next: string }) => Promise<unknown>;
  done: string;
  children?: ReactNode;
}) {
  const t = useT();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [repeat, setRepeat] = useState("");
  const [mismatch, setMismatch] = useState(false);
  const [ok, setOk] = useState(false);
  const [failure, setFailure] = useState<{ code: string; message: string } | undefined>();
  const { busy, run } = useAction();
  const onCurrent =
    askCurrent && failure && /PASSWORD_(WRONG|LOCKED)/.test(failure.code) ? failure.message : undefined;
  const onNext =
    failure && /WEAK_PASSWORD|VALIDATION_FAILED/.test(failure.code) ? failure.message : undefined;
  const elsewhere = failure && !onCurrent && !onNext ? failure.message : undefined;
  const pin = { type: "password", inputMode: "numeric", maxLength: 6 } as const;
  return (
    <Section title={title}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setOk(false);
          setFailure(undefined);
          setMismatch(next !== repeat);
          if (next !== repeat) return;
          void run(async () => {
            try {
              await submit({ current, next });
            } catch (err) {
              if (err instanceof ApiError) setFailure({ code: err.code, message: err.message });
              throw err;
            }
            setOk(true);
            setCurrent("");
            setNext("");
            setRepeat("");
          });
        }}
      >
        {children}
        {askCurrent ? (
          <Field
            label={t("currentPassword")}
            value={current}
            onChange={setCurrent}
            error={onCurrent}
            {...pin}
          />
        ) : null}
        <Field label={t("newPassword")} value={next} onChange={setNext} error={onNext} {...pin} />
        <Field
          label={t("repeatNewPassword")}
          value={repeat}
          onChange={setRepeat}
          error={mismatch ? t("passwordsDiffer") : undefined}
          {...pin}
        />
        {elsewhere ? <Notice kind="error">{elsewhere}</Notice> : null}
        {ok ? <Notice kind="ok">{done}</Notice> : null}
        <button type="submit" className="primary" disabled={busy}>
          {t("confirm")}
        </button>
      </form>
    </Section>
  );
}
