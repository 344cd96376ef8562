package dev.chrysalis.forge.auth;

import dev.chrysalis.forge.text.EmailAddress;

import java.util.Set;

/**
 * The one rule for operator rights: the account's email is verified and equals (both in the
 * canonical form of {@link EmailAddress}) an entry of CHRYSALIS_ADMIN_EMAILS. An address nobody proved grants nothing.
 */
final class Operators {

  private final Set<String> emails;

  Operators(Set<String> emails) {
    this.emails = emails;
  }

  boolean isOperator(UserStore.UserRow user) {
    return user != null && user.emailVerified() && "active".equals(user.status())
      && emails.contains(EmailAddress.normalize(user.email()));
  }
}
