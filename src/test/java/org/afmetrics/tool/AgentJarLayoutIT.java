package org.afmetrics.tool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.jar.JarFile;
import java.util.spi.ToolProvider;
import java.util.stream.Collectors;
import org.afmetrics.testing.AgentCli;
import org.afmetrics.testing.AgentJar;
import org.junit.jupiter.api.Test;

/**
 * The agent jar holds what premain and the exporter load, and the command line as one nested jar
 * (docs/design.md, the jar's layout): nothing left in the agent jar refers to a class that went
 * into the nested jar only, and the command line runs from the nested jar with the agent jar as
 * its code source.
 */
class AgentJarLayoutIT {
    @Test
    void nothingInTheAgentJarRefersToAClassOnlyTheToolJarHolds() {
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow();
        StringWriter out = new StringWriter();
        int code = jdeps.run(new PrintWriter(out), new PrintWriter(out), "--missing-deps",
                AgentJar.path().toString());
        // the only classes jdeps misses are optional parts of the libraries (OpenTelemetry exemplars, JAXB)
        List<String> ours = out.toString().lines().filter(l -> l.contains("-> org.afmetrics."))
                .collect(Collectors.toList());
        assertEquals(List.of(), ours, out.toString());
        assertEquals(0, code, out.toString());
    }

    @Test
    void theAgentJarCarriesNoCommandLineLibraryAndTheToolJarWhole() throws Exception {
        List<String> cliOnly = new ArrayList<>();
        byte[] nested;
        int entries;
        try (JarFile jar = new JarFile(AgentJar.path().toFile())) {
            entries = jar.size();
            jar.stream().map(e -> e.getName())
                    .filter(n -> n.matches("org/afmetrics/(cli/|shaded/(picocli|snakeyaml|difflib|jackson/databind"
                            + "|jackson/annotation)/).*"))
                    .forEach(cliOnly::add);
            nested = jar.getInputStream(jar.getEntry(ToolLauncher.NESTED)).readAllBytes();
            assertEquals("org.afmetrics.tool.ToolLauncher", jar.getManifest().getMainAttributes().getValue("Main-Class"));
        }
        assertEquals(List.of(), cliOnly);
        assertTrue(entries < 600, "the agent jar has " + entries + " entries");
        NestedJarLoader loader = new NestedJarLoader(nested, AgentJar.path().toUri().toURL(), null);
        Class<?> main = loader.loadClass("org.afmetrics.cli.Main");
        assertEquals(loader, main.getClassLoader());
        assertEquals(AgentJar.path().toUri().toURL(), main.getProtectionDomain().getCodeSource().getLocation());
        URL version = loader.getResource("org/afmetrics/support/version.properties");
        assertNotNull(version);
        Properties p = new Properties();
        p.load(new ByteArrayInputStream(version.openStream().readAllBytes()));
        assertTrue(p.getProperty("version").matches("\\d+\\.\\d+\\.\\d+.*"), p.toString());
    }

    @Test
    void theCommandLineRunsFromTheNestedJar() throws Exception {
        AgentCli.Result r = AgentCli.jar("--version").run();
        assertEquals(0, r.exitCode, r.stderr);
        try (JarFile jar = new JarFile(AgentJar.path().toFile())) {
            Properties p = new Properties();
            p.load(jar.getInputStream(jar.getEntry("org/afmetrics/support/version.properties")));
            assertEquals(p.getProperty("version") + "\n", r.stdout);
        }
    }
}
