package org.afmetrics.exporter;

import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;

/**
 * The bound server as simpleclient_httpserver sees it, with the executor fixed to ours:
 * its builder accepts a ready server or an executor but not both, and we need both (our own bind
 * loop over a port range, and the {@link DeadlineExecutor}). Handlers are wrapped to tell the
 * executor when a request head has been read; everything else is passed through.
 */
final class PinnedExecutorServer extends HttpServer {
    private final HttpServer delegate;

    PinnedExecutorServer(HttpServer delegate, Executor executor) {
        this.delegate = delegate;
        delegate.setExecutor(executor);
    }

    @Override
    public void bind(InetSocketAddress addr, int backlog) throws IOException {
        delegate.bind(addr, backlog);
    }

    @Override
    public void start() {
        delegate.start();
    }

    @Override
    public void setExecutor(Executor executor) {
        // the library's own pool of five threads would have no deadline; ours stays
    }

    @Override
    public Executor getExecutor() {
        return delegate.getExecutor();
    }

    @Override
    public void stop(int delay) {
        delegate.stop(delay);
    }

    @Override
    public HttpContext createContext(String path, HttpHandler handler) {
        return delegate.createContext(path, headRead(handler));
    }

    /** Marks the request head as read before the handler runs (see {@link DeadlineExecutor}). */
    static HttpHandler headRead(HttpHandler handler) {
        return exchange -> {
            DeadlineExecutor.headRead();
            handler.handle(exchange);
        };
    }

    @Override
    public HttpContext createContext(String path) {
        return delegate.createContext(path);
    }

    @Override
    public void removeContext(String path) {
        delegate.removeContext(path);
    }

    @Override
    public void removeContext(HttpContext context) {
        delegate.removeContext(context);
    }

    @Override
    public InetSocketAddress getAddress() {
        return delegate.getAddress();
    }
}
