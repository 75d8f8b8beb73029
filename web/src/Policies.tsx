import { useCallback, useEffect, useState } from "react";
import { api } from "./api.ts";
import { chinaDay } from "./clock.ts";
import { useT } from "./i18n.tsx";
import { formOf, POLICY_FIELDS, type PolicyField, policyOf } from "./policy-fields.ts";
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
    setForm({ ...formOf(inForce.policy), effectiveFrom: tomorrow() });
  }, [area]);
  useEffect(() => {
    void run(load);
  }, [run, load]);

  const set = (key: string) => (value: string) => setForm((f) => ({ ...f, [key]: value }));
  const save = () =>
    run(async () => {
      if (!current) return;
      const policy = policyOf(current.policy, form);
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
          {POLICY_FIELDS.map((f) => (
            <PolicyInput key={f.path} field={f} value={form[f.path] ?? ""} onChange={set(f.path)} />
          ))}
          {form["initialPassword.rule"] === "fixed" ? (
            <Field
              label={t("initialPasswordValue")}
              value={form["initialPassword.value"] ?? ""}
              onChange={set("initialPassword.value")}
              maxLength={6}
            />
          ) : null}
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

/** One policy field in the form: a choice, a yes/no, or a number (a list of numbers for the grades). */
function PolicyInput({
  field,
  value,
  onChange,
}: {
  field: PolicyField;
  value: string;
  onChange: (v: string) => void;
}) {
  const t = useT();
  if (field.kind === "enum")
    return <Select label={t(field.label)} value={value} onChange={onChange} options={field.options ?? []} />;
  if (field.kind === "bool")
    return (
      <div className="field">
        <label>
          <input
            type="checkbox"
            checked={value === "true"}
            onChange={(e) => onChange(String(e.target.checked))}
          />{" "}
          {t(field.label)}
        </label>
      </div>
    );
  return (
    <Field
      label={t(field.label)}
      value={value}
      onChange={onChange}
      inputMode={field.kind === "intList" ? "text" : "numeric"}
      hint={
        field.kind === "intOrNever" ? t("pNeverHint") : field.kind === "bp" ? t("pPercentHint") : undefined
      }
    />
  );
}
