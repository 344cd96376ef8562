package dev.chrysalis.forge.workspace;

import dev.chrysalis.forge.errors.Errors;
import dev.chrysalis.forge.limits.ObjectCaps;
import dev.chrysalis.forge.limits.PlanLimits;
import dev.chrysalis.forge.store.Ids;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceException;

import java.text.Normalizer;
import java.util.Locale;

/** Projects: the rules; SQL lives in {@link ProjectStore}. */
final class Projects {

  static final int THREADS_SHOWN = 50;

  private final ProjectStore store;
  private final ThreadStore threads;
  private final Orgs orgs;
  private final PlanFeatures features;

  private final ObjectCaps caps;

  Projects(ProjectStore store, ThreadStore threads, Orgs orgs, PlanFeatures features, ObjectCaps caps) {
    this.caps = caps;
    this.store = store;
    this.threads = threads;
    this.orgs = orgs;
    this.features = features;
  }

  Future<JsonObject> list(String userId, JsonObject r) throws ServiceException {
    String orgId = Input.id(r, "org_id");
    Page page = Page.from(r);
    Future<?> check = orgId == null ? Future.succeededFuture() : orgs.requireRole(orgId, userId, role -> true, "member");
    return check.compose(v -> store.list(userId, orgId, page));
  }

  Future<JsonObject> create(String userId, JsonObject r) throws ServiceException {
    String name = Input.requiredLine(r, "name", 100);
    String slug = Input.line(r, "slug", 64);
    if (slug == null) {
      slug = slugify(name);
    } else if (!Input.SLUG.matcher(slug).matches()) {
      return Errors.badRequest("invalid_slug", "slug must be 1-64 characters of a-z, 0-9 and '-'.", "slug");
    }
    String description = Input.text(r, "description", 2000);
    JsonObject settings = Input.object(r, "settings");
    String orgId = Input.id(r, "org_id");
    String id = Ids.next("prj");
    String finalSlug = slug;
    Future<?> check = orgId == null ? Future.succeededFuture() : orgs.requireRole(orgId, userId, Role::canWrite, "write")
      .compose(v -> features.require(userId, orgId, PlanFeatures.SHARED_THREADS));
    return check.compose(v -> caps.cap(userId, orgId, PlanLimits.Kind.PROJECTS))
      .compose(cap -> store.insert(id, userId, orgId, name, finalSlug, description,
          settings == null ? new JsonObject() : settings, cap)
        .compose(inserted -> inserted ? Future.<Void>succeededFuture()
          : Future.<Void>failedFuture(ObjectCaps.reached(PlanLimits.Kind.PROJECTS, cap))))
      .recover(t -> Errors.isUniqueViolation(t)
        ? Errors.conflict("slug_taken", orgId == null ? "You already have a project with this slug."
          : "This organization already has a project with this slug.")
        : Future.failedFuture(t))
      .compose(v -> store.access(id, userId)).map(Access::resource);
  }

  Future<JsonObject> get(String userId, JsonObject r) throws ServiceException {
    String projectId = Input.requiredId(r, "project_id");
    return store.access(projectId, userId).compose(a -> a.readable("Project"))
      .compose(project -> threads.list(userId, projectId, null, new Page(THREADS_SHOWN, null))
        .map(page -> project.copy().put("threads", page)));
  }

  /** A slug from a name: lower-case ASCII letters and digits, other runs become one '-'. */
  static String slugify(String name) {
    String ascii = Normalizer.normalize(name, Normalizer.Form.NFKD).replaceAll("\\p{M}", "");
    String slug = ascii.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
    if (slug.length() > 64) {
      slug = slug.substring(0, 64).replaceAll("-+$", "");
    }
    return slug.isEmpty() ? "project" : slug;
  }
}
