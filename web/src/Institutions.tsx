import { useState } from "react";
import { api } from "./api.ts";
import { chinaDay, localTime } from "./clock.ts";
import { useT } from "./i18n.tsx";
import { Field, Notice, Section, Select, useAction, useLoaded } from "./ui.tsx";

type Institution = {
  id: string;
  code: string;
  name: string;
  kind: "hospital" | "pharmacy";
  areaCode: string;
  agreementFrom: string;
  agreementUntil: string;
};
type Terminal = {
  terminalNo: string;
  areaCode: string;
  name: string;
  institutionId: string | null;
  psamSerial: string | null;
  psamIssuedAt: string | null;
};

/**
 * The designated hospitals and pharmacies of the area: their agreements (renewed or ended here), and
 * the terminals they settle on with their PSAMs.
 */
export function Institutions({ area }: { area: string }) {
  const t = useT();
  const { busy, error, fieldErrors, run } = useAction();
  const [list, reload] = useLoaded<Institution[]>("/institutions", run);
  const [terminals, reloadTerminals] = useLoaded<Terminal[]>("/terminals", run);
  const [done, setDone] = useState<string | undefined>();
  const [form, setForm] = useState({
    code: "",
    name: "",
    kind: "pharmacy",
    agreementFrom: chinaDay(),
    agreementUntil: "",
  });
  const [until, setUntil] = useState<Record<string, string>>({});
  const [terminal, setTerminal] = useState({ terminalNo: area, name: "" });
  const [assign, setAssign] = useState<Record<string, string>>({});
  const today = chinaDay();
  const set = (key: keyof typeof form) => (value: string) => setForm((f) => ({ ...f, [key]: value }));
  const act = (what: () => Promise<unknown>, message: string) =>
    run(async () => {
      setDone(undefined);
      await what();
      await Promise.all([reload(), reloadTerminals()]);
      setDone(message);
    });
  const nameOf = (id: string | null) => list?.find((i) => i.id === id)?.name ?? "—";
  return (
    <>
      {error ? <Notice kind="error">{error}</Notice> : null}
      {done ? <Notice kind="ok">{done}</Notice> : null}
      <Section title={t("institutionsList")}>
        <table className="table">
          <caption className="visually-hidden">{t("institutionsList")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("institutionCode")}</th>
              <th scope="col">{t("institutionName")}</th>
              <th scope="col">{t("agreementPeriod")}</th>
              <th scope="col">{t("agreementChange")}</th>
            </tr>
          </thead>
          <tbody>
            {list?.map((i) => {
              const inForce = i.agreementFrom <= today && today <= i.agreementUntil;
              return (
                <tr key={i.id}>
                  <td>{i.code}</td>
                  <td>
                    {i.name} · {t.code(i.kind)}
                  </td>
                  <td>
                    {i.agreementFrom} – {i.agreementUntil} ·{" "}
                    <span className={inForce ? "state state-active" : "state state-cancelled"}>
                      {t(inForce ? "agreementInForce" : "agreementLapsed")}
                    </span>
                  </td>
                  <td>
                    <form
                      className="inline"
                      onSubmit={(e) => {
                        e.preventDefault();
                        void act(
                          () =>
                            api("POST", `/institutions/${encodeURIComponent(i.code)}/agreement`, {
                              agreementFrom: i.agreementFrom,
                              agreementUntil: until[i.code] ?? "",
                            }),
                          t("agreementChanged", { name: i.name }),
                        );
                      }}
                    >
                      <Field
                        label={t("agreementUntilOf", { name: i.name })}
                        type="date"
                        value={until[i.code] ?? ""}
                        onChange={(v) => setUntil((u) => ({ ...u, [i.code]: v }))}
                      />
                      <button type="submit" disabled={busy || !until[i.code]}>
                        {t("save")}
                      </button>
                    </form>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </Section>
      <Section title={t("institutionRegister")}>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void act(
              () => api("POST", "/institutions", { ...form, areaCode: area, code: form.code.trim() }),
              t("institutionRegistered", { name: form.name }),
            );
          }}
        >
          <Field label={t("institutionCode")} value={form.code} onChange={set("code")} maxLength={32} />
          <Field label={t("institutionName")} value={form.name} onChange={set("name")} maxLength={100} />
          <Select
            label={t("institutionKind")}
            value={form.kind}
            onChange={set("kind")}
            options={["pharmacy", "hospital"]}
          />
          <Field
            label={t("agreementFrom")}
            type="date"
            value={form.agreementFrom}
            onChange={set("agreementFrom")}
          />
          <Field
            label={t("agreementUntil")}
            type="date"
            value={form.agreementUntil}
            onChange={set("agreementUntil")}
          />
          <button type="submit" className="primary" disabled={busy}>
            {t("institutionRegister")}
          </button>
        </form>
      </Section>
      <Section title={t("terminalsList")}>
        <table className="table">
          <caption className="visually-hidden">{t("terminalsList")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("terminalNo")}</th>
              <th scope="col">{t("terminalName")}</th>
              <th scope="col">{t("psam")}</th>
              <th scope="col">{t("settlesFor")}</th>
            </tr>
          </thead>
          <tbody>
            {terminals?.map((d) => (
              <tr key={d.terminalNo}>
                <td>{d.terminalNo}</td>
                <td>{d.name}</td>
                <td>
                  {d.psamSerial ? `${d.psamSerial} · ${localTime(d.psamIssuedAt ?? "")}` : t("psamNone")}
                </td>
                <td>
                  {d.institutionId ? (
                    nameOf(d.institutionId)
                  ) : (
                    <form
                      className="inline"
                      onSubmit={(e) => {
                        e.preventDefault();
                        const code = assign[d.terminalNo] ?? list?.[0]?.code ?? "";
                        void act(
                          () =>
                            api("POST", `/institutions/${encodeURIComponent(code)}/terminals`, {
                              terminalNo: d.terminalNo,
                            }),
                          t("terminalAssigned", { terminalNo: d.terminalNo }),
                        );
                      }}
                    >
                      <div className="field">
                        <label htmlFor={`assign-${d.terminalNo}`}>
                          {t("assignTo", { terminalNo: d.terminalNo })}
                        </label>
                        <select
                          id={`assign-${d.terminalNo}`}
                          value={assign[d.terminalNo] ?? list?.[0]?.code ?? ""}
                          onChange={(e) => setAssign((a) => ({ ...a, [d.terminalNo]: e.target.value }))}
                        >
                          {list?.map((i) => (
                            <option key={i.code} value={i.code}>
                              {i.name}
                            </option>
                          ))}
                        </select>
                      </div>
                      <button type="submit" disabled={busy || !list?.length}>
                        {t("assign")}
                      </button>
                    </form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="field-hint">{t("psamHint")}</p>
        <form
          className="inline"
          onSubmit={(e) => {
            e.preventDefault();
            void act(
              () => api("POST", "/terminals", { ...terminal, areaCode: area }),
              t("terminalRegistered", { terminalNo: terminal.terminalNo }),
            );
          }}
        >
          <Field
            label={t("terminalNo")}
            hint={t("terminalNoHint", { area })}
            value={terminal.terminalNo}
            error={fieldErrors.terminalNo}
            onChange={(v) => setTerminal((x) => ({ ...x, terminalNo: v }))}
            inputMode="numeric"
            maxLength={12}
          />
          <Field
            label={t("terminalName")}
            value={terminal.name}
            error={fieldErrors.name}
            onChange={(v) => setTerminal((x) => ({ ...x, name: v }))}
          />
          <button type="submit" disabled={busy}>
            {t("terminalRegister")}
          </button>
        </form>
      </Section>
    </>
  );
}
