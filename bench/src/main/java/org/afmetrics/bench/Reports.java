package org.afmetrics.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** The closing part every benchmark report shares: the budget lines, the run time, the file. */
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
}
