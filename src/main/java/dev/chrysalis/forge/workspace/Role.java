package dev.chrysalis.forge.workspace;

/**
 * Org roles and what each may do: every member reads; owner, admin and member write; owner and
 * admin administer; readers never write. Only an owner grants or takes away ownership.
 */
enum Role {
  OWNER, ADMIN, MEMBER, READER;

  static Role of(String name) {
    return name == null ? null : Role.valueOf(name.toUpperCase(java.util.Locale.ROOT));
  }

  String wire() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  boolean canWrite() {
    return this != READER;
  }

  boolean canAdmin() {
    return this == OWNER || this == ADMIN;
  }
}
