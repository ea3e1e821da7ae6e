package org.afmetrics.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.afmetrics.testing.ChildJvm;
import org.afmetrics.testing.Exposition;
import org.afmetrics.testing.HostDriver;
import org.afmetrics.testing.Http;
import org.afmetrics.testing.apps.ScriptedHostMain;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A shared host (The Littlest JupyterHub, a LocalSpawner hub): every local user reaches every
 * kernel's loopback port. A second local user, created here, may read the metrics but may
 * neither push into nor clear another user's notebook metrics; the kernel's own user may.
 */
class OtherUsersIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String OTHER = "afm-other";
    private static final String GOOD = "{\"pushed_value\": 42}";

    @BeforeAll
    static void aSecondLocalUser() throws Exception {
        otherUser();
    }

    /**
     * The second local user's name, created if missing. Skipped only off Linux or when not run as
     * root by a developer; under CI (which runs as root) a missing precondition fails the test.
     */
    static String otherUser() throws Exception {
        required(Files.isReadable(Paths.get("/proc/net/tcp")), "no /proc/net/tcp: not Linux");
        Object uid = Files.getAttribute(Paths.get("/proc/self"), "unix:uid");
        required(((Number) uid).longValue() == 0, "creating a second local user needs root; this run is uid " + uid);
        if (run("id", "-u", OTHER).exit != 0) {
            Result added = run("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", OTHER);
            required(added.exit == 0 || run("id", "-u", OTHER).exit == 0, "useradd " + OTHER + " failed: " + added.output);
        }
        return OTHER;
    }

    private static void required(boolean condition, String why) {
        if (System.getenv("CI") != null) {
            assertTrue(condition, why + " (CI runs this test as root on Linux)");
        }
        assumeTrue(condition, why);
    }

    @ParameterizedTest(name = "bound to {0}")
    @ValueSource(strings = {"127.0.0.1", "0.0.0.0"})
    void onlyTheKernelsOwnUserMayPushOrClear(String host) throws Exception {
        try (ChildJvm.Running jvm = ChildJvm.main(ScriptedHostMain.class).agent("host=" + host + ",port=0").start()) {
            URI url = URI.create(jvm.awaitExporterUrl(WAIT));
            String base = "http://127.0.0.1:" + url.getPort();
            String push = base + "/notebook-metrics";

            assertEquals(200, Http.post(push, "application/json", GOOD).statusCode(), "the kernel's own user");
            assertEquals("403", asOther("-X", "POST", "-H", "Content-Type: application/json", "--data", "{\"pushed_value\": 7}",
                    push), "another user's push");
            assertEquals("403", asOther("-X", "DELETE", push), "another user's delete");
            assertEquals("200", asOther(base + "/metrics"), "reading the metrics stays open to every local user");

            Exposition e = Http.scrape(base + "/metrics");
            assertEquals(42, e.find("notebook_pushed_value").value, "the owner's push stands");
            assertEquals(2, e.find("afmetrics_json_errors_total", "source", "push", "reason", "forbidden").value);

            HostDriver.send(jvm, "exit 0");
            assertEquals(0, jvm.awaitExit(WAIT));
            assertEquals(List.of(), HostDriver.hostStderr(jvm));
        }
    }

    /** curl run as the other user; the HTTP status it got. */
    private static String asOther(String... curlArgs) throws Exception {
        String[] cmd = new String[7 + curlArgs.length];
        String[] head = {"runuser", "-u", OTHER, "--", "curl", "-s", "-o/dev/null"};
        System.arraycopy(head, 0, cmd, 0, head.length);
        System.arraycopy(curlArgs, 0, cmd, head.length, curlArgs.length);
        String[] withStatus = new String[cmd.length + 2];
        System.arraycopy(cmd, 0, withStatus, 0, cmd.length);
        withStatus[cmd.length] = "-w";
        withStatus[cmd.length + 1] = "%{http_code}";
        Result r = run(withStatus);
        assertTrue(r.exit == 0, "curl as " + OTHER + ": " + r.output);
        return r.output.trim();
    }

    private static final class Result {
        final int exit;
        final String output;

        Result(int exit, String output) {
            this.exit = exit;
            this.output = output;
        }
    }

    private static Result run(String... cmd) throws IOException, InterruptedException {
        Path out = Files.createTempFile("other-user", ".out");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", cmd) + " did not finish");
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
