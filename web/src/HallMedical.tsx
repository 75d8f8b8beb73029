import { useEffect, useState } from "react";
import { api } from "./api.ts";
import { HallBenefits } from "./Benefits.tsx";
import { HallInsurance, HallStatement } from "./HallInsurance.tsx";
import { useT } from "./i18n.tsx";
import { Section } from "./ui.tsx";

type Account = {
  balanceFen: number;
  contributions: { month: string; payer: string; employerFen: number; personalFen: number; paidAt: string }[];
  credits: { month: string; amountFen: number; at: string }[];
  settlements: {
    settlementId: string;
    institution: string;
    day: string;
    state: string;
    totalFen: number;
    accountFen: number;
    selfFen: number;
    items: {
      name: string;
      class: string;
      quantity: number;
      amountFen: number;
      accountFen: number;
      selfFen: number;
    }[];
  }[];
};

const yuan = (fen: number) => (fen / 100).toFixed(2);

/**
 * The holder's insurance and medical personal account in the hall: enrolments, arrears and contributions;
 * balance, monthly credits, settlements with their items; the statement for a period.
 */
export function HallMedical() {
  const [account, setAccount] = useState<Account | null | undefined>();
  useEffect(() => {
    api<Account>("GET", "/holder/medical").then(setAccount, () => setAccount(null));
  }, []);
  return (
    <>
      <HallInsurance contributions={account?.contributions} />
      <HallBenefits />
      {account === null ? null : <MedicalAccount account={account} />}
      {account === null ? null : <HallStatement />}
    </>
  );
}

function MedicalAccount({ account }: { account: Account | undefined }) {
  const t = useT();
  return (
    <Section title={t("medicalAccount")}>
      {account ? (
        <>
          <p>
            {t("medicalBalance")}: <strong>¥{yuan(account.balanceFen)}</strong>
          </p>
          <h3>{t("medicalCredits")}</h3>
          {account.credits.length ? (
            <ul>
              {account.credits.map((c) => (
                <li key={c.month}>
                  {c.month}: ¥{yuan(c.amountFen)}
                </li>
              ))}
            </ul>
          ) : (
            <p>{t("medicalNone")}</p>
          )}
          <h3>{t("medicalSettlements")}</h3>
          {account.settlements.length ? (
            <table>
              <thead>
                <tr>
                  <th scope="col">{t("medicalDay")}</th>
                  <th scope="col">{t("medicalInstitution")}</th>
                  <th scope="col">{t("medicalItems")}</th>
                  <th scope="col">{t("medicalFromAccount")}</th>
                  <th scope="col">{t("medicalSelfPaid")}</th>
                </tr>
              </thead>
              <tbody>
                {account.settlements.map((s) => (
                  <tr key={s.settlementId}>
                    <td>{s.day}</td>
                    <td>{s.institution}</td>
                    <td>
                      {s.items
                        .map((i) => `${i.name} ×${i.quantity}（${t.code(`class_${i.class}`)}）`)
                        .join("；")}
                    </td>
                    <td>¥{yuan(s.accountFen)}</td>
                    <td>¥{yuan(s.selfFen)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p>{t("medicalNone")}</p>
          )}
        </>
      ) : (
        <p>{t("loading")}</p>
      )}
    </Section>
  );
}
