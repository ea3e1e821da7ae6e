package org.afmetrics.kernel;

import java.util.function.BiConsumer;
import org.afmetrics.kernel.bridge.CellBridge;

/** Hands the bridge's events to a {@link CellRecorder}. Only JDK types cross the bridge. */
public final class BridgeSink implements BiConsumer<Integer, Object> {
    private final CellRecorder recorder;

    public BridgeSink(CellRecorder recorder) {
        this.recorder = recorder;
    }

    @Override
    public void accept(Integer event, Object arg) {
        switch (event) {
            case CellBridge.KERNEL:
                recorder.kernelStarted(arg);
                break;
            case CellBridge.CELL_START:
                recorder.cellStarted();
                break;
            case CellBridge.WORKER_CELL_START:
                recorder.workerCellStarted();
                break;
            case CellBridge.CELL_FAILED:
                recorder.cellFailed();
                break;
            case CellBridge.CELL_OUTCOME:
                recorder.cellOutcome(arg);
                break;
            case CellBridge.CELL_END:
                recorder.cellEnded(arg instanceof Throwable ? (Throwable) arg : null);
                break;
            case CellBridge.INTERRUPT:
                recorder.interruptRequested();
                break;
            case CellBridge.WORK_START:
                recorder.workStarted();
                break;
            case CellBridge.WORK_END: // the worker's throwable, if any, is the cell's business
                recorder.workEnded();
                break;
            default:
                break;
        }
    }
}
