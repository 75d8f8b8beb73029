import { useState } from "react";
import { api } from "./api.ts";
import { useT } from "./i18n.tsx";
import { PasswordForm } from "./PasswordForm.tsx";
import { base64Of, Notice, PhotoField } from "./ui.tsx";

/**
 * The e-card password in the hall: set once; then changed with the current one, or reset with a
 * photo of the holder's face checked against the identity photo (which also unlocks a locked one).
 * One value for every app: a change is effective everywhere at once.
 */
export function HallEcardPassword({
  ecardId,
  passwordSet,
  passwordLocked,
  reload,
}: {
  ecardId: string;
  passwordSet: boolean;
  passwordLocked: boolean;
  reload: () => Promise<void>;
}) {
  const t = useT();
  const [photo, setPhoto] = useState<File | undefined>();
  if (!passwordSet)
    return (
      <PasswordForm
        title={t("ecardPasswordSet")}
        askCurrent={false}
        submit={async ({ next }) => {
          await api("POST", "/holder/ecard/password", { ecardId, pin: next });
          await reload();
        }}
        done={t("ecardPasswordDone")}
      />
    );
  return (
    <>
      {passwordLocked ? <Notice kind="warning">{t("ecardPasswordLockedNote")}</Notice> : null}
      {passwordLocked ? null : (
        <PasswordForm
          title={t("ecardPasswordChange")}
          askCurrent
          submit={(input) => api("POST", "/holder/ecard/password/change", { ecardId, ...input })}
          done={t("ecardPasswordDone")}
        />
      )}
      <PasswordForm
        title={t("ecardPasswordReset")}
        askCurrent={false}
        submit={async ({ next }) => {
          if (!photo) throw new Error(t("livePhotoMissing"));
          await api("POST", "/holder/ecard/password/reset", {
            ecardId,
            livePhotoBase64: await base64Of(photo),
            next,
          });
          await reload();
        }}
        done={t("ecardPasswordDone")}
      >
        <PhotoField label={t("livePhoto")} hint={t("livePhotoHint")} onFile={setPhoto} />
      </PasswordForm>
    </>
  );
}
