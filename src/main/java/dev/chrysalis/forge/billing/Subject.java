package dev.chrysalis.forge.billing;

/** Who a plan and a quota belong to: a user, or an org in an org context. */
record Subject(String type, String id) {

  static Subject user(String userId) {
    return new Subject("user", userId);
  }

  static Subject org(String orgId) {
    return new Subject("org", orgId);
  }

  boolean isOrg() {
    return "org".equals(type);
  }
}
