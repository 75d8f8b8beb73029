import { useState } from "react";
import { api } from "./api.ts";
import { useCan } from "./can.tsx";
import { localTime } from "./clock.ts";
import { useT } from "./i18n.tsx";
import { Field, Notice, Section, useAction, useLoaded } from "./ui.tsx";

const MATERIALS = [
  "registration_form",
  "preparation_report",
  "card_file_structures",
  "card_face_design",
  "administration_measures",
  "other_materials",
] as const;
const CONDITIONS = [
  "business_system",
  "technical_force",
  "implementation_plan",
  "management_system",
  "ministry_conditions",
] as const;

type Application = {
  applicationId: string;
  areaCode: string;
  state: string;
  issuerId: string | null;
  conditions: Record<string, { met: boolean; evidence: string }>;
  materials: { kind: string; fileName: string; sizeBytes: number; sha256: string }[];
  missing: { materials: string[]; conditions: string[] };
  steps: { at: string; by: string; action: string; to: string; reason: string | null }[];
};

/** A file as base64, for the JSON body. */
async function base64Of(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000)
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

/**
 * Applications to issue cards (Measures Art. 6, 7): an area registers the areas under it (a city, a
 * county with its outlets); a city or province applies with the six materials and the five conditions;
 * the province forwards or returns it; the ministry approves it (the issuer ID) or returns it. Each
 * party sees the state and every step with its reasons.
 */
export function Applications() {
  const t = useT();
  const can = useCan();
  const { busy, error, fieldErrors, run } = useAction();
  const [apps, reload] = useLoaded<Application[]>("/area-applications", run);
  const [code, setCode] = useState("");
  const [done, setDone] = useState<string | undefined>();
  const act = (what: () => Promise<unknown>, message: string) =>
    run(async () => {
      setDone(undefined);
      await what();
      await reload();
      setDone(message);
    });
  return (
    <>
      {can("areas.create") || can("areas.apply") ? (
        <Section title={t("appRegisterOrOpen")}>
          <form onSubmit={(e) => e.preventDefault()}>
            <Field
              label={t("areaCode")}
              value={code}
              onChange={setCode}
              error={fieldErrors.code ?? fieldErrors.areaCode}
              inputMode="numeric"
              maxLength={6}
            />
            {can("areas.create") ? (
              <button
                type="button"
                disabled={busy}
                onClick={() =>
                  void act(() => api("POST", "/areas", { code }), t("appAreaRegistered", { code }))
                }
              >
                {t("appRegisterArea")}
              </button>
            ) : null}
            {can("areas.apply") ? (
              <button
                type="button"
                className="primary"
                disabled={busy}
                onClick={() =>
                  void act(
                    () => api("POST", "/area-applications", { areaCode: code }),
                    t("appOpened", { code }),
                  )
                }
              >
                {t("appOpen")}
              </button>
            ) : null}
          </form>
        </Section>
      ) : null}
      {error ? <Notice kind="error">{error}</Notice> : null}
      {done ? <Notice kind="ok">{done}</Notice> : null}
      {apps?.length === 0 ? <p>{t("appNone")}</p> : null}
      {apps?.map((a) => (
        <ApplicationPanel key={a.applicationId} app={a} act={act} busy={busy} />
      ))}
    </>
  );
}

function ApplicationPanel({
  app,
  act,
  busy,
}: {
  app: Application;
  act: (what: () => Promise<unknown>, message: string) => Promise<unknown>;
  busy: boolean;
}) {
  const t = useT();
  const can = useCan();
  const url = `/area-applications/${app.applicationId}`;
  const editable = can("areas.apply") && (app.state === "draft" || app.state === "returned");
  const [conditions, setConditions] = useState(() =>
    Object.fromEntries(CONDITIONS.map((c) => [c, app.conditions[c] ?? { met: false, evidence: "" }])),
  );
  const [reason, setReason] = useState("");
  const lastReturn = [...app.steps].reverse().find((s) => s.action === "return");
  return (
    <Section title={t("appTitle", { code: app.areaCode, state: t.code(`app_${app.state}`) })}>
      {app.issuerId ? <Notice kind="ok">{t("appIssuer", { id: app.issuerId })}</Notice> : null}
      {app.state === "returned" && lastReturn ? (
        <Notice kind="warning">
          {t("appReturnedBecause", { by: lastReturn.by, reason: lastReturn.reason ?? "" })}
        </Notice>
      ) : null}
      <table className="table">
        <caption>{t("appMaterials")}</caption>
        <thead>
          <tr>
            <th scope="col">{t("appMaterial")}</th>
            <th scope="col">{t("appFile")}</th>
          </tr>
        </thead>
        <tbody>
          {MATERIALS.map((kind) => {
            const m = app.materials.find((x) => x.kind === kind);
            return (
              <tr key={kind}>
                <td>{t.code(`material_${kind}`)}</td>
                <td>
                  {m
                    ? `${m.fileName} · ${Math.ceil(m.sizeBytes / 1024)} KB · SHA-256 ${m.sha256.slice(0, 12)}…`
                    : t("appMissing")}
                  {editable ? (
                    <div className="field">
                      <label htmlFor={`${app.applicationId}-${kind}`}>
                        {t("appUpload", { what: t.code(`material_${kind}`) })}
                      </label>
                      <input
                        id={`${app.applicationId}-${kind}`}
                        type="file"
                        accept=".pdf,.png,.jpg,.jpeg,.json,.csv"
                        onChange={(e) => {
                          const file = e.target.files?.[0];
                          if (!file) return;
                          void act(
                            async () =>
                              api("PUT", `${url}/materials/${kind}`, {
                                fileName: file.name,
                                contentType: file.type || "application/octet-stream",
                                contentBase64: await base64Of(file),
                              }),
                            t("appUploaded", { file: file.name }),
                          );
                        }}
                      />
                    </div>
                  ) : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <fieldset className="conditions" disabled={!editable}>
        <legend>{t("appConditions")}</legend>
        {CONDITIONS.map((c) => (
          <div key={c} className="field">
            <label className="checkbox">
              <input
                type="checkbox"
                checked={conditions[c].met}
                onChange={(e) =>
                  setConditions({ ...conditions, [c]: { ...conditions[c], met: e.target.checked } })
                }
              />{" "}
              {t.code(`condition_${c}`)}
            </label>
            <label htmlFor={`${app.applicationId}-${c}`}>
              {t("appEvidence", { what: t.code(`condition_${c}`) })}
            </label>
            <textarea
              className="evidence"
              id={`${app.applicationId}-${c}`}
              value={conditions[c].evidence}
              maxLength={2000}
              onChange={(e) =>
                setConditions({ ...conditions, [c]: { ...conditions[c], evidence: e.target.value } })
              }
            />
          </div>
        ))}
        {editable ? (
          <button
            type="button"
            disabled={busy}
            onClick={() =>
              void act(() => api("PUT", `${url}/conditions`, { conditions }), t("appConditionsSaved"))
            }
          >
            {t("appSaveConditions")}
          </button>
        ) : null}
      </fieldset>
      {editable ? (
        <>
          {app.missing.materials.length || app.missing.conditions.length ? (
            <p>{t("appStillMissing", { n: app.missing.materials.length + app.missing.conditions.length })}</p>
          ) : null}
          <button
            type="button"
            className="primary"
            disabled={busy}
            onClick={() => void act(() => api("POST", `${url}/file`), t("appFiled"))}
          >
            {t("appFileIt")}
          </button>
        </>
      ) : null}
      {(can("areas.review") && app.state === "at_province") ||
      (can("areas.approve") && app.state === "at_ministry") ? (
        <div className="decision">
          <Field label={t("appReturnReason")} value={reason} onChange={setReason} />
          {app.state === "at_province" ? (
            <button
              type="button"
              className="primary"
              disabled={busy}
              onClick={() =>
                void act(() => api("POST", `${url}/review`, { decision: "forward" }), t("appForwarded"))
              }
            >
              {t("appForward")}
            </button>
          ) : (
            <button
              type="button"
              className="primary"
              disabled={busy}
              onClick={() =>
                void act(() => api("POST", `${url}/decision`, { decision: "approve" }), t("appApproved"))
              }
            >
              {t("appApprove")}
            </button>
          )}
          <button
            type="button"
            disabled={busy}
            onClick={() =>
              void act(
                () =>
                  api("POST", `${url}/${app.state === "at_province" ? "review" : "decision"}`, {
                    decision: "return",
                    reason,
                  }),
                t("appReturned"),
              )
            }
          >
            {t("appReturn")}
          </button>
        </div>
      ) : null}
      <table className="table">
        <caption>{t("appSteps")}</caption>
        <thead>
          <tr>
            <th scope="col">{t("appWhen")}</th>
            <th scope="col">{t("appWho")}</th>
            <th scope="col">{t("appStep")}</th>
            <th scope="col">{t("reason")}</th>
          </tr>
        </thead>
        <tbody>
          {app.steps
            .filter((s) => s.action !== "material" && s.action !== "conditions")
            .map((s) => (
              <tr key={`${s.at}-${s.action}-${s.to}-${s.reason}`}>
                <td>{localTime(s.at)}</td>
                <td>{s.by}</td>
                <td>{t.code(`app_step_${s.action}`)}</td>
                <td>{s.reason ?? ""}</td>
              </tr>
            ))}
        </tbody>
      </table>
    </Section>
  );
}
