import { useCallback, useEffect, useMemo, useState } from "react";
import { type CodeType, mintCode, newDeviceKey } from "../../src/modules/ecard/ecard-code.device.ts";
import { ApiError, api } from "./api.ts";
import { serverNow } from "./clock.ts";
import { useT } from "./i18n.tsx";
import { QrCode } from "./QrCode.tsx";
import { Field, Notice, Section, useAction } from "./ui.tsx";

export type FamilyMember = {
  familyId: string;
  relationship: string;
  nameMasked: string;
  idNumberMasked: string;
  ecardId: string | null;
  addedAt: string;
};

const DEVICE = "sscard.ecard.device";

/**
 * This browser's device key for the hall channel: made once and kept in the browser's storage, as an
 * app keeps its key on the phone (the private key never leaves the browser; the server has the
 * public key only).
 */
export function deviceKey(): { publicKey: string; privateKey: string } {
  const saved = localStorage.getItem(DEVICE);
  if (saved)
    try {
      return JSON.parse(saved);
    } catch {
      // A damaged entry: a new key (the holder binds it again with the e-card password).
    }
  const key = newDeviceKey();
  localStorage.setItem(DEVICE, JSON.stringify(key));
  return key;
}

/**
 * The e-card's codes on this browser: bound once with the e-card password, then the page makes a new
 * identity or payment code every 60 seconds for the holder or a relative the family service carries.
 */
export function HallEcardCodes({
  ecardId,
  passwordSet,
  family,
}: {
  ecardId: string;
  passwordSet: boolean;
  family: FamilyMember[];
}) {
  const t = useT();
  const device = useMemo(deviceKey, []);
  const [whose, setWhose] = useState(ecardId);
  const [type, setType] = useState<CodeType>("identity");
  const [signed, setSigned] = useState<{ credential: string; scope: string } | null | undefined>();
  const [pin, setPin] = useState("");
  const [tick, setTick] = useState(0);
  const { busy, error, fieldErrors, run } = useAction();

  const fetchCredential = useCallback(async () => {
    try {
      setSigned(
        await api<{ credential: string; scope: string }>("POST", "/holder/ecard/credentials", {
          ecardId: whose,
          devicePublicKey: device.publicKey,
        }),
      );
    } catch (err) {
      // Not bound on this browser yet (or no longer): the holder binds it with the e-card password.
      if (err instanceof ApiError && err.status === 404) setSigned(null);
      else throw err;
    }
  }, [whose, device]);
  useEffect(() => {
    void run(fetchCredential);
  }, [run, fetchCredential]);
  // A new code every 60 seconds (a code is valid for 60 s after it is made).
  useEffect(() => {
    const timer = setInterval(() => setTick((n) => n + 1), 60_000);
    return () => clearInterval(timer);
  }, []);
  const code = useMemo(
    () =>
      signed && tick >= 0
        ? mintCode(signed.credential, device.privateKey, type, Math.floor(serverNow().getTime() / 1000))
        : undefined,
    [signed, device, type, tick],
  );
  const whoseName =
    whose === ecardId ? t("ecardMine") : (family.find((f) => f.ecardId === whose)?.nameMasked ?? "");

  return (
    <Section title={t("ecardCodes")}>
      {error ? <Notice kind="error">{error}</Notice> : null}
      {!passwordSet ? <Notice kind="info">{t("ecardSetPasswordFirst")}</Notice> : null}
      {passwordSet && signed === null && whose === ecardId ? (
        <form
          aria-label={t("ecardBindHere")}
          onSubmit={(e) => {
            e.preventDefault();
            void run(async () => {
              setSigned(
                await api<{ credential: string; scope: string }>("POST", "/holder/ecard/devices", {
                  devicePublicKey: device.publicKey,
                  pin,
                }),
              );
              setPin("");
            });
          }}
        >
          <p>{t("ecardBindHereHint")}</p>
          <Field
            label={t("ecardPassword")}
            value={pin}
            onChange={setPin}
            type="password"
            inputMode="numeric"
            maxLength={6}
            error={fieldErrors.pin}
          />
          <button type="submit" className="primary" disabled={busy}>
            {t("ecardBindHere")}
          </button>
        </form>
      ) : null}
      {signed || family.length ? (
        <div className="code-choice">
          {family.length ? (
            <div className="field">
              <label htmlFor="code-whose">{t("ecardWhose")}</label>
              <select id="code-whose" value={whose} onChange={(e) => setWhose(e.target.value)}>
                <option value={ecardId}>{t("ecardMine")}</option>
                {family
                  .filter((f) => f.ecardId)
                  .map((f) => (
                    <option key={f.familyId} value={f.ecardId ?? ""}>
                      {`${f.nameMasked}（${t.code(`relationship_${f.relationship}`)}）`}
                    </option>
                  ))}
              </select>
            </div>
          ) : null}
          <fieldset className="segmented">
            <legend>{t("ecardCodeType")}</legend>
            {(["identity", "payment"] as const).map((k) => (
              <label key={k}>
                <input type="radio" name="code-type" checked={type === k} onChange={() => setType(k)} />
                {t(k === "identity" ? "ecardIdentityCode" : "ecardPaymentCode")}
              </label>
            ))}
          </fieldset>
        </div>
      ) : null}
      {signed && code ? (
        type === "payment" && signed.scope !== "all" ? (
          <Notice kind="warning">{t("ecardNoPayment")}</Notice>
        ) : (
          <figure className="qr-figure">
            <QrCode
              text={code}
              label={t("ecardCodeOf", {
                who: whoseName,
                kind: t(type === "identity" ? "ecardIdentityCode" : "ecardPaymentCode"),
              })}
            />
            <figcaption>{t("ecardCodeRefresh")}</figcaption>
            <button type="button" onClick={() => setTick((n) => n + 1)}>
              {t("ecardCodeNew")}
            </button>
          </figure>
        )
      ) : null}
      {signed === null && whose !== ecardId ? <Notice kind="info">{t("ecardRelativeNotHere")}</Notice> : null}
    </Section>
  );
}
