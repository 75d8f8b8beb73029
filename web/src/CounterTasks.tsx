import { useCallback, useEffect, useState } from "react";
import { api } from "./api.ts";
import type { CardView } from "./counter-types.ts";
import { useT } from "./i18n.tsx";
import { Field, Notice, Section, useAction } from "./ui.tsx";

export function Apply(props: { idNumber?: string; area: string; onApplied: (message: string) => void }) {
  const { area } = props;
  const t = useT();
  const [holderId, setHolderId] = useState(props.idNumber ?? "");
  const { busy, error, run } = useAction();
  return (
    <form
      className="action-form"
      onSubmit={(e) => {
        e.preventDefault();
        void run(async () => {
          const r = await api<CardView>("POST", "/cards/applications", {
            idNumber: holderId.trim().toUpperCase(),
            areaCode: area,
          });
          props.onApplied(t("applied", { card: r.cardNumber }));
        });
      }}
    >
      <h3>{t("apply")}</h3>
      <Field
        label={t("holderIdNumber")}
        value={holderId}
        onChange={setHolderId}
        maxLength={18}
        error={error}
      />
      <button type="submit" className="primary" disabled={busy}>
        {t("apply")}
      </button>
    </form>
  );
}

export function BankTasks() {
  const t = useT();
  const [tasks, setTasks] = useState<{ id: string; cardNumber: string; reason: string }[] | undefined>();
  const [message, setMessage] = useState<string | undefined>();
  const { busy, error, run } = useAction();
  const load = useCallback(
    async () =>
      setTasks(await api<{ id: string; cardNumber: string; reason: string }[]>("GET", "/bank-tasks")),
    [],
  );
  useEffect(() => {
    void run(load);
  }, [run, load]);
  return (
    <Section title={t("bankTasks")}>
      {error ? <Notice kind="error">{error}</Notice> : null}
      {message ? <Notice kind="ok">{message}</Notice> : null}
      {tasks?.length === 0 ? <p>{t("noTasks")}</p> : null}
      <ul>
        {tasks?.map((task) => (
          <li key={task.id}>
            {t("cardNumber")} {task.cardNumber} · {t.code(task.reason)}{" "}
            <button
              type="button"
              disabled={busy}
              onClick={() =>
                void run(async () => {
                  await api("POST", `/bank-tasks/${task.id}/confirm`);
                  setMessage(`${t("done")}：${task.cardNumber}`);
                  await load();
                })
              }
            >
              {t("confirmAccountClosed")}
            </button>
          </li>
        ))}
      </ul>
    </Section>
  );
}

export function Production({ area }: { area: string }) {
  const t = useT();
  const [batch, setBatch] = useState<{ batchId: string; cardCount: number; file: string } | undefined>();
  const [message, setMessage] = useState<string | undefined>();
  const { busy, error, run } = useAction();
  return (
    <Section title={t("production")}>
      {error ? <Notice kind="error">{error}</Notice> : null}
      {message ? <Notice kind="ok">{message}</Notice> : null}
      <div className="buttons">
        <button
          type="button"
          className="primary"
          disabled={busy}
          onClick={() =>
            void run(async () => {
              const b = await api<{ batchId: string; cardCount: number; file: string }>(
                "POST",
                "/cards/production-batches",
                {
                  areaCode: area,
                },
              );
              setBatch(b);
              setMessage(`${t("done")}：${b.cardCount}`);
            })
          }
        >
          {t("sendToProduction")}
        </button>
        {batch ? (
          <button
            type="button"
            disabled={busy}
            onClick={() =>
              void run(async () => {
                const lines = batch.file.trim().split("\n");
                const header = lines[0].split(",");
                const col = header.indexOf("card_id_code");
                const csv = [
                  "card_id_code,result",
                  ...lines.slice(1).map((l) => `${l.split(",")[col]},ok`),
                ].join("\n");
                const r = await api<{ accepted: number }>(
                  "POST",
                  `/cards/production-batches/${batch.batchId}/return`,
                  { csv },
                );
                setMessage(`${t("done")}：${r.accepted}`);
                setBatch(undefined);
              })
            }
          >
            {t("allProduced")}
          </button>
        ) : null}
      </div>
    </Section>
  );
}

export function OnlineCheck() {
  const t = useT();
  const [cardNumber, setCardNumber] = useState("");
  const [result, setResult] = useState<
    | {
        result: string;
        insured: boolean;
        diagnostic?: { zh: { cause: string; remedy: string }; en: { cause: string; remedy: string } };
      }
    | undefined
  >();
  const { busy, error, run } = useAction();
  return (
    <Section title={t("onlineCheck")}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () =>
            setResult(await api("POST", "/online-checks", { cardNumber: cardNumber.trim().toUpperCase() })),
          );
        }}
      >
        <Field
          label={t("cardNumber")}
          value={cardNumber}
          onChange={setCardNumber}
          maxLength={9}
          error={error}
        />
        <button type="submit" className="primary" disabled={busy}>
          {t("checkCard")}
        </button>
      </form>
      {result ? (
        <Notice kind={result.insured ? "ok" : "warning"}>
          <strong>{t.code(result.result)}</strong>
          {result.diagnostic ? (
            <>
              <br />
              {result.diagnostic[t.lang].cause}
              <br />
              {result.diagnostic[t.lang].remedy}
            </>
          ) : null}
        </Notice>
      ) : null}
    </Section>
  );
}
