package io.ctagent.web;

import io.ctagent.problem.InvalidInput;
import org.springframework.context.annotation.Configuration;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Request input is parsed into typed values by each feature (InvalidInput names the field), so
 * MVC gets a validator that validates nothing instead of bootstrapping Bean Validation at start-up:
 * Hibernate Validator is on the class path only for springdoc, and loading it cost ~500 classes of
 * resident memory (docs/PERFORMANCE.md).
 */
@Configuration(proxyBeanMethods = false)
class NoBeanValidation implements WebMvcConfigurer {

    static final Validator NONE = new Validator() {
        @Override
        public boolean supports(Class<?> type) {
            return false;
        }

        @Override
        public void validate(Object target, Errors errors) {
            // supports nothing, so never called
        }
    };

    @Override
    public Validator getValidator() {
        return NONE;
    }
}
