import { createContext, type ReactNode, useContext } from "react";

/**
 * What the signed-in principal may do: the actions (docs/permissions.md) `GET /auth/me` listed. The
 * pages show a button or a form only when its action is here, so nobody is offered what the server
 * would refuse.
 */
const Actions = createContext<readonly string[]>([]);

export function ActionsProvider({ actions, children }: { actions: readonly string[]; children: ReactNode }) {
  return <Actions.Provider value={actions}>{children}</Actions.Provider>;
}

/** Whether the principal may take an action: `can("cards.counter")`. */
export function useCan(): (action: string) => boolean {
  const actions = useContext(Actions);
  return (action) => actions.includes(action);
}
