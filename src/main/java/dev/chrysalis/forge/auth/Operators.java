package dev.chrysalis.forge.auth;

import java.util.Locale;
import java.util.Set;

/**
 * The one rule for operator rights: the account's email is verified and equals (trimmed,
 * lower-cased) an entry of CHRYSALIS_ADMIN_EMAILS. An address nobody proved grants nothing.
 */
final class Operators {

  private final Set<String> emails;

  Operators(Set<String> emails) {
    this.emails = emails;
  }

  boolean isOperator(UserStore.UserRow user) {
    return user != null && user.emailVerified() && "active".equals(user.status())
      && emails.contains(user.email().trim().toLowerCase(Locale.ROOT));
  }
}
