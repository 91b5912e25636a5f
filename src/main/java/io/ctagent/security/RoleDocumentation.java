package io.ctagent.security;

import java.util.List;
import java.util.Optional;

import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.http.server.PathContainer;
import org.springframework.stereotype.Component;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;

/**
 * States on every operation of the spec the role it needs, read from the same {@link AccessRules}
 * table that enforces it, so the two cannot disagree: the extension {@code x-required-role} for
 * programs and a sentence in the description for people.
 */
@Component
class RoleDocumentation implements OpenApiCustomizer {

    static final String EXTENSION = "x-required-role";

    private final List<AccessRules.Rule> rules = AccessRules.table(false);

    @Override
    public void customise(OpenAPI api) {
        if (api.getPaths() == null) {
            return;
        }
        api.getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, operation) ->
                ruleFor(method.name(), path).ifPresent(rule -> document(operation, rule))));
    }

    private Optional<AccessRules.Rule> ruleFor(String method, String path) {
        // A spec path such as /api/v1/sysctls/{key} matches its own pattern: {key} is one segment.
        PathContainer parsed = PathContainer.parsePath(path);
        return rules.stream().filter(rule -> rule.matches(method, parsed)).findFirst();
    }

    private static void document(Operation operation, AccessRules.Rule rule) {
        String role = rule.access().role();
        operation.addExtension(EXTENSION, role);
        String sentence = "Needs role " + role + " (or a role above it: " + above(rule.access()) + ").";
        String description = operation.getDescription();
        operation.setDescription(description == null || description.isBlank() ? sentence
                : description + "\n\n" + sentence);
    }

    private static String above(AccessRules.Access access) {
        return switch (access) {
            case VIEWER -> "operator or admin";
            case OPERATOR, AUDITOR -> "admin";
            case PUBLIC -> "none needed";
        };
    }
}
