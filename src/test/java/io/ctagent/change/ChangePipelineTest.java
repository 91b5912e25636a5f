package io.ctagent.change;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.mock;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mockito.Mockito;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

import io.ctagent.audit.AuditLog;
import io.ctagent.audit.AuditResult;
import io.ctagent.hostagent.EffectiveMode;
import io.ctagent.hostagent.HostAgent;
import io.ctagent.hostagent.HostWriter;
import io.ctagent.hostagent.MutationLock;
import io.ctagent.problem.OperatorProblem;
import io.ctagent.testsupport.AuditTrail;
import tools.jackson.databind.JsonNode;

/** The one change path: its steps in order, fail closed on the intent, a lost outcome is a warning, the actor. */
class ChangePipelineTest {

    private AuditTrail trail;
    private HostAgent host;
    private AuditLog audit;
    private ChangePipeline pipeline;

    @BeforeEach
    void wire() {
        trail = AuditTrail.inTempDir("ctagent-pipeline-audit");
        host = mock(HostAgent.class);
        given(host.mode()).willReturn(EffectiveMode.DIRECT);
        audit = Mockito.spy(trail.log());
        pipeline = new ChangePipeline(audit, new MutationLock(), new HostWriter(host, null));
    }

    @AfterEach
    void clear() {
        SecurityContextHolder.clearContext();
    }

    /** A change that writes down each step it is asked to run, and what the audit held at that moment. */
    class Recorded implements Change<String> {
        final List<String> steps = new ArrayList<>();
        Actor actor = Actor.caller();
        boolean dryRun;
        RuntimeException refuse;
        int recordsWhenApplied = -1;

        @Override
        public String action() {
            return "test.change";
        }

        @Override
        public String target() {
            return "thing";
        }

        @Override
        public Map<String, ?> params() {
            return Map.of("value", 7);
        }

        @Override
        public Actor actor() {
            return actor;
        }

        @Override
        public boolean dryRunAsked() {
            return dryRun;
        }

        @Override
        public void guard(ChangeMode mode) {
            steps.add("guard:" + mode);
            if (refuse != null) {
                throw refuse;
            }
        }

        @Override
        public Object before() {
            return Map.of("value", 1);
        }

        @Override
        public void apply() {
            recordsWhenApplied = trail.records().size();
            steps.add("apply");
        }

        @Override
        public Done<String> readBack() {
            steps.add("readBack");
            return new Done<>(AuditResult.APPLIED, before(), Map.of("value", 7), List.of(), null, List.of("w1"),
                    (auditId, warnings) -> auditId + " " + warnings);
        }

        @Override
        public Done<String> plan() {
            steps.add("plan");
            return new Done<>(AuditResult.DRY_RUN, before(), Map.of("value", 7), List.of(), null, List.of(),
                    (auditId, warnings) -> "planned " + auditId);
        }
    }

    @Test
    void theStepsRunInOrderWithTheIntentWrittenBeforeTheHostIsTouchedAndTheOutcomeAfter() {
        Recorded change = new Recorded();

        String answer = pipeline.run(change);

        assertThat(change.steps).containsExactly("guard:APPLY", "apply", "readBack");
        assertThat(change.recordsWhenApplied).isEqualTo(1);
        List<JsonNode> records = trail.records();
        assertThat(records).hasSize(2);
        assertThat(records.get(0).path("phase").asString()).isEqualTo("intent");
        AuditTrail.Change recorded = trail.change(records.get(1).path("id").asString());
        assertThat(recorded.result()).isEqualTo("APPLIED");
        assertThat(answer).isEqualTo(records.get(1).path("id").asString() + " [w1]");
    }

    @Test
    void aLostIntentIs503AndNothingIsApplied() throws Exception {
        Recorded change = new Recorded();

        trail.unavailableDuring(() -> assertThatThrownBy(() -> pipeline.run(change))
                .isInstanceOfSatisfying(OperatorProblem.class, problem -> {
                    assertThat(problem.getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
                    assertThat(problem.getBody().getType().toString()).endsWith(":audit-unavailable");
                }));

        assertThat(change.steps).containsExactly("guard:APPLY");
        assertThat(trail.records()).isEmpty();
    }

    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void aLostOutcomeAfterAnAppliedChangeIsAWarningAndTheIntentIdAnswers(CapturedOutput output) {
        trail.losingOutcomes(audit);
        Recorded change = new Recorded();

        String answer = pipeline.run(change);

        assertThat(change.steps).containsExactly("guard:APPLY", "apply", "readBack");
        List<JsonNode> records = trail.records();
        assertThat(records).singleElement().satisfies(intent -> {
            assertThat(intent.path("phase").asString()).isEqualTo("intent");
            assertThat(answer).startsWith(intent.path("id").asString() + " [w1, The change ended APPLIED but its "
                    + "outcome could not be written");
        });
        // The agent's log must not tell the operator that nothing changed: the host has.
        assertThat(output.getOut()).contains("the change is done (APPLIED) but the outcome of audit intent")
                .doesNotContain("nothing was changed").doesNotContain("refusing");
    }

    @Test
    void aRefusalByAGuardIsOneRecordAndNoIntent() {
        Recorded change = new Recorded();
        change.refuse = new OperatorProblem(HttpStatus.CONFLICT, "guard-refused", "Refused", "too low");

        assertThatThrownBy(() -> pipeline.run(change)).isSameAs(change.refuse);

        assertThat(trail.records()).singleElement().satisfies(record -> {
            assertThat(record.path("phase").asString()).isEqualTo("rejected");
            assertThat(record.path("result").asString()).isEqualTo("FAILED");
            assertThat(record.path("reason").asString()).isEqualTo("guard-refused: too low");
        });
        assertThat(change.steps).containsExactly("guard:APPLY");
    }

    @Test
    void aReadOnlyAgentRefusesOnceWithReadOnlyModeButPlansADryRun() {
        given(host.mode()).willReturn(EffectiveMode.READ_ONLY);
        Recorded change = new Recorded();

        assertThatThrownBy(() -> pipeline.run(change)).isInstanceOfSatisfying(OperatorProblem.class, problem -> {
            assertThat(problem.getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
            assertThat(problem.getBody().getType().toString()).isEqualTo("urn:ctagent:problem:read-only-mode");
        });
        assertThat(change.steps).isEmpty();
        assertThat(trail.records()).singleElement()
                .satisfies(record -> assertThat(record.path("reason").asString()).startsWith("read-only-mode: "));

        Recorded dryRun = new Recorded();
        dryRun.dryRun = true;
        assertThat(pipeline.run(dryRun)).startsWith("planned ");
        assertThat(dryRun.steps).containsExactly("guard:DRY_RUN", "plan");
    }

    @Test
    void theAgentsDryRunModeOnlyPlans() {
        given(host.mode()).willReturn(EffectiveMode.DRY_RUN);
        Recorded change = new Recorded();

        pipeline.run(change);

        assertThat(change.steps).containsExactly("guard:AGENT_DRY_RUN", "plan");
    }

    @Test
    void anUnforeseenFailureAfterTheIntentIsAFailedOutcomeAndIsRethrown() {
        IllegalStateException boom = new IllegalStateException("disk on fire");
        Recorded change = new Recorded() {
            @Override
            public void apply() {
                throw boom;
            }
        };

        assertThatThrownBy(() -> pipeline.run(change)).isSameAs(boom);

        List<JsonNode> records = trail.records();
        assertThat(records).hasSize(2);
        assertThat(records.get(1).path("result").asString()).isEqualTo("FAILED");
        assertThat(records.get(1).path("reason").asString()).isEqualTo("disk on fire");
    }

    @Test
    void theActorOfAJwtCallerIsItsSubject() {
        Jwt jwt = Jwt.withTokenValue("t").header("alg", "RS256").subject("alice@portal")
                .issuedAt(Instant.now()).expiresAt(Instant.now().plusSeconds(60)).build();
        SecurityContextHolder.getContext().setAuthentication(
                new JwtAuthenticationToken(jwt, List.of(new SimpleGrantedAuthority("ROLE_OPERATOR"))));

        pipeline.run(new Recorded());

        assertThat(trail.records()).allSatisfy(record -> {
            assertThat(record.path("actor").asString()).isEqualTo("alice@portal");
            assertThat(record.path("roles").toString()).isEqualTo("[\"operator\"]");
        });
    }

    @Test
    void theAgentsOwnChangeIsSystemWithoutARequest() {
        pipeline.run(new Recorded());

        assertThat(trail.records()).hasSize(2)
                .allSatisfy(record -> assertThat(record.path("actor").asString()).isEqualTo("system"));
    }

    @Test
    void aChangeForSystemOrAPolicyNamesItEvenWhileACallerIsAuthenticated() {
        Jwt jwt = Jwt.withTokenValue("t").header("alg", "RS256").subject("alice@portal").build();
        SecurityContextHolder.getContext().setAuthentication(new JwtAuthenticationToken(jwt, List.of()));
        Recorded lifeline = new Recorded();
        lifeline.actor = Actor.system();
        Recorded remediation = new Recorded();
        remediation.actor = Actor.policy("remediation");
        remediation.refuse = new OperatorProblem(HttpStatus.CONFLICT, "guard-refused", "Refused", "no");

        pipeline.run(lifeline);
        assertThatThrownBy(() -> pipeline.run(remediation)).isInstanceOf(OperatorProblem.class);

        List<JsonNode> records = trail.records();
        assertThat(records).hasSize(3);
        assertThat(records.subList(0, 2)).allSatisfy(record -> {
            assertThat(record.path("actor").asString()).isEqualTo("system");
            assertThat(record.path("roles").size()).isZero();
        });
        assertThat(records.get(2).path("actor").asString()).isEqualTo("policy:remediation");
    }

    @Test
    void aPolicyNameIsAPlainWord() {
        assertThat(Actor.policy("remediation")).hasToString("policy:remediation");
        assertThatThrownBy(() -> Actor.policy("x y")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Actor.policy(null)).isInstanceOf(IllegalArgumentException.class);
    }
}
