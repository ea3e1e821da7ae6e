package org.afmetrics.facility;

import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The kernelspecs Jupyter sees, found where Jupyter looks: each directory of
 * {@code JUPYTER_PATH}, then the user's data directory, then the system ones, each with a
 * {@code kernels/NAME/kernel.json}. The first directory holding a name wins, as in Jupyter.
 */
public final class Kernelspecs {
    private final Function<String, String> env;
    private final String userHome;
    private final String osName;

    public Kernelspecs(Function<String, String> env, String userHome, String osName) {
        this.env = env;
        this.userHome = userHome;
        this.osName = osName.toLowerCase(Locale.ROOT);
    }

    public static Kernelspecs forThisUser() {
        return new Kernelspecs(System::getenv, System.getProperty("user.home"), System.getProperty("os.name", ""));
    }

    /** The data directories in Jupyter's order of precedence. */
    public List<Path> dataDirs() {
        LinkedHashSet<Path> dirs = new LinkedHashSet<>();
        String jp = env.apply("JUPYTER_PATH");
        if (jp != null) {
            for (String p : jp.split(File.pathSeparator)) {
                if (!p.trim().isEmpty()) {
                    dirs.add(Paths.get(p.trim()));
                }
            }
        }
        dirs.add(userDataDir());
        if (osName.contains("win")) {
            String programData = env.apply("PROGRAMDATA");
            if (programData != null) {
                dirs.add(Paths.get(programData, "jupyter"));
            }
        } else {
            dirs.add(Paths.get("/usr/local/share/jupyter"));
            dirs.add(Paths.get("/usr/share/jupyter"));
        }
        return new ArrayList<>(dirs);
    }

    /** Where {@code jupyter kernelspec install --user} puts kernels. */
    public Path userDataDir() {
        String explicit = env.apply("JUPYTER_DATA_DIR");
        if (explicit != null && !explicit.trim().isEmpty()) {
            return Paths.get(explicit.trim());
        }
        if (osName.contains("mac")) {
            return Paths.get(userHome, "Library", "Jupyter");
        }
        if (osName.contains("win")) {
            String appData = env.apply("APPDATA");
            return appData != null ? Paths.get(appData, "jupyter") : Paths.get(userHome, "AppData", "Roaming", "jupyter");
        }
        String xdg = env.apply("XDG_DATA_HOME");
        Path base = xdg != null && !xdg.trim().isEmpty() ? Paths.get(xdg.trim()) : Paths.get(userHome, ".local", "share");
        return base.resolve("jupyter");
    }

    /** Kernel name to its kernel.json, first directory winning. */
    public Map<String, Path> find() {
        Map<String, Path> found = new LinkedHashMap<>();
        for (Path data : dataDirs()) {
            Path kernels = data.resolve("kernels");
            if (!Files.isDirectory(kernels)) {
                continue;
            }
            List<Path> names = new ArrayList<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(kernels)) {
                ds.forEach(names::add);
            } catch (IOException e) {
                continue;
            }
            names.sort(null);
            for (Path k : names) {
                Path json = k.resolve("kernel.json");
                String name = k.getFileName().toString().toLowerCase(Locale.ROOT);
                if (Files.isRegularFile(json)) {
                    found.putIfAbsent(name, json);
                }
            }
        }
        return found;
    }
}
