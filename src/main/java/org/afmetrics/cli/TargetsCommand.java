package org.afmetrics.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.afmetrics.facility.HostNames;
import org.afmetrics.facility.TargetsDir;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code targets list DIR} and {@code targets gc DIR}: the scrape target files of a directory. */
@Command(name = "targets", header = "The scrape target files of a targets directory.", mixinStandardHelpOptions = true,
        description = "The scrape target files in a targets directory (agent key targets-dir).",
        subcommands = {TargetsCommand.List.class, TargetsCommand.Gc.class})
final class TargetsCommand extends CommandGroup {

    /** The directory argument both subcommands share, checked before anything is read. */
    abstract static class OnDirectory implements Callable<Integer> {
        @Parameters(paramLabel = "DIR", description = "the targets directory")
        Path dir;

        @Override
        public Integer call() {
            if (!Files.isDirectory(dir)) {
                System.err.println("targets: no directory " + dir);
                return Main.FAILED;
            }
            try {
                run(new TargetsDir(dir, HostNames.local()));
                return Main.OK;
            } catch (IOException e) {
                System.err.println("targets: cannot read " + dir + ": " + e.getMessage());
                return Main.FAILED;
            }
        }

        abstract void run(TargetsDir targets) throws IOException;
    }

    @Command(name = "list", header = "List the target files: status, target, user, session, jvm, pid.", mixinStandardHelpOptions = true,
            description = {"Each target file of DIR: alive (its process runs), stale (gone), other host, or unreadable,",
                    "with the target Prometheus scrapes and the user, session, jvm (kernel, child: a JVM a kernel",
                    "started, other) and pid it carries."})
    static final class List extends OnDirectory {
        @Override
        void run(TargetsDir targets) throws IOException {
            System.out.println(String.format("%-11s %-22s %-12s %-38s %-6s %-8s %s", "STATUS", "TARGET", "USER",
                    "SESSION", "JVM", "PID", "FILE"));
            for (TargetsDir.Entry e : targets.list()) {
                if (e.content == null) {
                    System.out.println(String.format("%-11s %-22s %-12s %-38s %-6s %-8s %s (%s)", e.status, "-", "-", "-", "-", "-",
                            e.file.getFileName(), e.problem));
                } else {
                    System.out.println(String.format("%-11s %-22s %-12s %-38s %-6s %-8d %s", e.status, e.content.target(),
                            e.content.info().getOrDefault("user", "-"), e.content.info().getOrDefault("session", "-"),
                            e.content.info().getOrDefault("jvm", "-"), e.content.pid(), e.file.getFileName()));
                }
            }
        }
    }

    @Command(name = "gc", header = "Remove the target files of processes gone from this host.", mixinStandardHelpOptions = true,
            description = {"Remove the target files whose process is gone from this host (a kernel that was killed",
                    "could not remove its own); the files of other hosts and of running processes stay."})
    static final class Gc extends OnDirectory {
        @Override
        void run(TargetsDir targets) throws IOException {
            java.util.List<TargetsDir.Entry> removed = targets.gc(System.err::println);
            for (TargetsDir.Entry e : removed) {
                System.out.println("removed " + e.file + " (pid " + e.content.pid() + " is gone)");
            }
            System.out.println(Plural.of(removed.size(), "stale target file", "stale target files") + " removed");
        }
    }
}
