/**
 * Hook for a bank's own directory (LDAP / Active Directory bind, or an OIDC provider's ID token).
 * CallScope ships none: an implementation is passed to `openAuth(dataDir, { identityProvider })`.
 *
 * The provider only proves WHO someone is. What they may see stays local: the user must exist in
 * auth.sqlite (created with `callscope users add`), and role, data scope and the unmask right come
 * from there, so a directory group change can never widen a user's access by itself.
 * See docs/security.md, "Single sign-on".
 */
export interface IdentityProvider {
  readonly name: string;
  /**
   * Checks a user name and password against the directory (an LDAP bind, say). Returns the local user
   * name it proves, or null when the directory refuses. Throwing means the directory is unreachable.
   */
  verifyPassword?(username: string, password: string): Promise<string | null>;
  /**
   * Checks a bearer credential issued by the provider (an OIDC ID token: signature, issuer, audience,
   * expiry) and returns the local user name it proves, or null.
   */
  verifyToken?(token: string): Promise<string | null>;
}
