package org.afmetrics.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import org.afmetrics.facility.HostNames;
import org.afmetrics.facility.TargetsDir;

/** {@code targets list DIR} and {@code targets gc DIR}: the scrape target files of a directory. */
final class TargetsCommand {
    static final String USAGE = "usage: java -jar af-metrics-agent.jar targets list|gc DIR";

    private TargetsCommand() {
    }

    static int run(String[] args) {
        if (args.length != 2 || !(args[0].equals("list") || args[0].equals("gc"))) {
            System.err.println(USAGE);
            return 2;
        }
        Path dir = Paths.get(args[1]);
        if (!Files.isDirectory(dir)) {
            System.err.println("targets: no directory " + dir);
            return 1;
        }
        TargetsDir targets = new TargetsDir(dir, HostNames.local());
        try {
            if (args[0].equals("list")) {
                System.out.println(String.format("%-11s %-22s %-12s %-38s %-8s %s", "STATUS", "TARGET", "USER", "SESSION",
                        "PID", "FILE"));
                for (TargetsDir.Entry e : targets.list()) {
                    if (e.content == null) {
                        System.out.println(String.format("%-11s %-22s %-12s %-38s %-8s %s (%s)", e.status, "-", "-", "-", "-",
                                e.file.getFileName(), e.problem));
                    } else {
                        System.out.println(String.format("%-11s %-22s %-12s %-38s %-8d %s", e.status, e.content.target(),
                                e.content.info().getOrDefault("user", "-"), e.content.info().getOrDefault("session", "-"),
                                e.content.pid(), e.file.getFileName()));
                    }
                }
            } else {
                List<TargetsDir.Entry> removed = targets.gc(System.err::println);
                for (TargetsDir.Entry e : removed) {
                    System.out.println("removed " + e.file + " (pid " + e.content.pid() + " is gone)");
                }
                System.out.println(removed.size() + " stale target file(s) removed");
            }
        } catch (IOException e) {
            System.err.println("targets: cannot read " + dir + ": " + e.getMessage());
            return 1;
        }
        return 0;
    }
}
