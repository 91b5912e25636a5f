package io.ctagent.web;

import java.io.ByteArrayInputStream;
import java.io.IOException;

import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import io.ctagent.problem.ProblemResponse;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Request bodies of at most {@value #MAX_BYTES} bytes: every body the API takes is a small JSON
 * object, and a caller must not make the agent hold megabytes per request. A declared length over the
 * limit is refused before a byte is read; a chunked body is read up to the limit and refused past it.
 * Either way the answer is 413 problem+json, before authentication, parsing or the audit.
 */
@Component
class RequestBodyLimit extends OncePerRequestFilter implements Ordered {

    static final int MAX_BYTES = 64 * 1024;

    @Override
    public int getOrder() {
        return RequestIdFilter.ORDER + 1;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        long declared = request.getContentLengthLong();
        if (declared > MAX_BYTES) {
            tooLarge(request, response);
            return;
        }
        if (declared < 0 && request.getHeader("Transfer-Encoding") != null) {
            byte[] body = request.getInputStream().readNBytes(MAX_BYTES + 1);
            if (body.length > MAX_BYTES) {
                tooLarge(request, response);
                return;
            }
            chain.doFilter(new ReadBody(request, body), response);
            return;
        }
        chain.doFilter(request, response);
    }

    private static void tooLarge(HttpServletRequest request, HttpServletResponse response) throws IOException {
        // The rest of the body is not read: the connection closes after this answer.
        response.setHeader("Connection", "close");
        ProblemResponse.write(request, response, HttpStatus.CONTENT_TOO_LARGE, "body-too-large", "Request body too large",
                "Request bodies may be at most " + MAX_BYTES + " bytes (64 KB); every request of this API is a "
                        + "small JSON object. Send only the fields the endpoint takes.", null);
    }

    /** A request whose body was read here, handed on from memory. */
    private static final class ReadBody extends HttpServletRequestWrapper {

        private final byte[] body;

        ReadBody(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public int read() throws IOException {
                    return in.read();
                }

                @Override
                public int read(byte[] into, int offset, int length) throws IOException {
                    return in.read(into, offset, length);
                }

                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new IllegalStateException("the body was already read");
                }
            };
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }
    }
}
