package org.afmetrics.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Assumptions;

/** The JDKs the agent must run on: the one running the tests (17) and Temurin 25 beside it. */
public final class Jdks {
    private Jdks() {
    }

    public static Path current() {
        return Paths.get(System.getProperty("java.home"));
    }

    /** Temurin 25 when installed (directory under /usr/lib/jvm), else null. */
    public static Path temurin25() {
        Path p = Paths.get(System.getProperty("afmetrics.jdk25", "/usr/lib/jvm/temurin-25-jdk-amd64"));
        return Files.isExecutable(p.resolve("bin/java")) ? p : null;
    }

    /** Temurin 25; a test that needs it is skipped (a JUnit assumption) where it is not installed. */
    public static Path temurin25OrSkip() {
        Path p = temurin25();
        Assumptions.assumeTrue(p != null, "Temurin 25 is not installed");
        return p;
    }

    /** Temurin 25; where it is missing the test is skipped, except under CI (env {@code CI} set), where that fails. */
    public static Path temurin25Required() {
        Path p = temurin25();
        if (System.getenv("CI") != null && p == null) {
            throw new AssertionError("Temurin 25 is not installed (CI has it)");
        }
        Assumptions.assumeTrue(p != null, "Temurin 25 is not installed");
        return p;
    }

    public static String java(Path home) {
        return home.resolve("bin").resolve("java").toString();
    }
}
