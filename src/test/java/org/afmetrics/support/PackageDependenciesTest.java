package org.afmetrics.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package layout as a rule the compiled classes keep: the shared utilities depend on no other
 * package of the agent, and the composition root is reached from the entry, never the other way.
 * Read from the class files' constant pools, where every class a class uses is named.
 */
class PackageDependenciesTest {
    private static final Path CLASSES = Paths.get("target", "classes", "org", "afmetrics");
    private static final Pattern OURS = Pattern.compile("org/afmetrics/([A-Za-z0-9_/$]+)");

    /** The agent's classes named by the class files under {@code dir} (not below it when {@code flat}). */
    private static Set<String> referencedBy(Path dir, boolean flat) throws IOException {
        Set<String> names = new TreeSet<>();
        try (Stream<Path> files = flat ? Files.list(dir) : Files.walk(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).collect(Collectors.toList())) {
                Matcher m = OURS.matcher(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1));
                while (m.find()) {
                    names.add(m.group(1));
                }
            }
        }
        return names;
    }

    @Test
    void theSharedUtilitiesDependOnNothingElseOfTheAgent() throws IOException {
        List<String> outside = referencedBy(CLASSES.resolve("support"), false).stream()
                .filter(n -> !n.startsWith("support/")).collect(Collectors.toList());
        assertEquals(List.of(), outside);
    }

    @Test
    void theWiringDoesNotCallBackIntoTheRuntimeThatStartsIt() throws IOException {
        Set<String> wiring = new TreeSet<>();
        try (Stream<Path> files = Files.list(CLASSES)) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith("Wiring")).collect(Collectors.toList())) {
                Matcher m = OURS.matcher(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1));
                while (m.find()) {
                    wiring.add(m.group(1));
                }
            }
        }
        assertFalse(wiring.isEmpty(), "Wiring was read");
        assertFalse(wiring.stream().anyMatch(n -> n.startsWith("AgentRuntime") || n.startsWith("Agent$")
                || n.equals("Agent")), "Wiring names " + wiring);
    }

    /** The command line is the other entry (its demo starts the agent in-process); the data path never names the root. */
    @Test
    void noPackageOfTheDataPathNamesTheRoot() throws IOException {
        Set<String> roots = Set.of("Agent", "AgentRuntime", "Wiring");
        try (Stream<Path> dirs = Files.list(CLASSES)) {
            for (Path d : dirs.filter(Files::isDirectory).filter(d -> !d.getFileName().toString().equals("cli"))
                    .collect(Collectors.toList())) {
                for (String n : referencedBy(d, false)) {
                    String top = n.contains("$") ? n.substring(0, n.indexOf('$')) : n;
                    assertFalse(roots.contains(top), d.getFileName() + " names the root's " + n);
                }
            }
        }
    }
}
