// Username and password rules for accounts created or changed in-band (docs/registration.md):
// usernames are PRECIS UsernameCaseMapped (checked by Accounts) and not reserved; passwords are
// long enough, not on the deny list and not the username itself.

export interface CredentialPolicy {
  minPasswordLength: number;
  /** Compared case-insensitively. */
  deniedPasswords: ReadonlySet<string>;
  /** Normalised localparts nobody may register in-band. */
  reservedUsernames: ReadonlySet<string>;
}

export function makePolicy(o: { min_password_length: number; denied_passwords: string[]; reserved_usernames: string[] }): CredentialPolicy {
  return {
    minPasswordLength: o.min_password_length,
    deniedPasswords: new Set(o.denied_passwords.map((p) => p.toLowerCase())),
    reservedUsernames: new Set(o.reserved_usernames.map((u) => u.toLowerCase())),
  };
}

/** Why the password is refused, or null when it is acceptable. */
export function passwordProblem(password: string, username: string, p: CredentialPolicy): string | null {
  if (password.length === 0) return 'The password must not be empty';
  // Length in code points, not UTF-16 units, so non-Latin passwords are not penalised.
  if ([...password].length < p.minPasswordLength) return `The password needs at least ${p.minPasswordLength} characters`;
  if (p.deniedPasswords.has(password.toLowerCase())) return 'This password is too common';
  if (password.toLowerCase() === username.toLowerCase()) return 'The password must differ from the username';
  return null;
}

/** Why the (already normalised) username is refused, or null. */
export function usernameProblem(username: string, p: CredentialPolicy): string | null {
  if (p.reservedUsernames.has(username)) return 'This username is reserved';
  return null;
}
