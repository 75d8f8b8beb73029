import { localTime } from "./clock.ts";
import { useT } from "./i18n.tsx";
import { Notice, Section, useAction, useLoaded } from "./ui.tsx";

type Key = {
  label: string;
  usage: string;
  algorithm: string;
  version: number;
  areaCode: string | null;
  asymmetric: boolean;
  createdAt: string;
  retiredAt: string | null;
  state: "active" | "retired";
};

/** A public key verifiers trust: one per signing purpose and version (GET /signing-keys). */
type Published = { purpose: string; version: number; inForce: boolean; publicKey: string };

/**
 * What the key ceremonies have put in the encryption machine, for the nation and the caller's areas:
 * each key's usage, area, version and whether it is in force (keys themselves never leave it).
 */
export function KeyStatePage() {
  const t = useT();
  const { error, run } = useAction();
  const [keys] = useLoaded<Key[]>("/keys", run);
  const [published] = useLoaded<Published[]>("/signing-keys", run);
  return (
    <>
      <Section title={t("keyState")}>
        <p className="field-hint">{t("keyStateHint")}</p>
        {error ? <Notice kind="error">{error}</Notice> : null}
        {keys?.length === 0 ? <Notice kind="warning">{t("keyStateNone")}</Notice> : null}
        {keys?.length ? (
          <table className="table">
            <caption className="visually-hidden">{t("keyState")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("keyLabel")}</th>
                <th scope="col">{t("keyUsage")}</th>
                <th scope="col">{t("keyArea")}</th>
                <th scope="col">{t("keyVersion")}</th>
                <th scope="col">{t("keyCreated")}</th>
                <th scope="col">{t("state")}</th>
              </tr>
            </thead>
            <tbody>
              {keys.map((k) => (
                <tr key={k.label}>
                  <td>
                    <code>{k.label}</code>
                  </td>
                  <td>
                    {k.usage} · {k.algorithm}
                    {k.asymmetric ? ` · ${t("keyPair")}` : ""}
                  </td>
                  <td>{k.areaCode ?? t("keyNational")}</td>
                  <td>{k.version}</td>
                  <td>{localTime(k.createdAt)}</td>
                  <td>
                    {k.state === "active"
                      ? t("keyActive")
                      : t("keyRetired", { at: localTime(k.retiredAt ?? "") })}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </Section>
      {published?.length ? (
        <Section title={t("signingKeys")}>
          <p className="field-hint">{t("signingKeysHint")}</p>
          <table className="table">
            <caption className="visually-hidden">{t("signingKeys")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("signingPurpose")}</th>
                <th scope="col">{t("keyVersion")}</th>
                <th scope="col">{t("state")}</th>
                <th scope="col">{t("signingPublicKey")}</th>
              </tr>
            </thead>
            <tbody>
              {published.map((k) => (
                <tr key={`${k.purpose}-${k.version}`}>
                  <td>{t.code(`signing_${k.purpose}`)}</td>
                  <td>{k.version}</td>
                  <td>{k.inForce ? t("keyActive") : t("signingOlder")}</td>
                  <td>
                    <code className="public-key">{k.publicKey}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Section>
      ) : null}
    </>
  );
}
