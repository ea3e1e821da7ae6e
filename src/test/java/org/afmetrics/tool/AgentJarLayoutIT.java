package org.afmetrics.tool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.jar.JarFile;
import java.util.spi.ToolProvider;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import org.afmetrics.Agent;
import org.afmetrics.boot.NestedJarLoader;
import org.afmetrics.testing.AgentCli;
import org.afmetrics.testing.AgentJar;
import org.afmetrics.testing.ChildJvm;
import org.afmetrics.testing.Http;
import org.afmetrics.testing.Jdks;
import org.afmetrics.testing.apps.SleepMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The agent jar's layout (docs/design.md): its own few classes (premain's decision, the runtime's
 * loader, the cell bridge, the tool's launcher) name only JDK types and each other; the runtime
 * and the command line are one nested jar each; the runtime's classes refer to nothing outside
 * the runtime jar but those few; the command line runs from its nested jar with the agent jar as
 * its code source.
 */
class AgentJarLayoutIT {
    @TempDir
    Path dir;

    @Test
    void theAgentJarHoldsItsFewClassesTheLicencesAndTwoNestedJars() throws Exception {
        List<String> names;
        try (JarFile jar = new JarFile(AgentJar.path().toFile())) {
            names = jar.stream().map(ZipEntry::getName).collect(Collectors.toList());
            assertEquals("org.afmetrics.tool.ToolLauncher", jar.getManifest().getMainAttributes().getValue("Main-Class"));
            assertEquals("org.afmetrics.Agent", jar.getManifest().getMainAttributes().getValue("Premain-Class"));
            // stored: a JVM the agent serves copies it into memory without inflating it
            assertEquals(ZipEntry.STORED, jar.getEntry(Agent.RUNTIME).getMethod());
        }
        List<String> unexpected = names.stream()
                .filter(n -> !n.matches("META-INF/(MANIFEST\\.MF|[A-Za-z-]*(LICENSE|NOTICE))"
                        + "|META-INF/af-metrics/(runtime|tool)\\.jar"
                        + "|org/afmetrics/(Agent|boot/[A-Za-z0-9$]+|config/HostSelection|kernel/KernelPresence"
                        + "|kernel/bridge/[A-Za-z0-9$]+|tool/ToolLauncher)\\.class"))
                .collect(Collectors.toList());
        assertEquals(List.of(), unexpected);
        assertTrue(names.size() < 30, "the agent jar has " + names.size() + " entries");
    }

    @Test
    void theAgentJarsOwnClassesNameOnlyTheJdkAndEachOther() {
        String out = missingDeps(AgentJar.path(), null);
        assertEquals(List.of(), ours(out), out);
    }

    @Test
    void theRuntimeRefersToNothingButItselfAndTheAgentJarsOwnClasses() throws Exception {
        Path runtime = nested(Agent.RUNTIME, "runtime.jar");
        String out = missingDeps(runtime, AgentJar.path());
        // the only classes jdeps misses are optional parts of the libraries (OpenTelemetry exemplars, JAXB)
        assertEquals(List.of(), ours(out), out);
        try (JarFile jar = new JarFile(runtime.toFile())) {
            List<String> cliOnly = jar.stream().map(ZipEntry::getName)
                    .filter(n -> n.matches("org/afmetrics/(cli/|shaded/(picocli|snakeyaml|difflib|jackson/databind"
                            + "|jackson/annotation)/).*")
                            || n.equals("org/afmetrics/kernel/bridge/CellBridge.class"))
                    .collect(Collectors.toList());
            assertEquals(List.of(), cliOnly, "the command line's classes, or a second cell bridge, in the runtime");
        }
    }

    /** The woven kernel code and the runtime must meet at one bridge class: the agent jar's, on the system class path. */
    @Test
    void theRuntimeLoadsItsOwnClassesAndFindsTheBridgeInTheAgentJar() throws Exception {
        byte[] runtime;
        try (JarFile jar = new JarFile(AgentJar.path().toFile())) {
            runtime = jar.getInputStream(jar.getEntry(Agent.RUNTIME)).readAllBytes();
        }
        URL agentJar = AgentJar.path().toUri().toURL();
        try (URLClassLoader outer = new URLClassLoader(new URL[] {agentJar}, ClassLoader.getPlatformClassLoader())) {
            NestedJarLoader loader = new NestedJarLoader("af-metrics", runtime, agentJar, outer);
            Class<?> entry = loader.loadClass("org.afmetrics.AgentRuntime");
            assertEquals(loader, entry.getClassLoader());
            assertEquals(agentJar, entry.getProtectionDomain().getCodeSource().getLocation());
            assertEquals(outer, loader.loadClass("org.afmetrics.kernel.bridge.CellBridge").getClassLoader());
            assertEquals(outer, loader.loadClass("org.afmetrics.config.HostSelection").getClassLoader());
            assertNotEquals(outer, loader.loadClass("org.afmetrics.config.AgentConfig").getClassLoader());
            URL version = loader.getResource("org/afmetrics/support/version.properties");
            assertNotNull(version);
            Properties p = new Properties();
            p.load(new ByteArrayInputStream(version.openStream().readAllBytes()));
            assertTrue(p.getProperty("version").matches("\\d+\\.\\d+\\.\\d+.*"), p.toString());
        }
    }

    /**
     * The runtime is read from the agent jar's file, named by its code source URL: a path with a
     * space, '#', '%' and non-ASCII letters still serves, on JDK 17 and 25.
     */
    @ParameterizedTest(name = "JDK {0}")
    @ValueSource(strings = {"17", "25"})
    void theRuntimeLoadsFromAJarAtAnAwkwardPath(String jdk) throws Exception {
        Path home = jdk.equals("25") ? Jdks.temurin25Required() : Jdks.current();
        Path odd = Files.createDirectories(dir.resolve("odd dir #1 %20/ü"));
        Path jar = Files.copy(AgentJar.path(), odd.resolve("af-metrics-agent.jar"));
        try (ChildJvm.Running jvm = ChildJvm.main(SleepMain.class, "60000").javaHome(home)
                .jvmOption("-javaagent:" + jar + "=port=0").workDir(dir).start()) {
            String url = jvm.awaitExporterUrl(Duration.ofSeconds(30));
            assertTrue(Http.scrape(url).text().contains("jvm_threads_current"), url);
        }
    }

    @Test
    void theCommandLineRunsFromTheNestedJar() throws Exception {
        byte[] nested;
        String version;
        try (JarFile jar = new JarFile(AgentJar.path().toFile())) {
            nested = jar.getInputStream(jar.getEntry(ToolLauncher.NESTED)).readAllBytes();
            version = jar.getManifest().getMainAttributes().getValue("Implementation-Version");
        }
        NestedJarLoader loader = new NestedJarLoader("af-metrics-tool", nested, AgentJar.path().toUri().toURL(), null);
        Class<?> main = loader.loadClass("org.afmetrics.cli.Main");
        assertEquals(loader, main.getClassLoader());
        assertEquals(AgentJar.path().toUri().toURL(), main.getProtectionDomain().getCodeSource().getLocation());

        AgentCli.Result r = AgentCli.jar("--version").run();
        assertEquals(0, r.exitCode, r.stderr);
        assertEquals(version + "\n", r.stdout);
    }

    private Path nested(String entry, String as) throws Exception {
        Path out = dir.resolve(as);
        try (JarFile jar = new JarFile(AgentJar.path().toFile())) {
            Files.write(out, jar.getInputStream(jar.getEntry(entry)).readAllBytes());
        }
        return out;
    }

    private static String missingDeps(Path jar, Path classPath) {
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow();
        StringWriter out = new StringWriter();
        List<String> args = new ArrayList<>(List.of("--missing-deps"));
        if (classPath != null) {
            args.addAll(List.of("--class-path", classPath.toString()));
        }
        args.add(jar.toString());
        int code = jdeps.run(new PrintWriter(out), new PrintWriter(out), args.toArray(new String[0]));
        assertEquals(0, code, out.toString());
        return out.toString();
    }

    private static List<String> ours(String jdepsOutput) {
        return jdepsOutput.lines().filter(l -> l.contains("-> org.afmetrics.")).collect(Collectors.toList());
    }
}
