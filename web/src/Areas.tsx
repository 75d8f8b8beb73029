import { useCallback, useEffect, useState } from "react";
import { api } from "./api.ts";
import { chinaDay } from "./clock.ts";
import { useT } from "./i18n.tsx";
import { Field, Notice, Section, Select, useAction, useLoaded } from "./ui.tsx";

type Area = { code: string; name: string; level: string; issuerId: string | null; parentCode: string | null };
type Day = { date: string; kind: "holiday" | "workday"; name: string; areaCode: string; own: boolean };

/**
 * The card-issuing areas, and an area's working-day calendar for a year: the public holidays and the
 * make-up working days it sets or inherits (ready dates are counted in working days).
 */
export function Areas({ area }: { area: string }) {
  const t = useT();
  const list = useAction();
  const [areas] = useLoaded<Area[]>("/areas", list.run);
  const [chosen, setChosen] = useState(area);
  const [year, setYear] = useState(chinaDay().slice(0, 4));
  const [days, setDays] = useState<Day[] | undefined>();
  const [form, setForm] = useState({ date: "", kind: "holiday", name: "" });
  const [done, setDone] = useState<string | undefined>();
  const { busy, error, fieldErrors, run } = useAction();
  const load = useCallback(
    () => run(async () => setDays(await api<Day[]>("GET", `/areas/${chosen}/calendar?year=${year}`))),
    [run, chosen, year],
  );
  useEffect(() => {
    if (/^\d{4}$/.test(year)) void load();
  }, [load, year]);
  const nameOf = (code: string) => areas?.find((a) => a.code === code)?.name ?? code;
  const change = (what: () => Promise<unknown>, message: string) =>
    run(async () => {
      setDone(undefined);
      await what();
      setDays(await api<Day[]>("GET", `/areas/${chosen}/calendar?year=${year}`));
      setDone(message);
    });
  return (
    <>
      <Section title={t("areasList")}>
        {list.error ? <Notice kind="error">{list.error}</Notice> : null}
        <table className="table">
          <caption className="visually-hidden">{t("areasList")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("areaCode")}</th>
              <th scope="col">{t("areaName")}</th>
              <th scope="col">{t("issuerId")}</th>
              <th scope="col">{t("parentArea")}</th>
            </tr>
          </thead>
          <tbody>
            {areas?.map((a) => (
              <tr key={a.code}>
                <td>{a.code}</td>
                <td>
                  {a.name} · {t.code(`level_${a.level}`)}
                </td>
                <td>{a.issuerId ?? "—"}</td>
                <td>{a.parentCode ? nameOf(a.parentCode) : "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
      <Section title={t("workCalendar")}>
        {error ? <Notice kind="error">{error}</Notice> : null}
        {done ? <Notice kind="ok">{done}</Notice> : null}
        <div className="inline">
          <div className="field">
            <label htmlFor="calendar-area">{t("calendarArea")}</label>
            <select id="calendar-area" value={chosen} onChange={(e) => setChosen(e.target.value)}>
              {(areas ?? [{ code: area, name: area }]).map((a) => (
                <option key={a.code} value={a.code}>
                  {a.name}（{a.code}）
                </option>
              ))}
            </select>
          </div>
          <Field
            label={t("calendarYear")}
            value={year}
            onChange={setYear}
            inputMode="numeric"
            maxLength={4}
          />
        </div>
        {days?.length === 0 ? <p>{t("calendarEmpty", { year })}</p> : null}
        {days?.length ? (
          <table className="table">
            <caption>{t("calendarCaption", { area: nameOf(chosen), year })}</caption>
            <thead>
              <tr>
                <th scope="col">{t("calendarDate")}</th>
                <th scope="col">{t("calendarKind")}</th>
                <th scope="col">{t("calendarName")}</th>
                <th scope="col">{t("calendarSetBy")}</th>
              </tr>
            </thead>
            <tbody>
              {days.map((d) => (
                <tr key={d.date}>
                  <td>{d.date}</td>
                  <td>{t.code(d.kind)}</td>
                  <td>{d.name}</td>
                  <td>
                    {d.own ? (
                      <button
                        type="button"
                        disabled={busy}
                        onClick={() =>
                          void change(
                            () => api("DELETE", `/areas/${chosen}/calendar/${d.date}`),
                            t("calendarRemoved", { date: d.date }),
                          )
                        }
                      >
                        {t("calendarRemove", { date: d.date })}
                      </button>
                    ) : (
                      t("calendarInherited", { area: nameOf(d.areaCode) })
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void change(
              () =>
                api("PUT", `/areas/${chosen}/calendar/${form.date}`, { kind: form.kind, name: form.name }),
              t("calendarSet", { date: form.date }),
            );
          }}
        >
          <h3>{t("calendarAdd")}</h3>
          <Field
            label={t("calendarDate")}
            type="date"
            value={form.date}
            onChange={(v) => setForm((f) => ({ ...f, date: v }))}
            error={fieldErrors.date}
          />
          <Select
            label={t("calendarKind")}
            value={form.kind}
            onChange={(v) => setForm((f) => ({ ...f, kind: v }))}
            options={["holiday", "workday"]}
          />
          <Field
            label={t("calendarName")}
            value={form.name}
            onChange={(v) => setForm((f) => ({ ...f, name: v }))}
            maxLength={50}
            error={fieldErrors.name}
          />
          <button type="submit" className="primary" disabled={busy || !form.date}>
            {t("calendarAdd")}
          </button>
        </form>
      </Section>
    </>
  );
}
