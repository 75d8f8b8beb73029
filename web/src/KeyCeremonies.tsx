import { useState } from "react";
import { api } from "./api.ts";
import { useCan } from "./can.tsx";
import { localTime } from "./clock.ts";
import { useT } from "./i18n.tsx";
import { Field, Notice, Section, Select, useAction, useLoaded } from "./ui.tsx";

type Ceremony = {
  ceremonyId: string;
  kind: "national" | "transport" | "local" | "ca";
  areaCode: string | null;
  label: string;
  state: "open" | "completed" | "cancelled";
  componentsRequired: number;
  components: { custodian: string; kcv: string; enteredAt: string }[];
  openedBy: string;
  openedAt: string;
  closedBy: string | null;
  closedAt: string | null;
  kcv: string | null;
};

const KINDS = ["national", "transport", "local", "ca"] as const;
const KEY_TYPES = [
  "master",
  "maintenance",
  "purchase",
  "pin_unblock",
  "pin_reload",
  "application_maintenance",
  "mac",
  "encryption",
  "mac_encryption",
  "internal_auth",
  "external_auth",
] as const;

/**
 * Key ceremonies (Measures Art. 21, 23): an administrator opens one; for a national control key or a
 * transport key each custodian, signed in on their own, enters a component here (it never comes back:
 * only its check value, for the custodian to confirm) and the last one makes the key in the encryption
 * machine; an area's local and CA keys are generated at once. Everyone with the key state sees the record.
 */
export function KeyCeremonies() {
  const t = useT();
  const can = useCan();
  const { busy, error, fieldErrors, run } = useAction();
  const [ceremonies, reload] = useLoaded<Ceremony[]>("/key-ceremonies", run);
  const [kind, setKind] = useState<(typeof KINDS)[number]>("transport");
  const [keyType, setKeyType] = useState<string>("purchase");
  const [algorithm, setAlgorithm] = useState("SM4");
  const [party, setParty] = useState("factory");
  const [area, setArea] = useState("");
  const [version, setVersion] = useState("1");
  const [components, setComponents] = useState<Record<string, string>>({});
  const [done, setDone] = useState<string | undefined>();
  const open = ceremonies?.filter((c) => c.state === "open") ?? [];

  const act = (what: () => Promise<string>) =>
    run(async () => {
      setDone(undefined);
      const message = await what();
      await reload();
      setDone(message);
    });

  const openCeremony = () =>
    act(async () => {
      const body =
        kind === "national"
          ? { kind, keyType, algorithm, version: Number(version) }
          : kind === "transport"
            ? { kind, party, areaCode: area, version: Number(version) }
            : { kind, areaCode: area, version: Number(version) };
      const made = await api<Ceremony>("POST", "/key-ceremonies", body);
      return made.state === "completed"
        ? t("kcGenerated", { label: made.label })
        : t("kcOpened", { label: made.label });
    });

  const enter = (c: Ceremony) =>
    act(async () => {
      const after = await api<Ceremony>("POST", `/key-ceremonies/${c.ceremonyId}/components`, {
        component: (components[c.ceremonyId] ?? "").trim(),
      });
      setComponents({ ...components, [c.ceremonyId]: "" });
      const mine = after.components.at(-1)?.kcv ?? "";
      const entered = t("kcEntered", { kcv: mine });
      return after.state === "completed"
        ? `${entered} ${t("kcCompleted", { label: after.label, kcv: after.kcv ?? "" })}`
        : entered;
    });

  return (
    <>
      {can("keys.ceremony") ? (
        <Section title={t("kcOpenTitle")}>
          <p className="field-hint">{t("kcOpenHint")}</p>
          <form className="inline" onSubmit={(e) => e.preventDefault()}>
            <Select
              label={t("kcKind")}
              value={`ceremony_${kind}`}
              onChange={(v) => setKind(v.replace("ceremony_", "") as (typeof KINDS)[number])}
              options={KINDS.map((k) => `ceremony_${k}`)}
            />
            {kind === "national" ? (
              <>
                <Select
                  label={t("kcKeyType")}
                  value={`keytype_${keyType}`}
                  onChange={(v) => setKeyType(v.replace("keytype_", ""))}
                  options={KEY_TYPES.map((k) => `keytype_${k}`)}
                />
                <Select
                  label={t("kcAlgorithm")}
                  value={algorithm}
                  onChange={setAlgorithm}
                  options={["SM4", "TDES"]}
                />
              </>
            ) : (
              <Field
                label={t("kcArea")}
                value={area}
                onChange={setArea}
                inputMode="numeric"
                maxLength={6}
                error={fieldErrors.areaCode}
              />
            )}
            {kind === "transport" ? (
              <Select
                label={t("kcParty")}
                value={`party_${party}`}
                onChange={(v) => setParty(v.replace("party_", ""))}
                options={["party_factory", "party_ministry"]}
              />
            ) : null}
            <Field
              label={t("kcVersion")}
              value={version}
              onChange={setVersion}
              inputMode="numeric"
              maxLength={2}
              error={fieldErrors.version}
            />
            <button type="button" className="primary" disabled={busy} onClick={() => void openCeremony()}>
              {t("kcOpen")}
            </button>
          </form>
        </Section>
      ) : null}
      {error ? <Notice kind="error">{error}</Notice> : null}
      {done ? <Notice kind="ok">{done}</Notice> : null}
      <Section title={t("kcOpenOnes")}>
        {ceremonies && open.length === 0 ? <p>{t("kcNoneOpen")}</p> : null}
        {open.map((c) => (
          <section key={c.ceremonyId} className="panel" aria-label={t("kcTitle", { label: c.label })}>
            <h3>{t("kcTitle", { label: c.label })}</h3>
            <p>
              {t.code(`ceremony_${c.kind}`)} · {c.areaCode ?? ""} ·{" "}
              {t("kcProgress", { n: c.components.length, of: c.componentsRequired })}
            </p>
            {c.components.length ? (
              <ul>
                {c.components.map((m) => (
                  <li key={m.custodian}>
                    {m.custodian} · {m.kcv} · {localTime(m.enteredAt)}
                  </li>
                ))}
              </ul>
            ) : null}
            {can("keys.ceremony") ? (
              <form className="inline" onSubmit={(e) => e.preventDefault()}>
                <Field
                  label={t("kcComponent")}
                  type="password"
                  value={components[c.ceremonyId] ?? ""}
                  onChange={(v) => setComponents({ ...components, [c.ceremonyId]: v })}
                  hint={t("kcComponentHint")}
                  maxLength={96}
                />
                <button type="button" className="primary" disabled={busy} onClick={() => void enter(c)}>
                  {t("kcEnter")}
                </button>
                <button
                  type="button"
                  disabled={busy}
                  onClick={() =>
                    void act(async () => {
                      await api("POST", `/key-ceremonies/${c.ceremonyId}/cancel`);
                      return t("kcCancelled");
                    })
                  }
                >
                  {t("kcCancel")}
                </button>
              </form>
            ) : null}
          </section>
        ))}
      </Section>
      <Section title={t("kcRecord")}>
        {ceremonies?.length === 0 ? <p>{t("kcNone")}</p> : null}
        {ceremonies?.length ? (
          <table className="table">
            <caption className="visually-hidden">{t("kcRecord")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("kcLabel")}</th>
                <th scope="col">{t("kcKind")}</th>
                <th scope="col">{t("state")}</th>
                <th scope="col">{t("kcCustodians")}</th>
                <th scope="col">{t("kcKcv")}</th>
                <th scope="col">{t("kcOpenedBy")}</th>
                <th scope="col">{t("kcClosedBy")}</th>
              </tr>
            </thead>
            <tbody>
              {ceremonies.map((c) => (
                <tr key={c.ceremonyId}>
                  <td>
                    <code>{c.label}</code>
                  </td>
                  <td>{t.code(`ceremony_${c.kind}`)}</td>
                  <td>{t.code(`ceremony_${c.state}`)}</td>
                  <td>{c.components.map((m) => `${m.custodian} ${m.kcv}`).join("；")}</td>
                  <td>{c.kcv ?? ""}</td>
                  <td>
                    {c.openedBy} · {localTime(c.openedAt)}
                  </td>
                  <td>{c.closedAt ? `${c.closedBy ?? ""} · ${localTime(c.closedAt)}` : ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </Section>
    </>
  );
}
