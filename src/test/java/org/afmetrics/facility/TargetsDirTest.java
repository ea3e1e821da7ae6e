package org.afmetrics.facility;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TargetsDirTest {
    @TempDir
    Path dir;

    private static TargetFile file(String host, long pid, long start) {
        return new TargetFile("127.0.0.1:8003", host, pid, start, Map.of("user", "alice", "session", "s-1"));
    }

    @Test
    void writesFileSdJsonThatReadsBack() throws Exception {
        ProcessHandle self = ProcessHandle.current();
        Path written = file("h1", self.pid(), 42).writeInto(dir);
        assertEquals("afmetrics-h1-" + self.pid() + ".json", written.getFileName().toString());
        JsonNode root = new ObjectMapper().readTree(written.toFile());
        assertEquals(1, root.size());
        assertEquals("127.0.0.1:8003", root.get(0).path("targets").get(0).asText());
        assertEquals("alice", root.get(0).path("labels").path("__meta_afmetrics_user").asText());
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(written)));
        TargetFile back = TargetFile.read(written);
        assertEquals(self.pid(), back.pid());
        assertEquals(42, back.startMillis());
        assertEquals(Map.of("user", "alice", "session", "s-1"), back.info());
        try (var s = Files.list(dir)) {
            assertEquals(1, s.count(), "no temporary file left behind");
        }
        assertEquals("", root.get(0).path("labels").path("__scheme__").asText(), "plain HTTP needs no scheme");
        JsonNode tls = new ObjectMapper().readTree(file("h2", self.pid(), 42).https().writeInto(dir).toFile());
        assertEquals("https", tls.get(0).path("labels").path("__scheme__").asText());
    }

    @Test
    void gcRemovesFilesOfGoneProcessesOnThisHostOnly() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        ProcessHandle self = ProcessHandle.current();
        long selfStart = TargetsDir.startMillis(self);
        Path alive = file("here", self.pid(), selfStart).writeInto(dir);
        Path gone = file("here", p.pid(), 1).writeInto(dir);
        Path reused = new TargetFile("127.0.0.1:8004", "here", self.pid(), selfStart - 5000, Map.of())
                .writeInto(dir.resolve(".."));
        Path reusedHere = Files.move(reused, dir.resolve("afmetrics-here-reused.json"));
        Path elsewhere = file("there", p.pid(), 1).writeInto(dir);
        Files.writeString(dir.resolve("afmetrics-garbage.json"), "{");

        TargetsDir targets = new TargetsDir(dir, "here");
        Map<Path, TargetsDir.Status> status = targets.list().stream()
                .collect(Collectors.toMap(e -> e.file, e -> e.status));
        assertEquals(TargetsDir.Status.ALIVE, status.get(alive));
        assertEquals(TargetsDir.Status.STALE, status.get(gone));
        assertEquals(TargetsDir.Status.STALE, status.get(reusedHere), "a pid now used by a process started later");
        assertEquals(TargetsDir.Status.OTHER_HOST, status.get(elsewhere));
        assertEquals(TargetsDir.Status.UNREADABLE, status.get(dir.resolve("afmetrics-garbage.json")));

        List<Path> removed = targets.gc(problem -> { throw new AssertionError(problem); }).stream().map(e -> e.file).collect(Collectors.toList());
        assertEquals(List.of(gone, reusedHere).stream().sorted().collect(Collectors.toList()),
                removed.stream().sorted().collect(Collectors.toList()));
        assertTrue(Files.exists(alive));
        assertTrue(Files.exists(elsewhere));
        assertFalse(Files.exists(gone));
    }

    @Test
    void theTargetHostIsTheAdvertisedOneElseTheBoundAddressElseTheHostName() throws Exception {
        InetSocketAddress loop = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 8003);
        InetSocketAddress any = new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 8004);
        InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByName("::1"), 8005);
        assertEquals("127.0.0.1:8003", HostNames.target("", loop));
        assertEquals("kernels.example:8003", HostNames.target("kernels.example", loop));
        assertEquals(HostNames.local() + ":8004", HostNames.target(null, any));
        assertEquals("[0:0:0:0:0:0:0:1]:8005", HostNames.target("", v6));
    }

    @Test
    void onLinuxTheStartInClockTicksDecidesAndAZombieIsGone() throws Exception {
        ProcessHandle self = ProcessHandle.current();
        String ticks = TargetsDir.startTicks(self);
        org.junit.jupiter.api.Assumptions.assumeTrue(ticks != null, "no /proc/PID/stat here");
        TargetsDir targets = new TargetsDir(dir, "here");
        long millis = TargetsDir.startMillis(self);
        // the wall-clock start may be off (boot time jitter): the ticks still match
        assertEquals(TargetsDir.Status.ALIVE, targets.status(file("here", self.pid(), millis + 5000).startTicks(ticks)));
        assertEquals(TargetsDir.Status.STALE, targets.status(file("here", self.pid(), millis)
                .startTicks(Long.toString(Long.parseLong(ticks) - 1))), "another start: the pid was reused");
        assertEquals(TargetsDir.Status.ALIVE, targets.status(file("here", self.pid(), millis + 1000)),
                "without ticks, a second off is jitter");
        assertEquals(TargetsDir.Status.STALE, targets.status(file("here", self.pid(), millis - 60_000)));

        // a child of 'sleep' exits and is never reaped: a zombie, whose pid still exists. It exits after
        // the exec, so the shell cannot have reaped it first (a busy machine may run the exec late)
        Process parent = new ProcessBuilder("sh", "-c", "sleep 0.5 & echo $!; exec sleep 30").start();
        try {
            long zombie = Long.parseLong(new java.io.BufferedReader(new java.io.InputStreamReader(
                    parent.getInputStream(), java.nio.charset.StandardCharsets.UTF_8)).readLine().trim());
            ProcessStat stat = ProcessStat.of(zombie);
            for (int i = 0; i < 200 && (stat == null || !stat.exited()); i++) {
                Thread.sleep(50);
                stat = ProcessStat.of(zombie);
            }
            assertTrue(stat != null && stat.exited(), "pid " + zombie + " should be a zombie");
            assertTrue(ProcessHandle.of(zombie).isPresent(), "the JDK still sees the zombie");
            assertEquals(TargetsDir.Status.STALE, targets.status(file("here", zombie, -1).startTicks(stat.startTicks)));
        } finally {
            parent.destroyForcibly();
        }
    }
}
