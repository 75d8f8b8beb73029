import { useState } from "react";
import { api, apiBlob } from "./api.ts";
import { useLang, useT } from "./i18n.tsx";
import { Field, Notice, Section, Select, useAction } from "./ui.tsx";

type Issued = { serial: string; kind: string; validUntil: string | null };

/** Saves a document the API served under a file name (the browser's download). */
export function saveBlob(blob: Blob, fileName: string) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/**
 * A certificate on request — the rights record, the enrolment certificate (an area and a purpose),
 * at the counter also the application form — issued in the register and saved as its sealed, signed
 * PDF: the counter for a person (`issuePath` /persons/:id/certificates), the hall for the holder.
 */
export function CertificateRequest(props: {
  kinds: readonly string[];
  issuePath: string;
  pdfPath: (serial: string) => string;
  defaultArea: string;
  /** What to do with the PDF (the kiosk shows it to print); saved as a file when not given. */
  onPdf?: (pdf: Blob, serial: string) => void;
}) {
  const t = useT();
  const { lang } = useLang();
  const [kind, setKind] = useState(props.kinds[0]);
  const [area, setArea] = useState(props.defaultArea);
  const [purpose, setPurpose] = useState("");
  const [issued, setIssued] = useState<Issued | undefined>();
  const { busy, error, run } = useAction();
  const forArea = kind === "enrolment_certificate";
  return (
    <Section title={t("certificatesTitle")}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () => {
            const r = await api<Issued>("POST", props.issuePath, {
              kind,
              ...(forArea ? { coordinationArea: area.trim(), purpose: purpose.trim() } : {}),
            });
            const pdf = await apiBlob(`${props.pdfPath(r.serial)}?lang=${lang}`);
            if (props.onPdf) props.onPdf(pdf, r.serial);
            else saveBlob(pdf, `${r.serial}.pdf`);
            setIssued(r);
          });
        }}
      >
        <Select label={t("certificateKind")} value={kind} onChange={setKind} options={props.kinds} />
        {forArea ? (
          <>
            <Field
              label={t("certificateArea")}
              value={area}
              onChange={setArea}
              inputMode="numeric"
              maxLength={6}
            />
            <Field label={t("certificatePurpose")} value={purpose} onChange={setPurpose} maxLength={60} />
          </>
        ) : null}
        {error ? <Notice kind="error">{error}</Notice> : null}
        {issued ? (
          <Notice kind="ok">
            {t("certificateIssued", {
              kind: t.code(issued.kind),
              serial: issued.serial,
              until: issued.validUntil ?? "—",
            })}
          </Notice>
        ) : null}
        <button type="submit" className="primary" disabled={busy}>
          {t("certificateIssue")}
        </button>
      </form>
    </Section>
  );
}
