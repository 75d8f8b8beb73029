import { useState } from "react";
import { ApiError, api } from "./api.ts";
import { chinaDay } from "./clock.ts";
import { useT } from "./i18n.tsx";
import { CsvFileField, Field, Notice, ProblemsTable, Section, useAction, useLoaded } from "./ui.tsx";

type Catalogue = {
  date: string;
  inForceVersion: number | null;
  versions: { version: number; name: string; effectiveFrom: string; sample: boolean; items: number }[];
};
type RowProblem = { line: number; field: string; problem: string; text?: string };

/**
 * The drug and service catalogue: its versions (which is in force today), and a new version uploaded
 * as CSV with its effective date: all or nothing, with every bad row reported.
 */
export function CataloguePage() {
  const t = useT();
  const { busy, error, run } = useAction();
  const [data, reload] = useLoaded<Catalogue>("/catalogue", run);
  const [name, setName] = useState("");
  const [effectiveFrom, setEffectiveFrom] = useState(chinaDay(1));
  const [file, setFile] = useState<File | undefined>();
  const [rows, setRows] = useState<RowProblem[] | undefined>();
  const [done, setDone] = useState<string | undefined>();
  const upload = () =>
    run(async () => {
      setRows(undefined);
      setDone(undefined);
      if (!file) return;
      try {
        const r = await api<{ version: number; accepted: number }>("POST", "/catalogue/versions", {
          name,
          effectiveFrom,
          csv: await file.text(),
        });
        setDone(t("catalogueImported", { version: r.version, n: r.accepted, day: effectiveFrom }));
        await reload();
      } catch (err) {
        if (err instanceof ApiError && Array.isArray(err.details?.rows))
          setRows(err.details.rows as RowProblem[]);
        throw err;
      }
    });
  return (
    <>
      <Section title={t("catalogueVersions")}>
        {data ? (
          <table className="table">
            <caption className="visually-hidden">{t("catalogueVersions")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("catalogueVersion")}</th>
                <th scope="col">{t("catalogueName")}</th>
                <th scope="col">{t("effectiveFrom")}</th>
                <th scope="col">{t("catalogueItems")}</th>
              </tr>
            </thead>
            <tbody>
              {data.versions.map((v) => (
                <tr key={v.version}>
                  <td>
                    {v.version}
                    {v.version === data.inForceVersion ? ` · ${t("inForce")}` : ""}
                  </td>
                  <td>
                    {v.name}
                    {v.sample ? ` · ${t("catalogueSample")}` : ""}
                  </td>
                  <td>{v.effectiveFrom}</td>
                  <td>{v.items}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </Section>
      <Section title={t("catalogueUpload")}>
        {error ? <Notice kind="error">{error}</Notice> : null}
        {done ? <Notice kind="ok">{done}</Notice> : null}
        <p className="field-hint">{t("catalogueFormat")}</p>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void upload();
          }}
        >
          <Field label={t("catalogueName")} value={name} onChange={setName} maxLength={100} />
          <Field label={t("effectiveFrom")} type="date" value={effectiveFrom} onChange={setEffectiveFrom} />
          <CsvFileField label={t("catalogueFile")} onFile={setFile} />
          <button type="submit" className="primary" disabled={busy || !file}>
            {t("catalogueImport")}
          </button>
        </form>
        {rows?.length ? <ProblemsTable problems={rows} /> : null}
      </Section>
    </>
  );
}
