package io.ctagent.testsupport;

import java.net.URI;

import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.test.web.servlet.request.MockMvcRequestBuilders;

/**
 * MockMvc request builders that carry the API key of the least role the endpoint table allows:
 * a viewer's for reads, an operator's for changes. Import these instead of MockMvcRequestBuilders'
 * in tests of features (the security tests check the roles themselves). Register the keys with
 * {@link TestApiKeys#register}.
 */
public final class KeyedRequests {

    private KeyedRequests() {
    }

    public static MockHttpServletRequestBuilder get(String path, Object... variables) {
        return viewer(MockMvcRequestBuilders.get(path, variables));
    }

    public static MockHttpServletRequestBuilder put(String path, Object... variables) {
        return operator(MockMvcRequestBuilders.put(path, variables));
    }

    public static MockHttpServletRequestBuilder put(URI uri) {
        return operator(MockMvcRequestBuilders.put(uri));
    }

    public static MockHttpServletRequestBuilder patch(String path, Object... variables) {
        return operator(MockMvcRequestBuilders.patch(path, variables));
    }

    public static MockHttpServletRequestBuilder post(String path, Object... variables) {
        return operator(MockMvcRequestBuilders.post(path, variables));
    }

    public static MockHttpServletRequestBuilder delete(String path, Object... variables) {
        return operator(MockMvcRequestBuilders.delete(path, variables));
    }

    public static MockHttpServletRequestBuilder viewer(MockHttpServletRequestBuilder request) {
        return request.header(TestApiKeys.HEADER, TestApiKeys.VIEWER);
    }

    public static MockHttpServletRequestBuilder operator(MockHttpServletRequestBuilder request) {
        return request.header(TestApiKeys.HEADER, TestApiKeys.OPERATOR);
    }

    /** For what only an admin may do (a forced guard, a whole-table flush). */
    public static MockHttpServletRequestBuilder admin(MockHttpServletRequestBuilder request) {
        return request.header(TestApiKeys.HEADER, TestApiKeys.ADMIN);
    }

    public static MockHttpServletRequestBuilder auditor(MockHttpServletRequestBuilder request) {
        return request.header(TestApiKeys.HEADER, TestApiKeys.AUDITOR);
    }
}
