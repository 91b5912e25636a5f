package io.ctagent;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.FileReader;
import java.io.FileWriter;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

import io.ctagent.audit.AuditIntent;
import io.ctagent.audit.AuditLog;
import io.ctagent.audit.AuditResult;
import io.ctagent.audit.DeniedRequests;

/**
 * The map of the code, stated once and checked: the package layout and rules of README.md
 * ("How it is built") and of the change pipeline in docs/SECURITY.md ("For developers: making a
 * change"). Each rule names why it holds.
 */
class ArchitectureTest {

    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.ctagent");

    /** Every package that is a feature (or a layer above the host agent). */
    private static final String[] ABOVE_THE_HOST_AGENT = {"io.ctagent.usage..", "io.ctagent.sysctl..",
        "io.ctagent.hashsize..", "io.ctagent.entries..", "io.ctagent.notrack..", "io.ctagent.monitor..",
        "io.ctagent.security..", "io.ctagent.tuning..", "io.ctagent.audit..", "io.ctagent.change..",
        "io.ctagent.web..", "io.ctagent.launch.."};

    @Test
    void packagesHaveNoCycles() {
        slices().matching("io.ctagent.(*)..")
                .should().beFreeOfCycles()
                .because("a package by feature sits above the ones it uses, never beside a copy of itself")
                .check(MAIN);
    }

    @Test
    void onlyTheHostAgentRunsProcesses() {
        noClasses().that().resideOutsideOfPackage("io.ctagent.hostagent..")
                .should().dependOnClassesThat().haveFullyQualifiedName(ProcessBuilder.class.getName())
                .orShould().callMethod(Runtime.class, "exec", String.class)
                .orShould().callMethod(Runtime.class, "exec", String[].class)
                .orShould().dependOnClassesThat().haveFullyQualifiedName(ProcessHandle.class.getName())
                .because("every host command goes through CommandRunner: argv lists, timeouts, capped output")
                .check(MAIN);
    }

    @Test
    void onlyTheHostAgentAndTheAuditLogTouchFiles() {
        noClasses().that().resideOutsideOfPackages("io.ctagent.hostagent..", "io.ctagent.audit..")
                .should().dependOnClassesThat().belongToAnyOf(Files.class, FileInputStream.class,
                        FileOutputStream.class, FileReader.class, FileWriter.class, RandomAccessFile.class,
                        FileChannel.class, File.class)
                .because("paths under /proc, /sys and /etc are resolved and read through HostPaths and HostAgent")
                .check(MAIN);
    }

    @Test
    void theHostAgentDependsOnNothingAboveIt() {
        noClasses().that().resideInAPackage("io.ctagent.hostagent..")
                .should().dependOnClassesThat().resideInAnyPackage(ABOVE_THE_HOST_AGENT)
                .because("hostagent is the bottom layer: features use it, it knows none of them")
                .check(MAIN);
    }

    @Test
    void theProblemPackageDependsOnNoFeature() {
        noClasses().that().resideInAPackage("io.ctagent.problem..")
                .should().dependOnClassesThat().resideInAnyPackage(ABOVE_THE_HOST_AGENT)
                .orShould().dependOnClassesThat().resideInAPackage("io.ctagent.hostagent..")
                .because("the shared problem vocabulary sits below everything that uses it, hostagent too")
                .check(MAIN);
    }

    @Test
    void onlyTheChangePipelineWritesChangeRecords() {
        noClasses().that().resideOutsideOfPackage("io.ctagent.change..").and().doNotBelongToAnyOf(AuditLog.class)
                .should().callMethod(AuditLog.class, "intent", String.class, String.class, Map.class, Object.class)
                .orShould().callMethod(AuditLog.class, "outcome", AuditIntent.class, AuditResult.class,
                        Object.class, Object.class, List.class, String.class)
                .orShould().callMethod(AuditLog.class, "attempt", String.class, String.class, Map.class,
                        Supplier.class)
                .orShould().callMethod(AuditLog.class, "attempt", String.class, String.class, String.class,
                        Map.class, Supplier.class)
                .orShould().callMethod(AuditLog.class, "rejected", String.class, String.class, Map.class,
                        AuditResult.class, String.class)
                .orShould().callMethod(DeniedRequests.class, "record", String.class, String.class, String.class,
                        String.class, String.class)
                .because("every change takes io.ctagent.change.ChangePipeline: lock, mode, guards, intent, apply, "
                        + "read back, outcome, in one place; and every refusal (INVALID, DENIED, FAILED) is "
                        + "written there or by change.Refusals")
                .check(MAIN);
    }

    @Test
    void parsersUseNeitherSpringNorTheHostAgent() {
        noClasses().that().haveSimpleNameEndingWith("Parser")
                .should().dependOnClassesThat().resideInAnyPackage("org.springframework..", "io.ctagent.hostagent..")
                .because("a parser is a pure function over text, tested with text blocks")
                .check(MAIN);
    }
}
