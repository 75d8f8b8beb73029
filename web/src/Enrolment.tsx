import { useCallback, useEffect, useState } from "react";
import { coordinationArea } from "../../src/modules/enrolment/enrolment.rules.ts";
import { api } from "./api.ts";
import { useCan } from "./can.tsx";
import { chinaDay } from "./clock.ts";
import { useT } from "./i18n.tsx";
import { Field, Notice, Section, Select, useAction } from "./ui.tsx";

type Enrolment = {
  id: string;
  scheme: string;
  areaCode: string;
  areaName: string;
  coordinationArea: string;
  personalNumber: string;
  survivingNumber: string;
  status: string;
  startDate: string;
  version: number;
  history: { at: string; action: string; to: string; reason: string | null }[];
};

const SCHEMES = [
  "employee_medical",
  "resident_medical",
  "employee_pension",
  "resident_pension",
  "unemployment",
  "work_injury",
  "maternity",
];
const MOVES: Record<string, string[]> = {
  active: ["suspended", "sealed", "transferred_out", "terminated"],
  suspended: ["active", "sealed", "transferred_out", "terminated"],
  sealed: ["active", "transferred_out", "terminated"],
};
const today = () => chinaDay();

/** A person's enrolments at the counter: enrol (moving counties), change a status, merge numbers, arrears. */
export function EnrolmentPanel({ idNumber, area }: { idNumber: string; area: string }) {
  const t = useT();
  const [enrolments, setEnrolments] = useState<Enrolment[] | undefined>();
  const [loadError, setLoadError] = useState<string | undefined>();
  const can = useCan();
  const manage = can("enrolment.manage");
  const [message, setMessage] = useState<string | undefined>();
  const [form, setForm] = useState({
    scheme: "employee_medical",
    areaCode: area.endsWith("00") ? `${area.slice(0, 4)}06` : area,
    startDate: today(),
    suspendOther: false,
    reason: "",
  });
  const [merge, setMerge] = useState<
    | {
        survivor: string;
        merged: string[];
        reviewToken: string;
        enrolments: { id: string; scheme: string; personalNumber: string }[];
        conflicts: { family: string; enrolmentIds: string[] }[];
      }
    | undefined
  >();
  // Enrolments to suspend with the merge, so the person stays insured once per family.
  const [suspend, setSuspend] = useState<string[]>([]);
  const [holderId, setHolderId] = useState("");
  const { busy, error, fieldErrors, run } = useAction();
  const load = useCallback(async () => {
    try {
      setEnrolments(
        (
          await api<{ enrolments: Enrolment[] }>(
            "GET",
            `/enrolments?idNumber=${encodeURIComponent(idNumber)}`,
          )
        ).enrolments,
      );
      setLoadError(undefined);
    } catch (err) {
      // A refusal or a failure is said as such, never shown as "no enrolments".
      setEnrolments(undefined);
      setLoadError(err instanceof Error ? err.message : String(err));
    }
  }, [idNumber]);
  useEffect(() => {
    void load();
  }, [load]);
  const set = (key: keyof typeof form) => (value: string | boolean) =>
    setForm((f) => ({ ...f, [key]: value }));
  const numbers = new Set(
    enrolments?.filter((e) => e.personalNumber === e.survivingNumber).map((e) => e.personalNumber),
  );

  return (
    <Section title={t("enrolments")}>
      {error ? <Notice kind="error">{error}</Notice> : null}
      {message ? <Notice kind="ok">{message}</Notice> : null}
      {loadError ? <Notice kind="error">{loadError}</Notice> : null}
      {enrolments?.length === 0 ? <p>{t("noEnrolments")}</p> : null}
      <ul className="enrolments">
        {enrolments?.map((e) => (
          <li key={e.id}>
            <span>
              {t.code(e.scheme)} · {e.areaName} · {t("personalNumber")} {e.personalNumber}
              {e.survivingNumber !== e.personalNumber ? ` → ${e.survivingNumber}` : ""} · {t.code(e.status)}
            </span>
            {(manage ? (MOVES[e.status] ?? []) : []).map((to) => (
              <button
                key={to}
                type="button"
                disabled={busy}
                onClick={() =>
                  void run(async () => {
                    await api("POST", `/enrolments/${e.id}/status`, {
                      to,
                      reason: t("counterReason"),
                      version: e.version,
                    });
                    setMessage(`${t("done")}：${t.code(e.scheme)} → ${t.code(to)}`);
                    await load();
                  })
                }
              >
                {t.code(to)}
              </button>
            ))}
          </li>
        ))}
      </ul>
      {numbers.size > 1 && manage ? (
        <div className="action-form">
          <h3>{t("mergeNumbers")}</h3>
          {!merge ? (
            <button
              type="button"
              disabled={busy}
              onClick={() =>
                void run(async () =>
                  setMerge(
                    await api("POST", "/personal-numbers/merge-preview", {
                      idNumber,
                      coordinationArea: coordinationArea(area),
                    }),
                  ),
                )
              }
            >
              {t("previewMerge")}
            </button>
          ) : (
            <form
              onSubmit={(ev) => {
                ev.preventDefault();
                void run(async () => {
                  await api("POST", "/personal-numbers/merge", {
                    idNumber,
                    coordinationArea: coordinationArea(area),
                    survivor: merge.survivor,
                    holderIdNumber: holderId,
                    reviewToken: merge.reviewToken,
                    ...(suspend.length ? { suspend } : {}),
                  });
                  setSuspend([]);
                  setMessage(t("merged", { survivor: merge.survivor }));
                  setMerge(undefined);
                  await load();
                });
              }}
            >
              <p>{t("mergePlan", { survivor: merge.survivor, merged: merge.merged.join("、") })}</p>
              {merge.conflicts.map((c) => (
                <fieldset key={c.family}>
                  <legend>{t("mergeConflict")}</legend>
                  {c.enrolmentIds.map((id) => {
                    const e = merge.enrolments.find((x) => x.id === id);
                    return (
                      <label key={id}>
                        <input
                          type="checkbox"
                          checked={suspend.includes(id)}
                          onChange={(ev) =>
                            setSuspend(ev.target.checked ? [...suspend, id] : suspend.filter((x) => x !== id))
                          }
                        />{" "}
                        {t("suspendWithMerge", {
                          scheme: e ? t.code(e.scheme) : id,
                          number: e?.personalNumber ?? "",
                        })}
                      </label>
                    );
                  })}
                </fieldset>
              ))}
              <Field label={t("holderIdNumber")} value={holderId} onChange={setHolderId} maxLength={18} />
              <button type="submit" className="primary" disabled={busy}>
                {t("confirm")}
              </button>
            </form>
          )}
        </div>
      ) : null}
      {manage ? <Arrears idNumber={idNumber} area={coordinationArea(area)} /> : null}
      {manage ? (
        <form
          className="action-form"
          onSubmit={(ev) => {
            ev.preventDefault();
            void run(async () => {
              const r = await api<{ enrolment: Enrolment; duplicatesInArea: string[] }>(
                "POST",
                "/enrolments",
                {
                  idNumber,
                  scheme: form.scheme,
                  areaCode: form.areaCode,
                  startDate: form.startDate,
                  ...(form.suspendOther && form.reason ? { suspendOther: { reason: form.reason } } : {}),
                },
              );
              setMessage(
                r.duplicatesInArea.length
                  ? t("enrolledWithDuplicates", { n: r.duplicatesInArea.length })
                  : t("enrolled", { number: r.enrolment.personalNumber }),
              );
              await load();
            });
          }}
        >
          <h3>{t("enrol")}</h3>
          <Select label={t("scheme")} value={form.scheme} onChange={set("scheme")} options={SCHEMES} />
          <Field
            label={t("countyCode")}
            value={form.areaCode}
            onChange={set("areaCode")}
            maxLength={6}
            error={fieldErrors.areaCode}
          />
          <Field
            label={t("startDate")}
            value={form.startDate}
            onChange={set("startDate")}
            type="date"
            error={fieldErrors.startDate}
          />
          <label className="consent">
            <input
              type="checkbox"
              checked={form.suspendOther}
              onChange={(e) => set("suspendOther")(e.target.checked)}
            />{" "}
            {t("suspendOther")}
          </label>
          {form.suspendOther ? (
            <Field label={t("reason")} value={form.reason} onChange={set("reason")} />
          ) : null}
          <button type="submit" className="primary" disabled={busy}>
            {t("enrol")}
          </button>
        </form>
      ) : null}
    </Section>
  );
}

type Registered = {
  late: boolean;
  daysAfterHiring: number;
  enrolments: { scheme: string; personalNumber: string }[];
};

/** An employer's operator: register a new employee within 30 days of hiring (the five insurances). */
export function EmployeeRegistration({ employerId }: { employerId: string }) {
  const t = useT();
  const [form, setForm] = useState({ idNumber: "", name: "", ethnicity: "01", hiredOn: today() });
  const [result, setResult] = useState<Registered | undefined>();
  const { busy, error, fieldErrors, run } = useAction();
  const set = (key: keyof typeof form) => (value: string) => setForm((f) => ({ ...f, [key]: value }));
  return (
    <Section title={t("registerEmployee")}>
      <p className="field-hint">{t("registrationDeadline")}</p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setResult(undefined);
          void run(async () =>
            setResult(
              await api<Registered>("POST", `/employers/${employerId}/employees`, {
                idNumber: form.idNumber.trim().toUpperCase(),
                name: form.name || undefined,
                ethnicity: form.ethnicity || undefined,
                hiredOn: form.hiredOn,
              }),
            ),
          );
        }}
      >
        <Field
          label={t("idNumber")}
          value={form.idNumber}
          onChange={set("idNumber")}
          maxLength={18}
          error={fieldErrors.idNumber}
        />
        <Field
          label={t("name")}
          value={form.name}
          onChange={set("name")}
          hint={t("nameIfNew")}
          error={fieldErrors.name}
        />
        <Field
          label={t("ethnicity")}
          value={form.ethnicity}
          onChange={set("ethnicity")}
          maxLength={2}
          error={fieldErrors.ethnicity}
        />
        <Field
          label={t("hiredOn")}
          value={form.hiredOn}
          onChange={set("hiredOn")}
          type="date"
          error={fieldErrors.hiredOn}
        />
        {error && !Object.keys(fieldErrors).length ? <Notice kind="error">{error}</Notice> : null}
        {result ? (
          <Notice kind={result.late ? "warning" : "ok"}>
            {result.late ? t("registeredLate", { days: result.daysAfterHiring }) : t("registered")}{" "}
            {result.enrolments.map((e) => t.code(e.scheme)).join("、")} · {t("personalNumber")}{" "}
            {result.enrolments[0]?.personalNumber}
          </Notice>
        ) : null}
        <button type="submit" className="primary" disabled={busy}>
          {t("registerEmployee")}
        </button>
      </form>
    </Section>
  );
}

/** Arrears (payment suspension) of a person in the area: the medical function stops at once, and resumes when they end. */
function Arrears({ idNumber, area }: { idNumber: string; area: string }) {
  const t = useT();
  const [fromDate, setFromDate] = useState(today());
  const [reason, setReason] = useState("");
  const [recorded, setRecorded] = useState<{ id: string; toDate: string | null } | undefined>();
  const { busy, error, fieldErrors, run } = useAction();
  return (
    <form
      className="action-form"
      onSubmit={(e) => {
        e.preventDefault();
        void run(async () =>
          setRecorded(await api("POST", "/arrears", { idNumber, coordinationArea: area, fromDate, reason })),
        );
      }}
    >
      <h3>{t("arrears")}</h3>
      <Field
        label={t("arrearsFrom")}
        value={fromDate}
        onChange={setFromDate}
        type="date"
        error={fieldErrors.fromDate}
      />
      <Field label={t("reason")} value={reason} onChange={setReason} error={fieldErrors.reason} />
      {error && !Object.keys(fieldErrors).length ? <Notice kind="error">{error}</Notice> : null}
      {recorded ? (
        <Notice kind={recorded.toDate ? "ok" : "warning"}>
          {recorded.toDate ? t("arrearsEnded", { date: recorded.toDate }) : t("arrearsRecorded")}
        </Notice>
      ) : null}
      <div className="buttons">
        <button type="submit" className="primary" disabled={busy || !reason.trim()}>
          {t("recordArrears")}
        </button>
        {recorded && !recorded.toDate ? (
          <button
            type="button"
            disabled={busy}
            onClick={() =>
              void run(async () =>
                setRecorded(await api("POST", `/arrears/${recorded.id}/end`, { toDate: today() })),
              )
            }
          >
            {t("endArrears")}
          </button>
        ) : null}
      </div>
    </form>
  );
}
