import { useEffect, useState } from "react";
import { Applications } from "./Applications.tsx";
import { Areas } from "./Areas.tsx";
import { AuditLog } from "./AuditLog.tsx";
import { BenefitsPage } from "./Benefits.tsx";
import { BatchApply, Duplicates } from "./CardAdmin.tsx";
import { CataloguePage } from "./Catalogue.tsx";
import { BankTasks, OnlineCheck, Production } from "./CounterTasks.tsx";
import { ActionsProvider } from "./can.tsx";
import { EmployerPage } from "./Employer.tsx";
import { Institutions } from "./Institutions.tsx";
import { type TextKey, useT } from "./i18n.tsx";
import { KeyCeremonies } from "./KeyCeremonies.tsx";
import { KeyStatePage } from "./KeyState.tsx";
import type { Me } from "./Login.tsx";
import { Policies } from "./Policies.tsx";
import { Psams } from "./Psams.tsx";
import { Search } from "./Search.tsx";
import { ApiKeys, StaffAdmin } from "./StaffAdmin.tsx";
import { Till } from "./Till.tsx";

type Grant = { role: string; areaCode: string; employerId?: string | null; institutionId?: string | null };
type Page =
  | "search"
  | "batch"
  | "bank"
  | "production"
  | "benefits"
  | "duplicates"
  | "policies"
  | "staff"
  | "keys"
  | "audit"
  | "check"
  | "employees"
  | "till"
  | "institutions"
  | "catalogue"
  | "areas"
  | "applications"
  | "psams"
  | "keyState"
  | "ceremonies";

/** Each page and the action (docs/permissions.md) it needs: the server says which the caller has. */
const PAGES: readonly { page: Page; label: TextKey; action: string }[] = [
  { page: "search", label: "search", action: "cards.read" },
  { page: "batch", label: "batchApply", action: "cards.apply" },
  { page: "bank", label: "bankTasks", action: "cards.bank" },
  { page: "production", label: "production", action: "cards.produce" },
  { page: "benefits", label: "benefits", action: "benefits.disburse" },
  { page: "policies", label: "policies", action: "areas.writePolicy" },
  { page: "duplicates", label: "duplicates", action: "cards.counter" },
  { page: "areas", label: "areasCalendars", action: "cards.calendar" },
  { page: "applications", label: "applications", action: "areas.applications" },
  { page: "psams", label: "psams", action: "chip.terminals" },
  { page: "institutions", label: "institutions", action: "medical.institutions" },
  { page: "catalogue", label: "catalogue", action: "medical.catalogue" },
  { page: "staff", label: "staff", action: "staff.manage" },
  { page: "keys", label: "apiKeys", action: "staff.manage" },
  { page: "audit", label: "audit", action: "audit.read" },
  { page: "keyState", label: "keyState", action: "keys.read" },
  { page: "ceremonies", label: "keyCeremonies", action: "keys.read" },
  { page: "till", label: "till", action: "medical.settle" },
  { page: "check", label: "onlineCheck", action: "enrolment.check" },
  { page: "employees", label: "registerEmployee", action: "employers.employees" },
];

/** The menu a staff member sees: the pages whose action the permission matrix gives them. */
export function menuFor(me: { actions: readonly string[]; grants: readonly Grant[] }): {
  page: Page;
  label: TextKey;
}[] {
  return PAGES.filter(
    (p) =>
      me.actions.includes(p.action) &&
      // Registering employees here is an employer's own page: it needs the employer of the grant.
      (p.page !== "employees" || me.grants.some((g) => g.employerId)),
  ).map(({ page, label }) => ({ page, label }));
}

/** What the console is called for a staff member: by the kind of place their roles work at. */
export function consoleName(grants: readonly Grant[]): TextKey {
  const roles = new Set(grants.map((g) => g.role));
  if (roles.has("medical_operator") || roles.has("pharmacy_operator")) return "institutionConsole";
  if (roles.has("employer_operator")) return "employerConsole";
  if (roles.has("bank_clerk")) return "bankConsole";
  if (roles.has("auditor")) return "auditConsole";
  if (["ministry_admin", "province_admin", "city_admin"].some((r) => roles.has(r))) return "adminConsole";
  return "counter";
}

/**
 * The page shown, kept in the URL (`#/<page>`): F5 stays on it and Back returns to the page before.
 * A page the caller has no menu entry for falls back to the first one.
 */
function useHashPage(pages: readonly Page[]): [Page, (page: Page) => void] {
  const fromHash = () => {
    const wanted = location.hash.replace(/^#\/?/, "") as Page;
    return pages.includes(wanted) ? wanted : (pages[0] ?? "search");
  };
  const [page, setPage] = useState<Page>(fromHash);
  useEffect(() => {
    const follow = () => setPage(fromHash());
    addEventListener("hashchange", follow);
    return () => removeEventListener("hashchange", follow);
  });
  return [page, (next: Page) => (location.hash = `#/${next}`)];
}

/** The counter console: role-aware menu and its pages. */
export function Counter({ me }: { me: Extract<Me, { kind: "staff" }> }) {
  const t = useT();
  const menu = menuFor(me);
  const [page, setPage] = useHashPage(menu.map((m) => m.page));
  const title = menu.find((m) => m.page === page)?.label;
  return (
    <div className="console">
      <nav className="menu" aria-label={t(consoleName(me.grants))}>
        <ul>
          {menu.map((m) => (
            <li key={m.page}>
              <button
                type="button"
                className={m.page === page ? "menu-item active" : "menu-item"}
                aria-current={m.page === page ? "page" : undefined}
                onClick={() => setPage(m.page)}
              >
                {t(m.label)}
              </button>
            </li>
          ))}
        </ul>
      </nav>
      <ActionsProvider actions={me.actions}>
        <main id="main" className="content">
          {title ? <h1 className="page-title">{t(title)}</h1> : null}
          {page === "search" ? <Search area={me.grants[0]?.areaCode ?? ""} /> : null}
          {page === "bank" ? <BankTasks /> : null}
          {page === "production" ? <Production area={me.grants[0]?.areaCode ?? ""} /> : null}
          {page === "benefits" ? <BenefitsPage area={me.grants[0]?.areaCode ?? ""} /> : null}
          {page === "batch" ? <BatchApply area={me.grants[0]?.areaCode ?? ""} /> : null}
          {page === "policies" ? <Policies area={me.grants[0]?.areaCode ?? ""} /> : null}
          {page === "staff" ? <StaffAdmin area={me.grants[0]?.areaCode ?? ""} /> : null}
          {page === "duplicates" ? <Duplicates /> : null}
          {page === "keys" ? <ApiKeys area={me.grants[0]?.areaCode ?? ""} /> : null}
          {page === "audit" ? <AuditLog /> : null}
          {page === "institutions" ? <Institutions area={me.grants[0]?.areaCode ?? ""} /> : null}
          {page === "catalogue" ? <CataloguePage /> : null}
          {page === "areas" ? <Areas area={me.grants[0]?.areaCode ?? ""} /> : null}
          {page === "applications" ? <Applications /> : null}
          {page === "psams" ? <Psams /> : null}
          {page === "keyState" ? <KeyStatePage /> : null}
          {page === "ceremonies" ? <KeyCeremonies /> : null}
          {page === "check" ? <OnlineCheck /> : null}
          {page === "till" ? (
            <Till institutionId={me.grants.find((g) => g.institutionId)?.institutionId ?? ""} />
          ) : null}
          {page === "employees" ? (
            <EmployerPage employerId={me.grants.find((g) => g.employerId)?.employerId ?? ""} />
          ) : null}
        </main>
      </ActionsProvider>
    </div>
  );
}
