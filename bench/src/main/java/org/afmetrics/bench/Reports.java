package org.afmetrics.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/** What every benchmark report shares: how JMH is run, and the closing budget lines, time and file. */
final class Reports {
    private Reports() {
    }

    /** Appends the budget and the elapsed time, prints the whole report and writes it to {@code out}. */
    static void finish(StringBuilder report, List<String> budget, String runName, long startNanos, Path out)
            throws IOException {
        report.append("\n## Budget\n\n");
        for (String b : budget) {
            report.append("- ").append(b).append('\n');
        }
        report.append(String.format(Locale.ROOT, "%n%s: %.1f min.%n", runName, (System.nanoTime() - startNanos) / 6e10));
        System.out.println();
        System.out.println(report);
        Files.write(out, report.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Runs the JMH benchmarks matching {@code include}: 3 × 1 s warm-up, 5 × 1 s measured, on {@code java}. */
    static Collection<RunResult> jmh(String include, int forks, String java) throws RunnerException {
        Options opt = new OptionsBuilder()
                .include(include)
                .forks(forks)
                .warmupIterations(3).warmupTime(TimeValue.seconds(1))
                .measurementIterations(5).measurementTime(TimeValue.seconds(1))
                .jvm(java)
                .verbosity(VerboseMode.SILENT)
                .build();
        return new Runner(opt).run();
    }
}
