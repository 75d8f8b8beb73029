import { useState } from "react";
import { api } from "./api.ts";
import { useCan } from "./can.tsx";
import { localTime } from "./clock.ts";
import { useT } from "./i18n.tsx";
import { Field, Notice, Section, useAction, useLoaded } from "./ui.tsx";

type Psam = {
  serial: string;
  state: string;
  areaCode: string | null;
  terminalNo: string | null;
  updatedAt: string;
};
type Movement = {
  at: string;
  by: string;
  action: string;
  areaCode: string | null;
  terminalNo: string | null;
};

/**
 * PSAMs (Measures Art. 23: uniformly distributed by the ministry): the ministry issues them and hands
 * them to areas; each area sees its stock and which terminal holds which, with every hand-over.
 */
export function Psams() {
  const t = useT();
  const can = useCan();
  const { busy, error, fieldErrors, run } = useAction();
  const [psams, reload] = useLoaded<Psam[]>("/psams", run);
  const [count, setCount] = useState("1");
  const [area, setArea] = useState("");
  const [chosen, setChosen] = useState<string[]>([]);
  const [done, setDone] = useState<string | undefined>();
  const [history, setHistory] = useState<{ serial: string; moves: Movement[] } | undefined>();
  const stock = psams?.filter((p) => p.state === "at_ministry") ?? [];
  const act = (what: () => Promise<unknown>, message: string) =>
    run(async () => {
      setDone(undefined);
      await what();
      await reload();
      setDone(message);
    });
  return (
    <>
      {can("chip.psams") ? (
        <Section title={t("psamMinistry")}>
          <form className="inline" onSubmit={(e) => e.preventDefault()}>
            <Field
              label={t("psamCount")}
              value={count}
              onChange={setCount}
              inputMode="numeric"
              error={fieldErrors.count}
            />
            <button
              type="button"
              className="primary"
              disabled={busy}
              onClick={() =>
                void act(() => api("POST", "/psams", { count: Number(count) }), t("psamIssued", { n: count }))
              }
            >
              {t("psamIssue")}
            </button>
          </form>
          {stock.length ? (
            <fieldset>
              <legend>{t("psamStock")}</legend>
              {stock.map((p) => (
                <label key={p.serial} className="checkbox">
                  <input
                    type="checkbox"
                    checked={chosen.includes(p.serial)}
                    onChange={(e) =>
                      setChosen(
                        e.target.checked ? [...chosen, p.serial] : chosen.filter((s) => s !== p.serial),
                      )
                    }
                  />{" "}
                  {p.serial}
                </label>
              ))}
              <Field
                label={t("psamToArea")}
                value={area}
                onChange={setArea}
                inputMode="numeric"
                maxLength={6}
                error={fieldErrors.areaCode}
              />
              <button
                type="button"
                disabled={busy || !chosen.length}
                onClick={() =>
                  void act(
                    async () => {
                      await api("POST", "/psams/distribution", { areaCode: area, serials: chosen });
                      setChosen([]);
                    },
                    t("psamDistributed", { n: chosen.length, area }),
                  )
                }
              >
                {t("psamDistribute")}
              </button>
            </fieldset>
          ) : null}
        </Section>
      ) : null}
      {error ? <Notice kind="error">{error}</Notice> : null}
      {done ? <Notice kind="ok">{done}</Notice> : null}
      <Section title={t("psamHoldings")}>
        {psams?.length === 0 ? <p>{t("psamNone")}</p> : null}
        {psams?.length ? (
          <table className="table">
            <caption className="visually-hidden">{t("psamHoldings")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("psamSerial")}</th>
                <th scope="col">{t("psamHolder")}</th>
                <th scope="col">{t("psamArea")}</th>
                <th scope="col">{t("psamTerminal")}</th>
                <th scope="col">{t("benefitActions")}</th>
              </tr>
            </thead>
            <tbody>
              {psams.map((p) => (
                <tr key={p.serial}>
                  <td>{p.serial}</td>
                  <td>{t.code(`psam_${p.state}`)}</td>
                  <td>{p.areaCode ?? ""}</td>
                  <td>{p.terminalNo ?? ""}</td>
                  <td>
                    <button
                      type="button"
                      aria-label={t("psamHistoryOf", { serial: p.serial })}
                      onClick={() =>
                        void run(async () =>
                          setHistory({
                            serial: p.serial,
                            moves: await api<Movement[]>("GET", `/psams/${p.serial}/movements`),
                          }),
                        )
                      }
                    >
                      {t("psamHistory")}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </Section>
      {history ? (
        <Section title={t("psamHistoryOf", { serial: history.serial })}>
          <table className="table">
            <caption className="visually-hidden">{t("psamHistoryOf", { serial: history.serial })}</caption>
            <thead>
              <tr>
                <th scope="col">{t("appWhen")}</th>
                <th scope="col">{t("appWho")}</th>
                <th scope="col">{t("appStep")}</th>
                <th scope="col">{t("psamArea")}</th>
                <th scope="col">{t("psamTerminal")}</th>
              </tr>
            </thead>
            <tbody>
              {history.moves.map((m) => (
                <tr key={`${m.at}-${m.action}-${m.terminalNo}`}>
                  <td>{localTime(m.at)}</td>
                  <td>{m.by}</td>
                  <td>{t.code(`psam_move_${m.action}`)}</td>
                  <td>{m.areaCode ?? ""}</td>
                  <td>{m.terminalNo ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Section>
      ) : null}
    </>
  );
}
