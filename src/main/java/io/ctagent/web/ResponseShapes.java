package io.ctagent.web;

import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.RecordComponent;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.stereotype.Component;

import org.jspecify.annotations.Nullable;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.swagger.v3.core.converter.AnnotatedType;
import io.swagger.v3.core.converter.ModelConverter;
import io.swagger.v3.core.converter.ModelConverterContext;
import io.swagger.v3.core.util.Json;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.media.Schema;

/**
 * Marks nullable every record component annotated {@code @Nullable} (JSpecify), and lists as
 * required every property the agent always writes. A response record is written with all
 * its components, null included (nullable ones say so with {@code @Nullable}), except
 * components under {@code @JsonInclude(NON_NULL)}, which are left out when null. Request bodies and
 * parameters are left alone: there, only what {@code @Schema(requiredMode = REQUIRED)} names is required.
 * By rule, so that a field added later is covered without editing the spec.
 */
@Component
class ResponseShapes implements ModelConverter, OpenApiCustomizer {

    /** Schema name (the record's simple name) -> the properties left out when null. */
    private final Map<String, Set<String>> records = new ConcurrentHashMap<>();
    /** Schema name -> the properties that can be null. */
    private final Map<String, Set<String>> nullables = new ConcurrentHashMap<>();

    @Override
    public Schema resolve(AnnotatedType type, ModelConverterContext context, Iterator<ModelConverter> chain) {
        Class<?> raw = type.getType() == null ? null : Json.mapper().constructType(type.getType()).getRawClass();
        if (raw != null && raw.isRecord()) {
            Set<String> omitted = new HashSet<>();
            Set<String> nullable = new HashSet<>();
            boolean classOmits = omitsNull(raw);
            for (RecordComponent component : raw.getRecordComponents()) {
                if (classOmits || omitsNull(component) || omitsNull(component.getAccessor())) {
                    omitted.add(component.getName());
                }
                if (component.getAnnotatedType().isAnnotationPresent(Nullable.class)) {
                    nullable.add(component.getName());
                }
            }
            records.putIfAbsent(raw.getSimpleName(), omitted);
            nullables.putIfAbsent(raw.getSimpleName(), nullable);
        }
        return chain.hasNext() ? chain.next().resolve(type, context, chain) : null;
    }

    private static boolean omitsNull(AnnotatedElement element) {
        JsonInclude include = element.getAnnotation(JsonInclude.class);
        return include != null && include.value() != JsonInclude.Include.ALWAYS
                && include.value() != JsonInclude.Include.USE_DEFAULTS;
    }

    @Override
    public void customise(OpenAPI api) {
        Map<String, Schema> schemas = api.getComponents().getSchemas();
        if (schemas == null || api.getPaths() == null) {
            return;
        }
        Set<String> inputs = reachable(inputRoots(api), schemas);
        schemas.forEach((name, schema) -> markNullable(schema, nullables.getOrDefault(name, Set.of()), schemas));
        schemas.forEach((name, schema) -> {
            Set<String> omitted = records.get(name);
            if (omitted == null || inputs.contains(name) || schema.getProperties() == null) {
                return;
            }
            List<String> required = new ArrayList<>();
            ((Map<String, Schema>) schema.getProperties()).keySet().stream()
                    .filter(property -> !omitted.contains(property)).forEach(required::add);
            schema.setRequired(required.isEmpty() ? null : required);
        });
    }

    /**
     * In OpenAPI 3.0 a $ref ignores its siblings, and a validator checks null against the referred
     * schema: a nullable reference marks the referred schema nullable.
     */
    private static void markNullable(Schema schema, Set<String> names, Map<String, Schema> schemas) {
        if (schema.getProperties() == null) {
            return;
        }
        Map<String, Schema> properties = schema.getProperties();
        for (String name : names) {
            Schema property = properties.get(name);
            if (property == null) {
                continue;
            }
            Schema target = property.get$ref() == null ? property
                    : schemas.get(property.get$ref().substring(property.get$ref().lastIndexOf('/') + 1));
            if (target != null) {
                target.setNullable(true);
            }
        }
    }

    private static List<Schema> inputRoots(OpenAPI api) {
        List<Schema> roots = new ArrayList<>();
        api.getPaths().values().forEach(item -> item.readOperations().forEach((Operation operation) -> {
            if (operation.getRequestBody() != null && operation.getRequestBody().getContent() != null) {
                operation.getRequestBody().getContent().values().forEach(media -> roots.add(media.getSchema()));
            }
            if (operation.getParameters() != null) {
                operation.getParameters().forEach(parameter -> roots.add(parameter.getSchema()));
            }
        }));
        return roots;
    }

    /** Names of the component schemas the given schemas refer to, directly or through others. */
    private static Set<String> reachable(List<Schema> roots, Map<String, Schema> schemas) {
        Set<String> names = new HashSet<>();
        Deque<Schema> todo = new ArrayDeque<>(roots.stream().filter(java.util.Objects::nonNull).toList());
        while (!todo.isEmpty()) {
            Schema schema = todo.pop();
            if (schema.get$ref() != null) {
                String name = schema.get$ref().substring(schema.get$ref().lastIndexOf('/') + 1);
                if (names.add(name) && schemas.containsKey(name)) {
                    todo.push(schemas.get(name));
                }
                continue;
            }
            if (schema.getProperties() != null) {
                ((Map<String, Schema>) schema.getProperties()).values().forEach(todo::push);
            }
            if (schema.getItems() != null) {
                todo.push(schema.getItems());
            }
            if (schema.getAdditionalProperties() instanceof Schema extra) {
                todo.push(extra);
            }
            for (List<Schema> group : java.util.Arrays.asList(schema.getAllOf(), schema.getOneOf(), schema.getAnyOf())) {
                if (group != null) {
                    group.forEach(todo::push);
                }
            }
        }
        return names;
    }
}
