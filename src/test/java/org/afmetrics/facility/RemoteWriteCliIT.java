package org.afmetrics.facility;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.afmetrics.testing.AgentCli;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code prometheus-config --mode}: a command line that cannot make a working configuration is a
 * usage error (exit status 2, the reason on stderr, nothing on stdout), whatever the mode.
 */
class RemoteWriteCliIT {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "--mode node                                                        | needs --remote-write",
        "--mode node --remote-write ftp://centre/write                      | http(s)",
        "--mode node --remote-write http://c:9090/api/v1/write --remote-write-user u | both",
        "--mode node --remote-write http://c:9090/api/v1/write --remote-write-cert-file /c | both",
        "--mode node --remote-write http://c:9090/api/v1/write --job-only   | --job-only goes with --mode single",
        "--mode central --job-only                                          | --job-only goes with --mode single",
        "--mode central --remote-write http://c:9090/api/v1/write           | go with --mode node",
        "--node n1                                                          | go with --mode node",
        "--mode federated                                                   | single, node or central",
    })
    void unworkableCommandLinesAreUsageErrors(String args, String reason) throws Exception {
        String[] argv = ("prometheus-config " + args.trim()).split(" +");
        AgentCli.Result r = AgentCli.run(Map.of(), argv);
        assertEquals(2, r.exitCode, r.toString());
        assertTrue(r.stderr.contains(reason), r.toString());
        assertEquals("", r.stdout, "nothing printed for a command line that cannot work");
    }
}
