package org.afmetrics.testkernels;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Collections;
import java.util.List;
import org.dflib.jjava.jupyter.channels.JupyterConnection;
import org.dflib.jjava.jupyter.kernel.BaseKernel;
import org.dflib.jjava.jupyter.kernel.BaseKernelBuilder;
import org.dflib.jjava.jupyter.kernel.HelpLink;
import org.dflib.jjava.jupyter.kernel.JupyterIO;
import org.dflib.jjava.jupyter.kernel.KernelConnectionProperties;
import org.dflib.jjava.jupyter.kernel.LanguageInfo;
import org.dflib.jjava.jupyter.kernel.ReplacementOptions;
import org.dflib.jjava.jupyter.kernel.comm.CommManager;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.Renderer;
import org.dflib.jjava.jupyter.kernel.history.HistoryManager;
import org.dflib.jjava.jupyter.kernel.magic.MagicParser;
import org.dflib.jjava.jupyter.kernel.magic.MagicsRegistry;
import org.dflib.jjava.jupyter.kernel.util.StringStyler;

/**
 * A small Java kernel on org.dflib.jjava:jjava-jupyter:1.0-a6 (JJava's kernel base), started
 * from a kernelspec as {@code java ... JJavaJShell {connection_file}}.
 */
public final class JJavaJShell extends BaseKernel {
    private final JShellEvaluator evaluator = new JShellEvaluator();

    private JJavaJShell(String name, String version, LanguageInfo info, List<HelpLink> links, HistoryManager history,
            JupyterIO io, CommManager comms, Renderer renderer, MagicParser parser, MagicsRegistry magics,
            boolean extensions, StringStyler styler) {
        super(name, version, info, links, history, io, comms, renderer, parser, magics, extensions, styler);
    }

    @Override
    public Object evalRaw(String code) {
        return evaluator.eval(code);
    }

    @Override
    public DisplayData inspect(String code, int at, boolean extraDetail) {
        return null;
    }

    @Override
    public ReplacementOptions complete(String code, int at) {
        return null;
    }

    @Override
    public String isComplete(String code) {
        return IS_COMPLETE_YES;
    }

    @Override
    public void interrupt() {
        evaluator.stop();
    }

    @Override
    public void onShutdown(boolean restart) {
        evaluator.close();
    }

    static final class Builder extends BaseKernelBuilder<Builder, JJavaJShell> {
        @Override
        public JJavaJShell build() {
            Charset cs = buildJupyterIOEncoding();
            LanguageInfo info = new LanguageInfo.Builder("java").version(System.getProperty("java.version"))
                    .mimetype("text/x-java").fileExtension(".jshell").pygments("java").codemirror("java").build();
            return new JJavaJShell(buildName(), buildVersion(), info, Collections.emptyList(), buildHistoryManager(),
                    buildJupyterIO(cs), buildCommManager(), buildRenderer(), magicParser, buildMagicsRegistry(),
                    buildExtensionsEnabled(), buildErrorStyler());
        }
    }

    public static void main(String[] args) throws Exception {
        String contents = new String(Files.readAllBytes(Paths.get(args[0])), StandardCharsets.UTF_8);
        JupyterConnection connection = new JupyterConnection(KernelConnectionProperties.parse(contents));
        JJavaJShell kernel = new Builder().name("jshell-jjava").version("1.0").extensionsEnabled(false).build();
        kernel.becomeHandlerForConnection(connection);
        connection.connect();
        connection.waitUntilClose();
    }
}
