package dev.outboxrelay.api;

import java.io.IOException;

import com.fasterxml.jackson.databind.ObjectMapper;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Caps request bodies under {@code /api} at {@code outbox.intake.max-body-size}: a declared length past
 * the cap is answered 413 before a byte is read; a body without a length (chunked) is cut off when it
 * passes the cap, and {@link ApiErrors} answers 413 too. Nothing is written in either case.
 */
@Component
public class IntakeBodyLimit extends OncePerRequestFilter {

    private final long limit;
    private final ObjectMapper json;

    public IntakeBodyLimit(IntakeProperties properties, ObjectMapper json) {
        this.limit = properties.maxBodySize().toBytes();
        this.json = json;
    }

    static String message(long limit) {
        return "the request body is larger than outbox.intake.max-body-size (" + limit + " bytes)";
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !request.getRequestURI().startsWith(request.getContextPath() + "/api/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (request.getContentLengthLong() > limit) {
            response.setStatus(HttpStatus.PAYLOAD_TOO_LARGE.value());
            response.setContentType(MediaType.APPLICATION_JSON_VALUE);
            json.writeValue(response.getOutputStream(), ApiError.of("too-large", message(limit)));
            return;
        }
        chain.doFilter(new CappedRequest(request, limit), response);
    }

    /** The request with a body stream that fails once more than the cap has been read. */
    private static final class CappedRequest extends HttpServletRequestWrapper {

        private final long limit;
        private ServletInputStream capped;

        CappedRequest(HttpServletRequest request, long limit) {
            super(request);
            this.limit = limit;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            if (capped == null) {
                capped = new CappedStream(super.getInputStream(), limit);
            }
            return capped;
        }
    }

    private static final class CappedStream extends ServletInputStream {

        private final ServletInputStream body;
        private final long limit;
        private long read;

        CappedStream(ServletInputStream body, long limit) {
            this.body = body;
            this.limit = limit;
        }

        @Override
        public int read() throws IOException {
            int next = body.read();
            if (next >= 0) {
                count(1);
            }
            return next;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = body.read(buffer, offset, length);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        private void count(int n) throws IOException {
            read += n;
            if (read > limit) {
                throw new BodyTooLargeException(limit);
            }
        }

        @Override
        public boolean isFinished() {
            return body.isFinished();
        }

        @Override
        public boolean isReady() {
            return body.isReady();
        }

        @Override
        public void setReadListener(ReadListener listener) {
            body.setReadListener(listener);
        }
    }
}
