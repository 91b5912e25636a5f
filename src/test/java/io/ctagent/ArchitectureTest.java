package io.ctagent;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.FileReader;
import java.io.FileWriter;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Files;

import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

/** The house rules of ARCHITECTURE.md, stated once. */
class ArchitectureTest {

    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.ctagent");

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
    void theHostAgentDoesNotDependOnFeatures() {
        noClasses().that().resideInAPackage("io.ctagent.hostagent..")
                .should().dependOnClassesThat().resideInAnyPackage("io.ctagent.usage..", "io.ctagent.sysctl..",
                        "io.ctagent.hashsize..", "io.ctagent.entries..", "io.ctagent.notrack..",
                        "io.ctagent.monitor..", "io.ctagent.security..")
                .check(MAIN);
    }
}
