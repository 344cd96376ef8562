package dev.chrysalis.forge.gateway;

import dev.chrysalis.forge.errors.Errors;
import dev.chrysalis.forge.limits.PlanLimits;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceException;

/**
 * A chat call on the service's provider key costs the operator what the provider charges, while
 * the caller pays one message of the plan's quota. So such a call may not ask for more than the
 * plan pays for: at most the plan's choices ({@code n}) and output tokens ({@code max_tokens},
 * {@code max_completion_tokens}), and none of the options that raise the provider's price
 * ({@link PlanLimits#PRICED_OPTIONS}) unless the plan includes them. Every refusal is a 400 naming
 * the parameter. Calls on the caller's own key (BYOK) pass everything through. Pure CPU, a few map
 * lookups per call.
 */
final class ServiceKeyCallCheck {

  static final String OVER_PLAN = "parameter_over_plan_limit";
  static final String NOT_IN_PLAN = "parameter_not_in_plan";

  private ServiceKeyCallCheck() {
  }

  /** Throws a 400 naming the first parameter the plan does not pay for. */
  static void check(JsonObject body, String planId, PlanLimits.ServiceKeyCalls allowed) {
    int maxChoices = allowed.maxChoices();
    if (maxChoices > 0 && body.getValue("n") instanceof Number n && n.longValue() > maxChoices) {
      throw over("n", "n is at most " + maxChoices + " on the " + plan(planId) + " plan");
    }
    int maxOutput = allowed.maxOutputTokens();
    if (maxOutput > 0) {
      for (String field : new String[] {"max_completion_tokens", "max_tokens"}) {
        if (body.getValue(field) instanceof Number v && v.longValue() > maxOutput) {
          throw over(field, field + " is at most " + maxOutput + " on the " + plan(planId) + " plan");
        }
      }
    }
    if (body.getValue("service_tier") instanceof String tier && !tier.equals("auto") && !tier.equals("default")) {
      priced(allowed, planId, "service_tier", "service_tier \"" + tier(tier) + "\"");
    }
    if (body.getValue("modalities") instanceof JsonArray m && m.contains("audio")) {
      priced(allowed, planId, "audio", "modalities", "audio output");
    }
    if (body.getValue("audio") != null) {
      priced(allowed, planId, "audio", "audio", "audio output");
    }
    if (body.getValue("prediction") != null) {
      priced(allowed, planId, "prediction", "predicted outputs (prediction)");
    }
    if (body.getValue("web_search_options") != null) {
      priced(allowed, planId, "web_search_options", "web search (web_search_options)");
    }
  }

  private static void priced(PlanLimits.ServiceKeyCalls allowed, String planId, String option, String what) {
    priced(allowed, planId, option, option, what);
  }

  private static void priced(PlanLimits.ServiceKeyCalls allowed, String planId, String option, String param,
                             String what) {
    if (!allowed.pricedOptions().contains(option)) {
      throw Errors.error(400, NOT_IN_PLAN, what + " raises the provider's price and is not included in the "
        + plan(planId) + " plan. Use your own provider key (POST /provider-keys) or a plan that includes it.", param);
    }
  }

  private static ServiceException over(String param, String what) {
    return Errors.error(400, OVER_PLAN, what + " with the service's provider key. Ask for less, use your own "
      + "provider key (POST /provider-keys), or a plan that allows more.", param);
  }

  /** The plan id as billing names it; only letters, digits and a few signs reach a message. */
  private static String plan(String planId) {
    return planId == null || !planId.matches("[A-Za-z0-9_-]{1,32}") ? "current" : planId;
  }

  /** The client's value, shortened and without anything but word characters, for the message. */
  private static String tier(String value) {
    String cleaned = value.replaceAll("[^A-Za-z0-9_-]", "?");
    return cleaned.length() > 32 ? cleaned.substring(0, 32) + "…" : cleaned;
  }
}
