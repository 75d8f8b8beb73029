import { useCallback, useEffect, useState } from "react";
import { api } from "./api.ts";
import { chinaDay } from "./clock.ts";
import { useT } from "./i18n.tsx";
import { Field, Notice, Section, Select, useAction } from "./ui.tsx";

type Policy = {
  initialPassword: { rule: "card_number_last6" } | { rule: "fixed"; value: string };
  lockout: { mode: "consecutive" | "daily"; threshold: number };
  cardValidityYears: number;
  renewalLeadDays: number;
  replacementReadyWorkingDays: number;
  replacementFeeFen: number;
  preLossAutoCancelDays: number | null;
  [other: string]: unknown;
};
type Version = { areaCode: string; version: number; effectiveFrom: string; policy: Policy };

const tomorrow = () => chinaDay(1);

/** An area's policy versions (which is in force) and a new version with its effective date. */
export function Policies({ area }: { area: string }) {
  const t = useT();
  const [data, setData] = useState<
    { versions: Version[]; inForceVersion: number | null; today: string } | undefined
  >();
  const [current, setCurrent] = useState<(Version & { inherited: boolean }) | undefined>();
  const [form, setForm] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | undefined>();
  const { busy, error, run } = useAction();

  const load = useCallback(async () => {
    const [versions, inForce] = await Promise.all([
      api<{ versions: Version[]; inForceVersion: number | null; today: string }>(
        "GET",
        `/areas/${area}/policies`,
      ),
      api<Version & { inherited: boolean }>("GET", `/areas/${area}/policy`),
    ]);
    setData(versions);
    setCurrent(inForce);
    const p = inForce.policy;
    setForm({
      effectiveFrom: tomorrow(),
      initialRule: p.initialPassword.rule,
      initialValue: p.initialPassword.rule === "fixed" ? p.initialPassword.value : "",
      lockoutMode: p.lockout.mode,
      lockoutThreshold: String(p.lockout.threshold),
      renewalLeadDays: String(p.renewalLeadDays),
      replacementReadyWorkingDays: String(p.replacementReadyWorkingDays),
      replacementFeeYuan: (p.replacementFeeFen / 100).toFixed(2),
      cardValidityYears: String(p.cardValidityYears),
    });
  }, [area]);
  useEffect(() => {
    void run(load);
  }, [run, load]);

  const set = (key: string) => (value: string) => setForm((f) => ({ ...f, [key]: value }));
  const save = () =>
    run(async () => {
      if (!current) return;
      const policy: Policy = {
        ...current.policy,
        initialPassword:
          form.initialRule === "fixed"
            ? { rule: "fixed", value: form.initialValue }
            : { rule: "card_number_last6" },
        lockout: {
          mode: form.lockoutMode === "daily" ? "daily" : "consecutive",
          threshold: Number(form.lockoutThreshold),
        },
        renewalLeadDays: Number(form.renewalLeadDays),
        replacementReadyWorkingDays: Number(form.replacementReadyWorkingDays),
        replacementFeeFen: Math.round(Number(form.replacementFeeYuan) * 100),
        cardValidityYears: Number(form.cardValidityYears),
      };
      const v = await api<Version>("POST", `/areas/${area}/policies`, {
        effectiveFrom: form.effectiveFrom,
        policy,
      });
      setMessage(t("policySaved", { v: v.version, date: v.effectiveFrom }));
      await load();
    });

  return (
    <>
      <Section title={`${t("policies")} · ${area}`}>
        {current ? (
          <p>
            {current.inherited
              ? t("policyInherited", { area: current.areaCode })
              : t("policyInForce", { v: current.version })}
          </p>
        ) : null}
        <table className="table">
          <caption className="visually-hidden">{t("policies")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("version")}</th>
              <th scope="col">{t("effectiveFrom")}</th>
              <th scope="col">{t("lockout")}</th>
              <th scope="col">{t("renewalLeadDays")}</th>
              <th scope="col">{t("replacementFeeYuan")}</th>
            </tr>
          </thead>
          <tbody>
            {data?.versions.map((v) => (
              <tr key={v.version} className={v.version === data.inForceVersion ? "in-force" : undefined}>
                <td>
                  v{v.version}
                  {v.version === data.inForceVersion ? ` · ${t("inForce")}` : ""}
                </td>
                <td>{v.effectiveFrom}</td>
                <td>
                  {v.policy.lockout.threshold} ({t.code(v.policy.lockout.mode)})
                </td>
                <td>{v.policy.renewalLeadDays}</td>
                <td>{(v.policy.replacementFeeFen / 100).toFixed(2)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {data?.versions.length === 0 ? <p>{t("noOwnPolicy")}</p> : null}
      </Section>
      <Section title={t("newPolicyVersion")}>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          <Field
            label={t("effectiveFrom")}
            value={form.effectiveFrom ?? ""}
            onChange={set("effectiveFrom")}
            type="date"
          />
          <Select
            label={t("initialPasswordRule")}
            value={form.initialRule ?? "card_number_last6"}
            onChange={set("initialRule")}
            options={["card_number_last6", "fixed"]}
          />
          {form.initialRule === "fixed" ? (
            <Field
              label={t("initialPasswordValue")}
              value={form.initialValue ?? ""}
              onChange={set("initialValue")}
              maxLength={6}
            />
          ) : null}
          <Select
            label={t("lockoutMode")}
            value={form.lockoutMode ?? "consecutive"}
            onChange={set("lockoutMode")}
            options={["consecutive", "daily"]}
          />
          <Field
            label={t("lockout")}
            value={form.lockoutThreshold ?? ""}
            onChange={set("lockoutThreshold")}
            inputMode="numeric"
          />
          <Field
            label={t("renewalLeadDays")}
            value={form.renewalLeadDays ?? ""}
            onChange={set("renewalLeadDays")}
            inputMode="numeric"
          />
          <Field
            label={t("replacementReadyWorkingDays")}
            value={form.replacementReadyWorkingDays ?? ""}
            onChange={set("replacementReadyWorkingDays")}
            inputMode="numeric"
          />
          <Field
            label={t("replacementFeeYuan")}
            value={form.replacementFeeYuan ?? ""}
            onChange={set("replacementFeeYuan")}
          />
          <Field
            label={t("cardValidityYears")}
            value={form.cardValidityYears ?? ""}
            onChange={set("cardValidityYears")}
            inputMode="numeric"
          />
          {error ? <Notice kind="error">{error}</Notice> : null}
          {message ? <Notice kind="ok">{message}</Notice> : null}
          <button type="submit" className="primary" disabled={busy}>
            {t("savePolicy")}
          </button>
        </form>
      </Section>
    </>
  );
}
