package org.afmetrics.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.afmetrics.testing.ChildJvm;
import org.afmetrics.testing.HostDriver;
import org.afmetrics.testing.apps.ScriptedHostMain;
import org.afmetrics.testing.apps.SlowExitMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The shared directory of scrape-target files: a killed JVM's file, and whatever else others put there. */
class TargetsDirFaultsIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private static List<String> names(Path d) throws Exception {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    private static String fileOf(Path d, long pid) throws Exception {
        return names(d).stream().filter(n -> n.startsWith("afmetrics-") && n.endsWith("-" + pid + ".json"))
                .findFirst().orElse(null);
    }

    @Test
    void theFileOfAKilledJvmIsRemovedByTheNextAgent() throws Exception {
        Path targets = Files.createDirectory(dir.resolve("targets"));
        String args = "port=0,targets-dir=" + targets;
        ChildJvm.Running killed = ChildJvm.main(ScriptedHostMain.class).agent(args).workDir(dir).start();
        killed.awaitExporterUrl(WAIT);
        String stale = fileOf(targets, killed.pid());
        assertTrue(stale != null, "target file written: " + names(targets));
        killed.process().destroyForcibly(); // SIGKILL: no hook runs, the file stays
        assertEquals(137, killed.awaitExit(WAIT));
        assertTrue(Files.exists(targets.resolve(stale)), "left behind by kill -9");

        try (ChildJvm.Running next = ChildJvm.main(ScriptedHostMain.class).agent(args).workDir(dir).start()) {
            next.awaitExporterUrl(WAIT);
            assertFalse(Files.exists(targets.resolve(stale)), "the stale file is gone");
            String own = fileOf(targets, next.pid());
            assertEquals(List.of(own), names(targets));
            HostDriver.send(next, "exit 0");
            assertEquals(0, next.awaitExit(WAIT));
            assertEquals(List.of(), names(targets), "its own file goes at exit");
            assertEquals(List.of("[af-metrics] removed 1 stale target file from " + targets),
                    HostDriver.agentComplaints(next));
        }
    }

    /**
     * A JVM that ends while its agent starts: the exit no longer waits for the start, so the start
     * may be cut short anywhere — before, while or after it writes the target file — or, while
     * another shutdown hook keeps the JVM alive, go on after the agent's exit hook has run. Whatever
     * the moment, no file outlives the JVM (a file left here would be a dead target until the next
     * agent's clean-up) and the agent says nothing. Host mains of 0 to 400 ms put the exit at each
     * point of the start; a host hook of 1.5 s lets every start finish after the agent's hook.
     */
    @ParameterizedTest(name = "main returns after {0} ms, the host's own exit takes {1} ms")
    @CsvSource({"0,0", "0,0", "25,0", "50,0", "100,0", "200,0", "400,0", "0,1500", "50,1500", "150,1500"})
    void aJvmThatEndsWhileTheAgentStartsLeavesNoTargetFile(int mainMillis, int hookMillis) throws Exception {
        Path targets = Files.createDirectories(dir.resolve("targets"));
        ChildJvm.Running jvm = ChildJvm.main(SlowExitMain.class, Integer.toString(mainMillis), Integer.toString(hookMillis))
                .agent("port=0,targets-dir=" + targets).workDir(dir).start();
        assertEquals(0, jvm.awaitExit(WAIT));
        assertEquals(List.of(), names(targets), "left after the JVM's exit");
        assertEquals(List.of(), HostDriver.agentComplaints(jvm));
    }

    /**
     * Anyone on the host may put things in a shared targets directory. A FIFO with a target
     * file's name used to block the agent's start for good (reading it waits for a writer).
     */
    @Test
    void junkInTheDirectoryIsLeftAloneAndNeverOpened() throws Exception {
        Path targets = Files.createDirectory(dir.resolve("targets"));
        assertEquals(0, new ProcessBuilder("mkfifo", targets.resolve("afmetrics-fifo.json").toString()).start()
                .waitFor());
        Files.writeString(targets.resolve("afmetrics-junk.json"), "{not json");
        Files.write(targets.resolve("afmetrics-big.json"), new byte[1 << 20]);
        Files.createDirectory(targets.resolve("afmetrics-dir.json"));
        Files.createSymbolicLink(targets.resolve("afmetrics-zero.json"), Paths.get("/dev/zero"));
        Files.writeString(targets.resolve("README"), "not ours");
        List<String> junk = names(targets);

        try (ChildJvm.Running baseline = ChildJvm.main(ScriptedHostMain.class).start();
             ChildJvm.Running jvm = ChildJvm.main(ScriptedHostMain.class).agent("port=0,targets-dir=" + targets)
                     .workDir(dir).start()) {
            jvm.awaitExporterUrl(WAIT);
            String own = fileOf(targets, jvm.pid());
            assertTrue(own != null, "its own file is written: " + names(targets));
            HostDriver.send(baseline, "exit 7");
            HostDriver.send(jvm, "exit 7");
            assertEquals(7, baseline.awaitExit(WAIT));
            assertEquals(7, jvm.awaitExit(WAIT));
            assertEquals(baseline.stdout(), jvm.stdout());
            assertEquals(junk, names(targets), "junk untouched, own file removed");
            assertEquals(List.of(), HostDriver.agentComplaints(jvm));
        }
    }

    @Test
    void aMissingDirectoryIsOneLineAndTheExporterServes() throws Exception {
        Path missing = dir.resolve("no-such-dir");
        try (ChildJvm.Running jvm = ChildJvm.main(ScriptedHostMain.class).agent("port=0,targets-dir=" + missing)
                .workDir(dir).start()) {
            jvm.awaitExporterUrl(WAIT);
            HostDriver.send(jvm, "exit 0");
            assertEquals(0, jvm.awaitExit(WAIT));
            List<String> said = HostDriver.agentComplaints(jvm);
            assertEquals(1, said.size(), said.toString());
            assertTrue(Pattern.compile("targets-dir .*no-such-dir: cannot write the target file").matcher(said.get(0))
                    .find(), said.get(0));
        }
    }
}
