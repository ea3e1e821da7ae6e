package org.afmetrics.facility;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KernelspecsTest {
    @TempDir
    Path dir;

    @Test
    void searchesJupyterPathThenTheUserThenTheSystem() {
        Map<String, String> env = Map.of("JUPYTER_PATH", "/a:/b", "XDG_DATA_HOME", "/xdg");
        Kernelspecs k = new Kernelspecs(env::get, "/home/u", "Linux");
        assertEquals(List.of(Paths.get("/a"), Paths.get("/b"), Paths.get("/xdg/jupyter"),
                Paths.get("/usr/local/share/jupyter"), Paths.get("/usr/share/jupyter")), k.dataDirs());
        assertEquals(Paths.get("/home/u/.local/share/jupyter"), new Kernelspecs(n -> null, "/home/u", "Linux").userDataDir());
        assertEquals(Paths.get("/d"), new Kernelspecs(Map.of("JUPYTER_DATA_DIR", "/d")::get, "/home/u", "Linux").userDataDir());
    }

    @Test
    void theFirstDirectoryHoldingANameWins() throws Exception {
        Path first = dir.resolve("first");
        Path second = dir.resolve("second");
        for (Path p : List.of(first.resolve("kernels/java"), second.resolve("kernels/java"), second.resolve("kernels/scala"),
                second.resolve("kernels/empty"))) {
            Files.createDirectories(p);
            if (!p.endsWith("empty")) {
                Files.writeString(p.resolve("kernel.json"), "{}");
            }
        }
        Map<String, String> env = Map.of("JUPYTER_PATH", first + ":" + second, "JUPYTER_DATA_DIR", dir.resolve("none").toString());
        Map<String, Path> found = new Kernelspecs(env::get, dir.toString(), "Linux").find();
        assertEquals(first.resolve("kernels/java/kernel.json"), found.get("java"));
        assertEquals(second.resolve("kernels/scala/kernel.json"), found.get("scala"));
        assertEquals(null, found.get("empty"));
    }
}
