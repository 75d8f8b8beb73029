import { apiBlob } from "./api.ts";
import { saveBlob } from "./CertificateRequest.tsx";
import { chinaDay } from "./clock.ts";
import type { CardView } from "./counter-types.ts";
import { useLang, useT } from "./i18n.tsx";
import { Notice, useAction } from "./ui.tsx";

/** States in which a replacement is still to be collected: its slip stays on the person's page. */
const PENDING = ["applied", "in_production", "delivered"];

/**
 * The card-collection slip (领卡凭证) with the temporary medical certificate of a formal loss and
 * replacement, printed for the holder (the browser's print of the slip alone) and kept on the person's
 * page until the new card is collected. The holder brings it and the ID card to collect the card.
 */
export function ReplacementSlip({ card }: { card: CardView }) {
  const t = useT();
  const { lang } = useLang();
  const { busy, error, run } = useAction();
  if (!card.tempCertificateNo || !PENDING.includes(card.state)) return null;
  /** A certificate as the register prints it: A4 with the red seal and the signed QR, saved as a file. */
  const download = (serial: string) =>
    run(async () => {
      saveBlob(await apiBlob(`/certificates/${serial}/pdf?lang=${lang}`), `${serial}.pdf`);
    });
  const print = () => {
    // Only the slip is printed: the rest of the page is hidden while the print dialog is open.
    document.documentElement.classList.add("print-slip");
    addEventListener("afterprint", () => document.documentElement.classList.remove("print-slip"), {
      once: true,
    });
    window.print();
  };
  return (
    <section className="slip" aria-label={t("slipTitle")}>
      <h4>{t("slipTitle")}</h4>
      <dl className="facts">
        <dt>{t("name")}</dt>
        <dd>{card.holder.nameMasked}</dd>
        <dt>{t("idNumber")}</dt>
        <dd>{card.holder.idNumberMasked}</dd>
        <dt>{t("slipNewCard")}</dt>
        <dd>{card.cardNumber}</dd>
        <dt>{t("slipCertificate")}</dt>
        <dd className="slip-number">{card.tempCertificateNo}</dd>
        {card.collectionSlipNo ? (
          <>
            <dt>{t("slipNumber")}</dt>
            <dd className="slip-number">{card.collectionSlipNo}</dd>
          </>
        ) : null}
        <dt>{t("readyDate")}</dt>
        <dd>{card.readyDate ?? "—"}</dd>
        <dt>{t("slipFee")}</dt>
        <dd>{((card.feeFen ?? 0) / 100).toFixed(2)}</dd>
        <dt>{t("slipIssuedOn")}</dt>
        <dd>{chinaDay()}</dd>
      </dl>
      <p>{t("slipCollect")}</p>
      <p>{t("slipTemporary")}</p>
      {error ? <Notice kind="error">{error}</Notice> : null}
      <div className="buttons no-print">
        <button type="button" onClick={print}>
          {t("printSlip")}
        </button>
        <button type="button" disabled={busy} onClick={() => void download(card.tempCertificateNo!)}>
          {t("certificatePdf")}
        </button>
        {card.collectionSlipNo ? (
          <button type="button" disabled={busy} onClick={() => void download(card.collectionSlipNo!)}>
            {t("slipPdf")}
          </button>
        ) : null}
      </div>
    </section>
  );
}
