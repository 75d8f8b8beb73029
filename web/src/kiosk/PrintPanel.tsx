import { useEffect, useState } from "react";
import { useT } from "../i18n.tsx";
import { Notice, Section } from "../ui.tsx";
import type { AskAgent, PrintStatus } from "./agent.ts";

/** A Blob as base64, in pieces (a certificate is a few hundred kB). */
async function base64Of(blob: Blob): Promise<string> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000)
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

/**
 * A certificate to print: on the kiosk's A4 printer through the device agent (the job's status shown,
 * a stopped printer's reason in words, and a retry that prints the same certificate — never a second
 * one), or, without a printer, the PDF on screen with the browser's print.
 */
export function PrintPanel(props: {
  pdf: Blob;
  serial: string;
  printer: boolean;
  ask: AskAgent;
  onClose: () => void;
}) {
  const { pdf, serial, printer, ask, onClose } = props;
  const t = useT();
  const [url] = useState(() => URL.createObjectURL(pdf));
  useEffect(() => () => URL.revokeObjectURL(url), [url]);
  const [status, setStatus] = useState<PrintStatus | { state: "error"; code: string } | undefined>();
  const print = async () => {
    setStatus({ state: "printing", reasons: [], message: "" });
    const answer = await ask({ type: "print", title: serial, pdf: await base64Of(pdf) }, (s) =>
      s.type === "print_status" ? setStatus(s) : undefined,
    );
    setStatus(
      answer.type === "print_status"
        ? answer
        : { state: "error", code: answer.type === "error" ? answer.code : "" },
    );
  };
  // biome-ignore lint/correctness/useExhaustiveDependencies: printed once when shown
  useEffect(() => {
    if (printer) void print();
  }, []);
  const why = (s: PrintStatus) =>
    [...s.reasons.map((r) => t.code(`printer_${r.replace(/-(error|warning|report)$/, "")}`)), s.message]
      .filter(Boolean)
      .join("；");
  return (
    <Section title={t("kioskPrintTitle", { serial })}>
      {printer ? (
        <>
          {status?.state === "printing" ? <Notice kind="warning">{t("kioskPrinting")}</Notice> : null}
          {status?.state === "completed" ? <Notice kind="ok">{t("kioskPrinted")}</Notice> : null}
          {status?.state === "stopped" || status?.state === "failed" ? (
            <Notice kind="error">{t("kioskPrintStopped", { reason: why(status) })}</Notice>
          ) : null}
          {status?.state === "error" ? <Notice kind="error">{t.code(status.code)}</Notice> : null}
        </>
      ) : (
        <>
          <p>{t("kioskNoPrinter")}</p>
          <iframe className="kiosk-pdf" src={url} title={serial} />
        </>
      )}
      <div className="buttons">
        {printer ? (
          <button
            type="button"
            className="primary"
            disabled={status?.state === "printing"}
            onClick={() => void print()}
          >
            {t("kioskReprint")}
          </button>
        ) : (
          <button
            type="button"
            className="primary"
            onClick={() =>
              (document.querySelector("iframe.kiosk-pdf") as HTMLIFrameElement | null)?.contentWindow?.print()
            }
          >
            {t("kioskPrint")}
          </button>
        )}
        <button type="button" onClick={onClose}>
          {t("back")}
        </button>
      </div>
    </Section>
  );
}
