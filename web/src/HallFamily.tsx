import { useState } from "react";
import {
  BIOMETRIC_TEXT_VERSION,
  type FamilyRelationship,
  FAMILY_RELATIONSHIPS as RELATIONSHIPS,
} from "../../src/modules/ecard/ecard.rules.ts";
import { api } from "./api.ts";
import { localTime } from "./clock.ts";
import { deviceKey, type FamilyMember } from "./HallEcardCodes.tsx";
import { useT } from "./i18n.tsx";
import { base64Of, ConfirmStep, Field, Notice, PhotoField, Section, Select, useAction } from "./ui.tsx";

/**
 * The family service in the hall (亲情服务): the relatives the holder's e-card carries, adding one
 * (an adult by their own face, a child under 16 by the guardian's photo and consent) and removing one
 * after a confirmation.
 */
export function HallFamily({
  ecardId,
  family,
  reload,
}: {
  ecardId: string;
  family: FamilyMember[];
  reload: () => Promise<void>;
}) {
  const t = useT();
  const [name, setName] = useState("");
  const [idNumber, setIdNumber] = useState("");
  const [relationship, setRelationship] = useState<FamilyRelationship>("parent");
  const [photo, setPhoto] = useState<File | undefined>();
  const [consent, setConsent] = useState(false);
  const [confirmRemove, setConfirmRemove] = useState<string | undefined>();
  const [message, setMessage] = useState<string | undefined>();
  const { busy, error, fieldErrors, run } = useAction();
  return (
    <Section title={t("familyTitle")}>
      {error ? <Notice kind="error">{error}</Notice> : null}
      {message ? <Notice kind="ok">{message}</Notice> : null}
      {family.length ? (
        <table>
          <caption>{t("familyCaption")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("familyRelationship")}</th>
              <th scope="col">{t("name")}</th>
              <th scope="col">{t("idNumber")}</th>
              <th scope="col">{t("familyAdded")}</th>
              <th scope="col">{t("familyAction")}</th>
            </tr>
          </thead>
          <tbody>
            {family.map((f) => (
              <tr key={f.familyId}>
                <td>{t.code(`relationship_${f.relationship}`)}</td>
                <td>{f.nameMasked}</td>
                <td>{f.idNumberMasked}</td>
                <td>{localTime(f.addedAt)}</td>
                <td>
                  {confirmRemove === f.familyId ? (
                    <ConfirmStep
                      action={t("familyRemove")}
                      consequence={t("familyRemoveConsequence", { name: f.nameMasked })}
                      busy={busy}
                      onConfirm={() =>
                        void run(async () => {
                          await api("POST", `/holder/ecard/family/${f.familyId}/remove`);
                          setConfirmRemove(undefined);
                          setMessage(t("familyRemoved", { name: f.nameMasked }));
                          await reload();
                        })
                      }
                      onBack={() => setConfirmRemove(undefined)}
                    />
                  ) : (
                    <button type="button" onClick={() => setConfirmRemove(f.familyId)}>
                      {t("familyRemove")}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p>{t("familyNone")}</p>
      )}
      <form
        aria-label={t("familyAdd")}
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () => {
            setMessage(undefined);
            if (!photo) throw new Error(t("familyPhotoMissing"));
            await api("POST", "/holder/ecard/family", {
              ecardId,
              relative: { idNumber: idNumber.trim().toUpperCase(), name: name.trim() },
              relationship,
              photoBase64: await base64Of(photo),
              devicePublicKey: deviceKey().publicKey,
              ...(relationship === "child" && consent
                ? { photoConsentTextVersion: BIOMETRIC_TEXT_VERSION }
                : {}),
            });
            setMessage(t("familyAddedNotice", { name: name.trim() }));
            setName("");
            setIdNumber("");
            await reload();
          });
        }}
      >
        <h3>{t("familyAdd")}</h3>
        <Field label={t("name")} value={name} onChange={setName} error={fieldErrors.relative} />
        <Field label={t("idNumber")} value={idNumber} onChange={setIdNumber} maxLength={18} />
        <Select
          label={t("familyRelationship")}
          value={`relationship_${relationship}`}
          onChange={(v) => setRelationship(v.replace("relationship_", "") as FamilyRelationship)}
          options={RELATIONSHIPS.map((r) => `relationship_${r}`)}
        />
        <PhotoField
          label={t("familyPhoto")}
          hint={relationship === "child" ? t("familyPhotoChildHint") : t("familyPhotoHint")}
          onFile={setPhoto}
        />
        {relationship === "child" ? (
          <label className="checkbox">
            <input type="checkbox" checked={consent} onChange={(e) => setConsent(e.target.checked)} />
            {t("familyChildConsent")}
          </label>
        ) : null}
        <button type="submit" className="primary" disabled={busy}>
          {t("familyAdd")}
        </button>
      </form>
    </Section>
  );
}
