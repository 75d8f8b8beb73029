/** Age in whole years on a day (dates YYYY-MM-DD): one less until the birthday. */
export function ageOn(birthDate: string, today: string): number {
  const [by, bm, bd] = birthDate.split("-").map(Number);
  const [ty, tm, td] = today.split("-").map(Number);
  return ty - by - (tm < bm || (tm === bm && td < bd) ? 1 : 0);
}

/**
 * Below this age a guardian acts for a child: applies for the card (the guardian signs the application
 * form) and adds the child to the e-card's family service with the guardian's own photo.
 */
export const GUARDIAN_AGE = 16;

/** Whether a person born on `birthDate` is younger than `GUARDIAN_AGE` on `today`. */
export const needsGuardian = (birthDate: string, today: string): boolean =>
  ageOn(birthDate, today) < GUARDIAN_AGE;
