package org.afmetrics.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The argv of the kernels the tests start from kernelspecs: the two JShell test kernels (on
 * jupyter-jvm-basekernel 2.3.0 and on jjava-jupyter 1.0-a6) and the Kotlin kernel 0.11.0-398
 * from Maven Central, each a plain {@code java} command as in a real kernelspec.
 */
public final class TestKernels {
    public static final String BASEKERNEL_MAIN = "org.afmetrics.testkernels.BaseKernelJShell";
    public static final String JJAVA_MAIN = "org.afmetrics.testkernels.JJavaJShell";
    public static final String KOTLIN_MAIN = "org.jetbrains.kotlinx.jupyter.IkotlinKt";
    /** The Kotlin kernel version of src/test/kernels/kotlin/pom.xml. */
    public static final String KOTLIN_VERSION = "0.11.0-398";

    private TestKernels() {
    }

    /** A JShell test kernel: the test classes and the test dependencies (target/test.classpath). */
    public static List<String> jshell(Path javaHome, String mainClass) throws IOException {
        Path deps = Paths.get("target", "test.classpath");
        if (!Files.isRegularFile(deps)) {
            throw new IllegalStateException(deps + " missing: the build writes it (dependency:build-classpath)");
        }
        String cp = Paths.get("target", "test-classes").toAbsolutePath() + java.io.File.pathSeparator
                + Files.readString(deps, StandardCharsets.UTF_8).trim();
        return List.of(Jdks.java(javaHome), "-cp", cp, mainClass, "{connection_file}");
    }

    /**
     * The Kotlin kernel with a WARN-level logback configuration (it logs at DEBUG by default and
     * its environment at INFO), its script classpath, and a private home for its caches.
     */
    public static List<String> kotlin(Path javaHome, Path home) throws IOException, InterruptedException {
        return kotlin(javaHome, home, KOTLIN_VERSION);
    }

    /** As {@link #kotlin(Path, Path)}, for another version of the kernel from Maven Central. */
    public static List<String> kotlin(Path javaHome, Path home, String version)
            throws IOException, InterruptedException {
        String cp = kotlinClasspath(version);
        Path logback = Paths.get("target", "test-classes", "jupyter", "kotlin-logback.xml").toAbsolutePath();
        List<String> argv = new ArrayList<>();
        argv.add(Jdks.java(javaHome));
        argv.add("-Dlogback.configurationFile=" + logback);
        argv.add("-cp");
        argv.add(cp);
        argv.add(KOTLIN_MAIN);
        argv.add("{connection_file}");
        argv.add("-cp=" + cp);
        argv.add("-home=" + home);
        return argv;
    }

    /**
     * The kernel's runtime classpath from Maven Central, resolved once by Maven from
     * src/test/kernels/kotlin/pom.xml and kept in target/kotlin-kernel.classpath.
     */
    public static String kotlinClasspath() throws IOException, InterruptedException {
        return kotlinClasspath(KOTLIN_VERSION);
    }

    /** The runtime classpath of another version: the same pom with that version, kept per version. */
    public static synchronized String kotlinClasspath(String version) throws IOException, InterruptedException {
        boolean pinned = version.equals(KOTLIN_VERSION);
        Path out = Paths.get("target", pinned ? "kotlin-kernel.classpath" : "kotlin-kernel-" + version + ".classpath")
                .toAbsolutePath();
        Path pom = Paths.get("src", "test", "kernels", "kotlin", "pom.xml").toAbsolutePath();
        if (!pinned) {
            Path dir = Paths.get("target", "kotlin-kernel-" + version).toAbsolutePath();
            Files.createDirectories(dir);
            String text = Files.readString(pom, StandardCharsets.UTF_8);
            String versionElement = "<version>" + KOTLIN_VERSION + "</version>";
            if (!text.contains(versionElement)) {
                throw new IllegalStateException(pom + " does not pin the kernel at " + KOTLIN_VERSION);
            }
            pom = dir.resolve("pom.xml");
            Files.writeString(pom, text.replace(versionElement, "<version>" + version + "</version>"),
                    StandardCharsets.UTF_8);
        }
        if (!Files.isRegularFile(out)) {
            String mvnHome = System.getProperty("maven.home");
            String mvn = mvnHome != null && Files.isExecutable(Paths.get(mvnHome, "bin", "mvn"))
                    ? Paths.get(mvnHome, "bin", "mvn").toString() : "mvn";
            List<String> cmd = new ArrayList<>(List.of(mvn, "-B", "-q", "-f", pom.toString(),
                    "dependency:build-classpath", "-Dmdep.outputFile=" + out));
            String repo = System.getProperty("maven.repo.local");
            if (repo != null) {
                cmd.add("-Dmaven.repo.local=" + repo);
            }
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(Paths.get("target", "kotlin-kernel-classpath.log").toFile()).start();
            if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0 || !Files.isRegularFile(out)) {
                p.destroyForcibly();
                throw new IllegalStateException("could not resolve the Kotlin kernel: "
                        + Files.readString(Paths.get("target", "kotlin-kernel-classpath.log")));
            }
        }
        return Files.readString(out, StandardCharsets.UTF_8).trim();
    }
}
