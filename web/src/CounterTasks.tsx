import { useCallback, useEffect, useState } from "react";
import { ApiError, api } from "./api.ts";
import { localTime } from "./clock.ts";
import type { CardView } from "./counter-types.ts";
import { useT } from "./i18n.tsx";
import { Field, Notice, Section, Select, useAction, useLoaded } from "./ui.tsx";

export function Apply(props: { idNumber?: string; area: string; onApplied: (message: string) => void }) {
  const { area } = props;
  const t = useT();
  const [holderId, setHolderId] = useState(props.idNumber ?? "");
  // A child's card is applied for by a guardian: the server says when (GUARDIAN_REQUIRED), and the
  // guardian's fields appear.
  const [guardianNeeded, setGuardianNeeded] = useState(false);
  const [guardian, setGuardian] = useState({ name: "", idNumber: "", relation: "parent" });
  const { busy, error, fieldErrors, run } = useAction();
  const setG = (key: keyof typeof guardian) => (value: string) =>
    setGuardian((g) => ({ ...g, [key]: value }));
  return (
    <form
      className="action-form"
      onSubmit={(e) => {
        e.preventDefault();
        void run(async () => {
          try {
            const r = await api<CardView>("POST", "/cards/applications", {
              idNumber: holderId.trim().toUpperCase(),
              areaCode: area,
              ...(guardianNeeded
                ? { guardian: { ...guardian, idNumber: guardian.idNumber.trim().toUpperCase() } }
                : {}),
            });
            props.onApplied(t("applied", { card: r.cardNumber }));
          } catch (err) {
            if (err instanceof ApiError && err.code === "GUARDIAN_REQUIRED") setGuardianNeeded(true);
            throw err;
          }
        });
      }}
    >
      <h3>{t("apply")}</h3>
      <Field
        label={t("holderIdNumber")}
        value={holderId}
        onChange={setHolderId}
        maxLength={18}
        error={guardianNeeded ? undefined : error}
      />
      {guardianNeeded ? (
        <fieldset className="agent">
          <legend>{t("guardianLegend")}</legend>
          {error ? <Notice kind="warning">{error}</Notice> : null}
          <Field label={t("guardianName")} value={guardian.name} onChange={setG("name")} maxLength={60} />
          <Field
            label={t("guardianIdNumber")}
            value={guardian.idNumber}
            onChange={setG("idNumber")}
            maxLength={18}
            error={fieldErrors.guardian}
          />
          <Select
            label={t("guardianRelation")}
            value={guardian.relation}
            onChange={setG("relation")}
            options={["parent", "grandparent", "other"]}
          />
        </fieldset>
      ) : null}
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

type Batch = {
  batchId: string;
  cardCount: number;
  status: "sent" | "returned";
  createdAt: string;
  returnedAt: string | null;
  cardsByState: Record<string, number>;
};
type ReturnReport = {
  accepted: number;
  rejected: number;
  rows: { line: number; status: string; cardNumber?: string; reason?: string }[];
};

/**
 * Production: send the area's applications to the factory, the batches sent (kept here until their
 * return file is in, with their cards by state), and each batch's return file uploaded with a
 * per-card result.
 */
export function Production({ area }: { area: string }) {
  const t = useT();
  const [sent, setSent] = useState<{ batchId: string; cardCount: number; file: string } | undefined>();
  const [message, setMessage] = useState<string | undefined>();
  const [report, setReport] = useState<ReturnReport | undefined>();
  const { busy, error, run } = useAction();
  const [batches, load] = useLoaded<Batch[]>(`/cards/production-batches?areaCode=${area}`, run);
  const upload = (batchId: string, csv: string) =>
    run(async () => {
      const r = await api<ReturnReport>("POST", `/cards/production-batches/${batchId}/return`, { csv });
      setReport(r);
      setMessage(`${t("done")}：${r.accepted}`);
      setSent(undefined);
      await load();
    });
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
                { areaCode: area },
              );
              setSent(b);
              setMessage(`${t("done")}：${b.cardCount}`);
              await load();
            })
          }
        >
          {t("sendToProduction")}
        </button>
        {sent ? (
          <button
            type="button"
            disabled={busy}
            onClick={() => {
              const lines = sent.file.trim().split("\n");
              const col = lines[0].split(",").indexOf("card_id_code");
              // The simulated factory's chips: each card's serial is its identification code's last 16 characters.
              const code = (l: string) => l.split(",")[col];
              void upload(
                sent.batchId,
                [
                  "card_id_code,result,chip_serial",
                  ...lines.slice(1).map((l) => `${code(l)},ok,${code(l).slice(-16)}`),
                ].join("\n"),
              );
            }}
          >
            {t("allProduced")}
          </button>
        ) : null}
      </div>
      {report?.rejected ? (
        <ul className="report">
          {report.rows
            .filter((r) => r.status === "rejected")
            .map((r) => (
              <li key={r.line}>
                {t("line")} {r.line}: {r.reason}
              </li>
            ))}
        </ul>
      ) : null}
      {batches?.length === 0 ? <p>{t("noBatches")}</p> : null}
      {batches?.length ? (
        <table className="table">
          <caption>{t("batches")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("batchSent")}</th>
              <th scope="col">{t("batchCards")}</th>
              <th scope="col">{t("state")}</th>
              <th scope="col">{t("returnFile")}</th>
            </tr>
          </thead>
          <tbody>
            {batches.map((b) => (
              <tr key={b.batchId}>
                <td>{localTime(b.createdAt)}</td>
                <td>
                  {b.cardCount} ·{" "}
                  {Object.entries(b.cardsByState)
                    .map(([state, n]) => `${t.code(state)} ${n}`)
                    .join("、")}
                </td>
                <td>{b.status === "sent" ? t("batchWaiting") : t("batchReturned")}</td>
                <td>
                  {b.status === "sent" ? (
                    <label className="file">
                      {t("uploadReturn")}
                      <input
                        type="file"
                        accept=".csv,text/csv"
                        disabled={busy}
                        onChange={(e) => {
                          const file = e.target.files?.[0];
                          if (file) void file.text().then((csv) => upload(b.batchId, csv));
                        }}
                      />
                    </label>
                  ) : (
                    localTime(b.returnedAt ?? b.createdAt)
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
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
