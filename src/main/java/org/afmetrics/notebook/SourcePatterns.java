package org.afmetrics.notebook;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The {@code json=} setting: fixed paths, and glob patterns looked up again at every scrape. */
final class SourcePatterns {
    private static final int MAX_GLOB_DEPTH = 8;
    private static final int MAX_GLOB_MATCHES = 256;

    private final List<Path> fixed = new ArrayList<>();
    private final List<Glob> globs = new ArrayList<>();

    SourcePatterns(List<String> entries, Path workingDir) {
        for (String entry : entries) {
            if (hasGlob(entry)) {
                globs.add(new Glob(entry, workingDir));
            } else {
                fixed.add(workingDir.resolve(entry).toAbsolutePath().normalize());
            }
        }
    }

    static boolean hasGlob(String s) {
        return s.indexOf('*') >= 0 || s.indexOf('?') >= 0 || s.indexOf('[') >= 0 || s.indexOf('{') >= 0;
    }

    /** The paths to read now: the fixed ones always, the files that match a glob today. */
    List<Path> current() {
        if (globs.isEmpty()) {
            return fixed;
        }
        List<Path> out = new ArrayList<>(fixed);
        for (Glob g : globs) {
            for (Path p : g.matches()) {
                if (!out.contains(p)) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    private static final class Glob {
        final Path base;
        final int depth;
        final PathMatcher matcher;

        Glob(String pattern, Path workingDir) {
            String abs = Paths.get(pattern).isAbsolute() ? pattern : workingDir.toAbsolutePath() + "/" + pattern;
            String[] parts = abs.split("/");
            StringBuilder root = new StringBuilder();
            int i = 0;
            for (; i < parts.length && !hasGlob(parts[i]); i++) {
                root.append(parts[i]).append('/');
            }
            this.base = Paths.get(root.length() == 0 ? "/" : root.toString());
            this.depth = abs.contains("**") ? MAX_GLOB_DEPTH : parts.length - i;
            this.matcher = FileSystems.getDefault().getPathMatcher("glob:" + abs);
        }

        List<Path> matches() {
            if (!Files.isDirectory(base)) {
                return List.of();
            }
            try (Stream<Path> s = Files.walk(base, depth)) {
                return s.filter(p -> matcher.matches(p) && Files.isRegularFile(p))
                        .map(p -> p.toAbsolutePath().normalize())
                        .sorted()
                        .limit(MAX_GLOB_MATCHES)
                        .collect(Collectors.toList());
            } catch (IOException | RuntimeException e) {
                return List.of();
            }
        }
    }
}
