package org.afmetrics.bench;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * Packs the floor agent ({@code org.afmetrics.bench.floor}) with the simpleclient jars on the
 * harness's class path into one agent jar, as af-metrics carries its libraries in its own.
 */
final class FloorJar {
    private FloorJar() {
    }

    static Path build(Path classes, Path out) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().putValue("Premain-Class", "org.afmetrics.bench.floor.FloorAgent");
        Set<String> seen = new HashSet<>();
        try (OutputStream file = Files.newOutputStream(out); JarOutputStream jar = new JarOutputStream(file, manifest)) {
            Path floor = classes.resolve("org/afmetrics/bench/floor");
            try (Stream<Path> files = Files.list(floor)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    String name = classes.relativize(f).toString().replace(File.separatorChar, '/');
                    jar.putNextEntry(new JarEntry(name));
                    Files.copy(f, jar);
                    jar.closeEntry();
                }
            }
            int libraries = 0;
            for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
                String base = Path.of(entry).getFileName().toString();
                if (!base.startsWith("simpleclient") || !base.endsWith(".jar")) {
                    continue;
                }
                libraries++;
                try (JarFile lib = new JarFile(entry)) {
                    for (JarEntry e : (Iterable<JarEntry>) lib.stream()::iterator) {
                        if (e.isDirectory() || e.getName().startsWith("META-INF/") || !seen.add(e.getName())) {
                            continue;
                        }
                        jar.putNextEntry(new JarEntry(e.getName()));
                        try (InputStream in = lib.getInputStream(e)) {
                            in.transferTo(jar);
                        }
                        jar.closeEntry();
                    }
                }
            }
            if (libraries == 0) {
                throw new IllegalStateException("no simpleclient jar on the class path: run bench/run.sh, which builds it");
            }
        }
        return out;
    }
}
