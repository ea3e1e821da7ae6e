package org.afmetrics.kernel;

import org.afmetrics.kernel.bridge.CellBridge;

/** Connects the bridge the woven code calls to a {@link CellRecorder}. */
public final class BridgeSink implements CellBridge.Sink {
    private final CellRecorder recorder;

    public BridgeSink(CellRecorder recorder) {
        this.recorder = recorder;
    }

    /** Routes the bridge to {@code recorder}; the only place the agent's own code names the bridge. */
    public static void connect(CellRecorder recorder) {
        CellBridge.install(new BridgeSink(recorder));
    }

    @Override
    public void kernelStarted(Object kernel, Class<?> hookedType) {
        recorder.kernelStarted(kernel, hookedType);
    }

    @Override
    public void cellStarted() {
        recorder.cellStarted();
    }

    @Override
    public void cellFailed() {
        recorder.cellFailed();
    }

    @Override
    public void cellOutcome(Object result) {
        recorder.cellOutcome(result);
    }

    @Override
    public void cellEnded(Throwable thrown) {
        recorder.cellEnded(thrown);
    }

    @Override
    public void interruptRequested() {
        recorder.interruptRequested();
    }
}
