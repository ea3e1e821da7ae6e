package org.afmetrics.cli;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import org.afmetrics.facility.ClassDataArchive;
import org.afmetrics.facility.KernelspecEditor.Change;
import org.afmetrics.facility.KernelspecEditor.KernelspecException;
import org.afmetrics.facility.Kernelspecs;

/** The class-data archive's part of {@code kernelspec install --cds} and {@code kernelspec remove}. */
final class CdsSteps {
    /** How long the kernel may take to start, and then to write its archive, while the archive is made. */
    static final Duration MAKE_TIMEOUT = Duration.ofSeconds(Long.getLong("afmetrics.cds.timeout", 300));
    /**
     * The Python tried after those behind the {@code jupyter} on PATH, to send the kernel its
     * first requests with jupyter_client while the archive is made.
     */
    static final Path PYTHON = Paths.get(System.getProperty("afmetrics.cds.python", "/usr/bin/python3"));

    private CdsSteps() {
    }

    /**
     * The install with the archive named in argv; unless dry, the archive is made (afresh) first,
     * of the classes of the kernel's start and first reply, and of a first cell too if asked.
     */
    static Change install(Path kernelJson, Change agent, boolean dryRun, boolean firstCell) throws KernelspecException {
        Change c = ClassDataArchive.planInstall(agent);
        String name = kernelJson.toAbsolutePath().getParent().getFileName().toString();
        if (dryRun) {
            System.out.println(name + ": would make " + ClassDataArchive.archiveOf(kernelJson)
                    + " by starting the kernel once without the agent (dry run: nothing made)");
            return c;
        }
        System.err.println(name + ": making its class-data archive: the kernel starts once, without the agent ...");
        ClassDataArchive.Made made = ClassDataArchive.make(kernelJson, MAKE_TIMEOUT, firstCell,
                Kernelspecs.forThisUser().jupyterPythons(PYTHON));
        System.out.println(name + ": " + made);
        return c;
    }

    /** The removal with the archive's options out of argv; unless dry, the archive and its record are deleted. */
    static Change remove(Path kernelJson, Change agent, boolean dryRun) throws KernelspecException {
        Change c = ClassDataArchive.planRemove(agent);
        if (!dryRun && ClassDataArchive.delete(kernelJson)) {
            System.out.println(kernelJson.toAbsolutePath().getParent().getFileName() + ": class-data archive deleted: "
                    + ClassDataArchive.archiveOf(kernelJson));
        }
        return c;
    }
}
